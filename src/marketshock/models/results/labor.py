"""The `labor` section: Challenger job cuts and weekly jobless claims."""

from __future__ import annotations

import datetime as dt

from marketshock.models.results import DatedRow, Result
from marketshock.models.series import Source


class JobCuts(DatedRow):
    month: str
    value: int
    highest_same_month_since: int | None  # the year of the last higher value of the same month
    years_since: int | None
    highest_in_data: bool
    rank_text: str  # e.g. "the most for a January since 2009 (17-year high)"
    same_month_history: list[tuple[int, int]]  # (year, value) for every year in the data
    change_yoy_pct: float | None
    released: dt.date | None
    source: Source
    date: dt.date | None = None  # the release (the month's last day where none is recorded)


class ClaimsWeek(DatedRow):
    week_ending: dt.date
    initial: int
    change: int | None
    four_week_avg: float | None
    continuing: int | None
    continuing_week_ending: dt.date | None
    released: dt.date
    vintage: str
    vintage_date: dt.date | None = None  # when these values were published in this form (first print: the release)
    revised_after_as_of: bool = False  # true: a vintage later than the as-of date, not what was known that day
    gap_figures: list[str] = []  # figures null because a week they need has no value (see `warnings`)
    source: Source
    date: dt.date | None = None  # the week's end (week_ending)


class LaborResult(Result):
    job_cuts: JobCuts | None
    claims: ClaimsWeek | None  # as known on the as-of date: the first print where known, else the vintage named
    claims_first_print: ClaimsWeek | None
    recent_initial_claims: list[int]
    # The later vintage of the same week, shown beside a first print and labelled as later.
    claims_later_revision: ClaimsWeek | None = None
