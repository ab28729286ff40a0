"""Pure functions on series: the article's figures are computed here, never typed in.

Inputs are plain sequences (dates, floats, `Bar`s) sorted by date; nothing here does
I/O, knows a provider, or formats for people. Percentages come back in percent.

Gaps: a series' `gaps` are the sorted days (or weeks) it should have a value for and has none.
A figure defined over a period is None when a day it needs is a gap, never the figure of a
longer period passed off as the named one; the optional `on_gap` callback is told which gap
blanked it, so the caller can say why.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import NamedTuple
from zoneinfo import ZoneInfo

from marketshock.models.series import Bar

OnGap = Callable[[dt.date], None] | None


def first_gap(gaps: Sequence[dt.date], after: dt.date, through: dt.date) -> dt.date | None:
    """The first gap in the period (after, through], or None when the period has none."""
    i = bisect.bisect_right(gaps, after)
    if i < len(gaps) and gaps[i] <= through:
        return gaps[i]
    return None


def _blocked(gaps: Sequence[dt.date], after: dt.date, through: dt.date, on_gap: OnGap) -> bool:
    gap = first_gap(gaps, after, through)
    if gap is not None and on_gap is not None:
        on_gap(gap)
    return gap is not None


class GapLog:
    """Which figures a gap blanked, and by which gaps: `log.to("change_1d_pct")` is an `on_gap`."""

    def __init__(self) -> None:
        self.by_figure: dict[str, list[dt.date]] = {}

    def to(self, figure: str) -> Callable[[dt.date], None]:
        return lambda day: self.by_figure.setdefault(figure, []).append(day)

    @property
    def figures(self) -> list[str]:
        return list(self.by_figure)

    def by_gap(self) -> dict[dt.date, list[str]]:
        """Each gap that blanked a figure, with the figures it blanked, in date order."""
        out: dict[dt.date, list[str]] = {}
        for figure, days in self.by_figure.items():
            for day in days:
                out.setdefault(day, [])
                if figure not in out[day]:
                    out[day].append(figure)
        return dict(sorted(out.items()))


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


def _base_close(bars: Sequence[Bar], day: dt.date, gaps: Sequence[dt.date], on_gap: OnGap) -> int | None:
    """Index of the close in force at the end of `day`: the last bar on or before it, unless a
    gap lies between that bar and `day` (then the close of `day` is unknown)."""
    base = last_index_on_or_before([b.date for b in bars], day)
    if base is None or _blocked(gaps, bars[base].date, day, on_gap):
        return None
    return base


def change_over_days(
    bars: Sequence[Bar], days: int, gaps: Sequence[dt.date] = (), on_gap: OnGap = None
) -> float | None:
    """Change of the last close against the close `days` calendar days earlier
    (or the last close before that day, when it was not a session). None when that close
    is a gap: the close before it would make a longer change."""
    if not bars:
        return None
    base = _base_close(bars, bars[-1].date - dt.timedelta(days=days), gaps, on_gap)
    if base is None:
        return None
    return change_pct(bars[-1].close, bars[base].close)


def change_over_sessions(
    closes: Sequence[float],
    sessions: int,
    dates: Sequence[dt.date] = (),
    gaps: Sequence[dt.date] = (),
    on_gap: OnGap = None,
) -> float | None:
    """Change of the last close against the close `sessions` rows earlier; None when a gap
    (a session without a close) lies between them, since the rows would span more sessions."""
    if len(closes) <= sessions:
        return None
    if dates and _blocked(gaps, dates[-1 - sessions], dates[-1], on_gap):
        return None
    return change_pct(closes[-1], closes[-1 - sessions])


class YearToDate(NamedTuple):
    base_date: dt.date
    base_close: float
    change_pct: float | None
    change_at_low_pct: float | None


def year_to_date(bars: Sequence[Bar], gaps: Sequence[dt.date] = (), on_gap: OnGap = None) -> YearToDate | None:
    """Change of the last bar's close and low since the prior year's last close. None when
    that close is a gap (the base would be an earlier close)."""
    if not bars:
        return None
    base = _base_close(bars, dt.date(bars[-1].date.year - 1, 12, 31), gaps, on_gap)
    if base is None:
        return None
    base_bar = bars[base]
    low = bars[-1].low
    return YearToDate(
        base_bar.date,
        base_bar.close,
        change_pct(bars[-1].close, base_bar.close),
        change_pct(low, base_bar.close) if low is not None else None,
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


def streak_over(
    dates: Sequence[dt.date], closes: Sequence[float], gaps: Sequence[dt.date] = (), on_gap: OnGap = None
) -> int | None:
    """`streak` of a series of closes whose gaps are known. None when the run needs a change
    across a gap: the last change itself, or the one before the run (the run may be longer)."""
    if len(closes) < 2:
        return 0
    if _blocked(gaps, dates[-2], dates[-1], on_gap):
        return None
    run = streak(daily_changes(closes[-2:]))
    if run == 0:
        return 0
    sign = 1 if run > 0 else -1
    i = len(closes) - 1  # the run covers the changes into rows i, i+1, ..., last
    while i > 0:
        if _blocked(gaps, dates[i - 1], dates[i], on_gap):
            return None  # the change into row i is unknown: the run may start earlier
        change = change_pct(closes[i], closes[i - 1])
        if change is None or change == 0 or (change > 0) != (sign > 0):
            break
        i -= 1
    return sign * (len(closes) - 1 - i)


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Calendar months as the press counts them: (y2 - y1) * 12 + (m2 - m1)."""
    return (later.year - earlier.year) * 12 + (later.month - earlier.month)


class LowestSince(NamedTuple):
    date: dt.date  # the most recent earlier day whose low was lower
    low: float
    months: int


class Blocked(NamedTuple):
    """A figure a gap leaves unknown, where None would mean something else."""

    gap: dt.date


def lowest_since(
    bars: Sequence[Bar], gaps: Sequence[dt.date] = (), on_gap: OnGap = None
) -> LowestSince | Blocked | None:
    """For the last bar: the most recent earlier bar with a lower low.
    None means the last low is the lowest in the data. `Blocked` when a day it needs (the
    last low, or any day back to the lower one) is a gap or has no low: that day may have
    been lower, so neither "lowest since" nor "lowest in the data" is known."""
    if not bars:
        return None
    target = bars[-1]
    later = target.date
    for bar in reversed(bars):
        low = bar.low
        gap = first_gap(gaps, bar.date, later) or (bar.date if low is None else None)
        if gap is not None or low is None or target.low is None:
            gap = gap or target.date
            if on_gap is not None:
                on_gap(gap)
            return Blocked(gap)
        later = bar.date
        if bar is not target and low < target.low:
            return LowestSince(bar.date, low, months_between(bar.date, target.date))
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
    # The dates increase, so the latest of tied highs is the last index of the maximum: found in C,
    # not by a key function called per value.
    peak = max(values)
    peak_index = len(values) - 1 - list(reversed(values)).index(peak)
    pct = change_pct(values[-1], peak)
    return Drawdown(peak, dates[peak_index], pct if pct is not None else 0.0)


class WeekOnWeek(NamedTuple):
    change: float | None
    four_week_avg: float | None


def week_on_week(
    values: Sequence[float],
    weeks: Sequence[dt.date] = (),
    gaps: Sequence[dt.date] = (),
    on_change_gap: OnGap = None,
    on_average_gap: OnGap = None,
) -> WeekOnWeek:
    """Change on the prior week and the average of the last four weeks (FRED's IC4WSA).
    With `weeks` (the week-ending dates of `values`), a figure is None when a week it needs
    is a gap: the change needs the week before, the average each of the four weeks."""
    if not values:
        return WeekOnWeek(None, None)
    change = avg = None
    last = weeks[-1] if weeks else None
    if len(values) >= 2 and not (last and _blocked(gaps, last - dt.timedelta(days=14), last, on_change_gap)):
        change = values[-1] - values[-2]
    if len(values) >= 4 and not (last and _blocked(gaps, last - dt.timedelta(days=28), last, on_average_gap)):
        avg = sum(values[-4:]) / 4
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


class ReleaseSession(NamedTuple):
    """The session an earnings release moved: `timing` of the release against New York's
    regular session, the `session` whose close shows the reaction, and the `prior` session
    whose close it is measured against."""

    timing: str  # "before open", "during session" or "after close"
    session: dt.date
    prior: dt.date


# New York's regular session (NYSE and Nasdaq), local clock.
SESSION_OPENS, SESSION_CLOSES = dt.time(9, 30), dt.time(16, 0)
NEW_YORK = ZoneInfo("America/New_York")
# US stocks trade outside it from the pre-market's 04:00 to the post-market's 20:00.
EXTENDED_OPENS, EXTENDED_CLOSES = dt.time(4, 0), dt.time(20, 0)


def session_close(day: dt.date, exchange: str | None, closes: dt.time = SESSION_CLOSES) -> dt.datetime:
    """When `exchange`'s session on `day` closes (aware): the exchange calendar's close, early
    closes included; without the calendar, `closes` New York time."""
    from marketshock import calendars  # exchange_calendars only when a session is judged

    hours = calendars.session_hours(exchange, day) if exchange else None
    return hours[1] if hours else dt.datetime.combine(day, closes, NEW_YORK)


def timing_label(timing: str, accepted_on: dt.date, session: dt.date) -> str:
    """`timing` in words beside the release's time: a release "before open" on a day without
    a session (a holiday, a weekend) says the market was closed, as its evening clock time
    ("16:30 ET (before open)") would otherwise read as a contradiction."""
    if timing == "before open" and accepted_on != session:
        return "market closed; before the next session's open"
    return timing


def release_session(
    accepted_at: dt.datetime, exchange: str | None, opens: dt.time = SESSION_OPENS, closes: dt.time = SESSION_CLOSES
) -> ReleaseSession:
    """Which session's close answers a release accepted at `accepted_at` (New York clock, as
    aware datetime). Before the day's open: that day's session against the prior close; during
    the session: that session too (the close is the first after the news, the move is partly
    before it); after the close: the next session against that day's close. A release on a day
    without a session (a weekend, an exchange holiday) came before the next session's open.
    Sessions and their hours are the exchange calendar's (calendars.closed_days and
    calendars.session_hours: a 13:00 early close is the close that day); without the calendar,
    weekends only and `opens`/`closes` (New York clock) every day."""
    from marketshock import calendars  # exchange_calendars only when a release is placed

    day = accepted_at.date()
    hours = calendars.session_hours(exchange, day) if exchange else None
    if hours is None:
        zone = accepted_at.tzinfo
        hours = (dt.datetime.combine(day, opens, zone), dt.datetime.combine(day, closes, zone))
    timing = "before open" if accepted_at < hours[0] else "during session" if accepted_at < hours[1] else "after close"
    span = [day + dt.timedelta(days=k) for k in range(-14, 15)]  # two weeks holds a session either side
    closed = calendars.closed_days(exchange, span)
    sessions = [d for d in span if d not in closed]
    if day in closed:
        timing = "before open"
        session = next(d for d in sessions if d > day)
    elif timing == "after close":
        session = next(d for d in sessions if d > day)
    else:
        session = day
    prior = max(d for d in sessions if d < session)
    return ReleaseSession(timing, session, prior)
