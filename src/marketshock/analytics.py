"""Pure functions on series: the article's figures are computed here, never typed in.

Inputs are plain sequences (dates, floats, `Bar`s) sorted by date; nothing here does
I/O, knows a provider, or formats for people. Percentages come back in percent.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from itertools import pairwise
from typing import NamedTuple

from marketshock.models.series import Bar


def change_pct(new: float, old: float) -> float | None:
    """Relative change in percent; None when the base is zero (no meaningful change)."""
    if old == 0:
        return None
    return (new / old - 1.0) * 100.0


def last_index_on_or_before(dates: Sequence[dt.date], day: dt.date) -> int | None:
    """Index of the last date <= day in a sorted sequence, or None if every date is later."""
    lo, hi = 0, len(dates)
    while lo < hi:
        mid = (lo + hi) // 2
        if dates[mid] <= day:
            lo = mid + 1
        else:
            hi = mid
    return lo - 1 if lo > 0 else None


def change_over_days(bars: Sequence[Bar], days: int) -> float | None:
    """Change of the last close against the close `days` calendar days earlier
    (or the last close before that day, when it was not a session)."""
    if not bars:
        return None
    dates = [b.date for b in bars]
    base = last_index_on_or_before(dates, bars[-1].date - dt.timedelta(days=days))
    if base is None:
        return None
    return change_pct(bars[-1].close, bars[base].close)


def change_over_sessions(closes: Sequence[float], sessions: int) -> float | None:
    """Change of the last close against the close `sessions` rows earlier."""
    if len(closes) <= sessions:
        return None
    return change_pct(closes[-1], closes[-1 - sessions])


class YearToDate(NamedTuple):
    base_date: dt.date
    base_close: float
    change_pct: float | None
    change_at_low_pct: float | None


def year_to_date(bars: Sequence[Bar]) -> YearToDate | None:
    """Change of the last bar's close and low since the prior year's last close."""
    if not bars:
        return None
    year_start = dt.date(bars[-1].date.year, 1, 1)
    base = last_index_on_or_before([b.date for b in bars], year_start - dt.timedelta(days=1))
    if base is None:
        return None
    base_bar = bars[base]
    return YearToDate(
        base_bar.date,
        base_bar.close,
        change_pct(bars[-1].close, base_bar.close),
        change_pct(bars[-1].low, base_bar.close),
    )


def streak(changes: Sequence[float | None]) -> int:
    """Signed length of the run of same-direction changes ending at the last one:
    +3 is the third up day in a row, -2 the second day of decline, 0 unchanged/unknown."""
    if not changes or changes[-1] is None or changes[-1] == 0:
        return 0
    sign = 1 if changes[-1] > 0 else -1
    run = 0
    for change in reversed(changes):
        if change is None or change == 0 or (change > 0) != (sign > 0):
            break
        run += 1
    return sign * run


def daily_changes(closes: Sequence[float]) -> list[float | None]:
    """Day-on-day changes in percent; the first has no prior close."""
    return [None, *(change_pct(b, a) for a, b in pairwise(closes))]


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Calendar months as the press counts them: (y2 - y1) * 12 + (m2 - m1)."""
    return (later.year - earlier.year) * 12 + (later.month - earlier.month)


class LowestSince(NamedTuple):
    date: dt.date  # the most recent earlier day whose low was lower
    low: float
    months: int


def lowest_since(bars: Sequence[Bar]) -> LowestSince | None:
    """For the last bar: the most recent earlier bar with a lower low.
    None means the last low is the lowest in the data."""
    if not bars:
        return None
    target = bars[-1]
    for bar in reversed(bars[:-1]):
        if bar.low < target.low:
            return LowestSince(bar.date, bar.low, months_between(bar.date, target.date))
    return None


class SameMonthRank(NamedTuple):
    since_year: int | None  # the last earlier year with a higher value; None: highest in the data
    years: int | None


def highest_same_month_since(history: Sequence[tuple[int, float]], year: int) -> SameMonthRank:
    """Rank `year`'s value against the same calendar month of earlier years.

    `history` is (year, value) for one calendar month, any order. "The most for a
    January since 2009" means 2009 is the latest earlier year with a higher value.
    """
    values = dict(history)
    current = values[year]
    earlier_higher = [y for y, v in values.items() if y < year and v > current]
    if not earlier_higher:
        return SameMonthRank(None, None)
    since = max(earlier_higher)
    return SameMonthRank(since, year - since)


class Drawdown(NamedTuple):
    peak: float
    peak_date: dt.date
    drawdown_pct: float


def drawdown_from_high(dates: Sequence[dt.date], values: Sequence[float]) -> Drawdown | None:
    """The last value against the highest value up to it (the latest, if tied)."""
    if not values:
        return None
    peak_index = max(range(len(values)), key=lambda i: (values[i], dates[i]))
    peak = values[peak_index]
    pct = change_pct(values[-1], peak)
    return Drawdown(peak, dates[peak_index], pct if pct is not None else 0.0)


class WeekOnWeek(NamedTuple):
    change: float | None
    four_week_avg: float | None


def week_on_week(values: Sequence[float]) -> WeekOnWeek:
    """Change on the prior week and the average of the last four weeks (FRED's IC4WSA)."""
    if not values:
        return WeekOnWeek(None, None)
    change = values[-1] - values[-2] if len(values) >= 2 else None
    avg = sum(values[-4:]) / 4 if len(values) >= 4 else None
    return WeekOnWeek(change, avg)


def growth_pct(new: float | None, old: float | None) -> float | None:
    """Growth of a plan over an actual, in percent; None where either is a gap."""
    if new is None or old is None:
        return None
    return change_pct(new, old)


class MonthSum(NamedTuple):
    month: str  # "YYYY-MM"
    total: float
    days: int


def monthly_sums(days: Sequence[tuple[dt.date, float]]) -> list[MonthSum]:
    """Sum daily values by calendar month, in month order."""
    totals: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for day, value in days:
        key = f"{day.year:04d}-{day.month:02d}"
        totals[key] += value
        counts[key] += 1
    return [MonthSum(m, totals[m], counts[m]) for m in sorted(totals)]


class WipedOut(NamedTuple):
    amount: float
    change_pct: float


def wiped_out(peak: float, current: float) -> WipedOut:
    """Value lost since the peak (positive when value was lost) and the change in percent."""
    pct = change_pct(current, peak)
    return WipedOut(peak - current, pct if pct is not None else 0.0)
