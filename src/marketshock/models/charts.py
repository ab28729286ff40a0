"""What `marketshock chart` draws: the points of one series and the marks the analytics found.

This is the `data` of `chart --json` and the input of the drawing; field names are a
public contract like the section results (dates ISO 8601, a gap is null).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from marketshock.models.series import Source

MarkKind = Literal[
    "lowest-since",  # the last day's low, lowest since `earlier-low`
    "earlier-low",  # the most recent earlier day with a lower low
    "all-time-high",  # the highest close in the data up to the as-of date
    "window-high",  # the highest value in the charted window
    "latest",  # the last value known on the as-of date
    "highest-since",  # the last earlier year with a higher value of the same month
    "market-measure",  # a trading curb (sidecar, circuit breaker) on that session
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class ChartPoint(_Model):
    x: str  # "YYYY-MM-DD" for a day or week, "YYYY-MM" for a month
    value: float


class ChartMark(_Model):
    kind: MarkKind
    x: str
    value: float
    text: str  # the legend line, computed from the figures
    in_window: bool = True  # false: the marked day lies before the charted window
    source: Source | None = None  # where the point has its own source (curated rows)


class ChartResult(_Model):
    series: str  # as asked for, normalized: "BTC", "KOSPI", "claims", "job-cuts"
    name: str
    style: Literal["line", "bars"]
    measure: str  # what a point is: "daily close", "initial claims, week ending", ...
    unit: str  # "USD", "index points", "claims", "job cuts"
    frequency: Literal["daily", "sessions", "weekly", "monthly"]
    since: str  # the first x of the window
    until: str  # the last x of the window (on or before the as-of date)
    points: list[ChartPoint]
    marks: list[ChartMark]
    notes: list[str] = []
    sources: list[Source]
