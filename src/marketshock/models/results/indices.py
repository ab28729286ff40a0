"""The `indices` section: one row an index or its proxy."""

from __future__ import annotations

import datetime as dt

from marketshock.models.results import DatedRow, Result
from marketshock.models.series import Source


class IndexRow(DatedRow):
    symbol: str
    name: str
    kind: str  # "index", "index (moves only)", "ETF proxy"
    proxy_for: str | None = None
    date: dt.date | None
    last: float | None
    change_1d_pct: float | None
    change_5d_pct: float | None
    streak: int | None  # signed: -2 is the second day of decline; null: a gap in the run
    streak_complete: bool = True  # false when a gap in the data cut the count short
    gap_figures: list[str] = []  # figures null because a session they need has no close (see `warnings`)
    notes: list[str] = []
    recent_closes: list[float] = []
    unavailable: str | None = None  # why there is no figure, when there is none
    source: Source


class IndicesResult(Result):
    indices: list[IndexRow]
