"""Economic release data: weekly jobless claims in one vintage (`WeeklySeries`) and as first
printed (`ClaimsFirstPrint`), and monthly figures such as announced job cuts (`MonthlySeries`).
Their own module, so a run that reads none (`crypto`) creates none of their models."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import operator
from collections.abc import Iterable
from typing import NamedTuple

from pydantic import model_validator

from marketshock.models.series import ONE_WEEK, Frozen, Source, missing_days


class WeeklyRow(NamedTuple):
    """One week of a provider's answer, a plain tuple: the day the week ends and its value, None
    where the provider has none (FRED's "." or an empty cell). Only `WeeklySeries.from_rows`
    reads rows; the series itself keeps columns."""

    week_ending: dt.date
    value: float | None


class WeeklySeries(Frozen):
    """A weekly FRED-style series (week ending Saturday) in one vintage, in columns: `weeks`
    (the days the weeks end) and `values` (claims, a float a week), one entry a week: no model
    per week.

    Validated once, on construction, whichever provider made it: equal columns (ValueError
    otherwise), then normalised: weeks in date order, the later row of a duplicated week wins,
    and every week without a value (FRED's "." or an empty cell, given to `from_rows`, or a
    week missing between two others) is in `gaps`: never dropped silently, never bridged. So
    `weeks` are strictly increasing and every value is a number."""

    series_id: str
    name: str
    vintage: str
    weeks: tuple[dt.date, ...]
    values: tuple[float, ...]
    source: Source
    vintage_date: dt.date | None = None  # the day this vintage was published or fetched
    gaps: tuple[dt.date, ...] = ()  # weeks ending on these days have no value (sorted)

    @classmethod
    def from_rows(
        cls,
        rows: Iterable[tuple[dt.date, float | None]],
        *,
        series_id: str,
        name: str,
        vintage: str,
        source: Source,
        vintage_date: dt.date | None = None,
    ) -> WeeklySeries:
        """The series of a provider's rows (`WeeklyRow`s or plain pairs, in the answer's order),
        a row without a value included: the later row of a week wins, so a week whose last row
        has no value is a gap even where an earlier row had one. Raises pydantic's
        ValidationError as the constructor does."""
        by_week: dict[dt.date, float | None] = {}
        for week, value in rows:
            by_week[week] = value  # the later row for a week wins
        known = {w: v for w, v in by_week.items() if v is not None}
        return cls(
            series_id=series_id,
            name=name,
            vintage=vintage,
            vintage_date=vintage_date,
            weeks=tuple(known),
            values=tuple(known.values()),
            source=source,
            gaps=tuple(w for w, v in by_week.items() if v is None),
        )

    @model_validator(mode="after")
    def _normalised(self) -> WeeklySeries:
        weeks, values = self.weeks, self.values
        if len(weeks) != len(values):
            raise ValueError("the weeks and values of a weekly series differ in length")
        # One week after another with none missing and no gap named: already normal, as the bundled
        # series are. Checked in C, so a history since 1967 costs no Python loop a week.
        if not self.gaps and all(map(operator.eq, map(operator.sub, weeks[1:], weeks), itertools.repeat(ONE_WEEK))):
            return self
        by_week = dict(zip(weeks, values, strict=True))  # the later row for a week wins
        kept = sorted(by_week)
        missing = (set(self.gaps) | missing_days(kept, ONE_WEEK)) - by_week.keys()
        object.__setattr__(self, "weeks", tuple(kept))
        object.__setattr__(self, "values", tuple(by_week[w] for w in kept))
        object.__setattr__(self, "gaps", tuple(sorted(missing)))
        return self

    def published(self, lag: dt.timedelta, as_of: dt.date) -> int:
        """How many weeks, from the first, were published by the end of `as_of` when a week is
        published `lag` after it ends: `weeks[:n]` and `values[:n]` are what was known then."""
        return bisect.bisect_right(self.weeks, as_of - lag)  # weeks are strictly increasing


class ClaimsFirstPrint(Frozen):
    """Jobless claims as first reported in the weekly release, before revisions."""

    week_ending: dt.date
    initial: int
    change: int | None
    four_week_avg: int | None
    continuing: int | None
    continuing_week_ending: dt.date | None
    released: dt.date
    source: Source


class MonthlyValue(Frozen):
    year: int
    month: int
    value: float
    released: dt.date | None
    source: Source

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


class MonthlySeries(Frozen):
    series_id: str
    name: str
    values: tuple[MonthlyValue, ...]
