"""Exchange trading calendars: which days an exchange had no session (a holiday is no session,
not a gap in the data).

Backed by exchange_calendars (maintained per exchange, holidays and special closures included;
the `calendars` extra, as it brings pandas), imported only when a series has a day to judge: a
row without a close or a placeholder bar on a weekday. Without it, weekends only: a doubtful
weekday stays a gap, so a figure over it is blank rather than bridged. The common case, a
series with neither, never pays its import (about 0.7 s with pandas) or a calendar's
construction (0.35 s for XNYS, 7 s for XKRX, whose lunar holidays are computed when the
calendar is built).
"""

from __future__ import annotations

import datetime as dt
import functools
import warnings
from collections.abc import Iterable

WEEKEND = (5, 6)


def closed_days(exchange: str | None, days: Iterable[dt.date]) -> set[dt.date]:
    """The days among `days` on which `exchange` (an ISO 10383 MIC such as XNYS or XKRX) held
    no session. Without a known exchange, or outside the calendar's range, weekends only."""
    days = set(days)
    weekdays = {d for d in days if d.weekday() not in WEEKEND}
    closed = days - weekdays
    if not weekdays or exchange is None:
        return closed
    sessions = _sessions(exchange, min(weekdays), max(weekdays))
    if sessions is None:
        return closed
    return closed | (weekdays - sessions)


@functools.cache
def _sessions(exchange: str, first: dt.date, last: dt.date) -> frozenset[dt.date] | None:
    try:
        import exchange_calendars as xcals  # type: ignore[import-untyped]  # heavy (pandas): only when needed
    except ImportError:
        return None  # the `calendars` extra is not installed: weekends only

    margin = dt.timedelta(days=14)  # the calendar's own bounds must be sessions: ask for a wider range
    with warnings.catch_warnings():  # the library's pandas deprecation notices are not the user's concern
        warnings.simplefilter("ignore")
        try:
            calendar = xcals.get_calendar(exchange, start=(first - margin).isoformat(), end=(last + margin).isoformat())
        except (xcals.errors.CalendarError, ValueError):
            return None  # an unknown exchange or a range the calendar does not cover: weekends only
        sessions = [ts.date() for ts in calendar.sessions]
    return frozenset(d for d in sessions if first <= d <= last)


def session_hours(exchange: str, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
    """The open and close of `exchange`'s session on `day`, aware (UTC), as the exchange
    calendar has them: early closes included (XNYS closes at 13:00 New York time the day after
    Thanksgiving and on Christmas Eve). None when `day` held no session, the calendar does not
    cover it, or the `calendars` extra is not installed."""
    return _hours(exchange, day - dt.timedelta(days=14), day + dt.timedelta(days=14)).get(day)


@functools.cache
def _hours(exchange: str, first: dt.date, last: dt.date) -> dict[dt.date, tuple[dt.datetime, dt.datetime]]:
    try:
        import exchange_calendars as xcals  # heavy (pandas): only when needed
    except ImportError:
        return {}  # the `calendars` extra is not installed: the caller keeps its regular hours
    with warnings.catch_warnings():  # the library's pandas deprecation notices are not the user's concern
        warnings.simplefilter("ignore")
        try:
            calendar = xcals.get_calendar(exchange, start=first.isoformat(), end=last.isoformat())
        except (xcals.errors.CalendarError, ValueError):
            return {}
        schedule = calendar.schedule
        return {
            day.date(): (opens.to_pydatetime(), closes.to_pydatetime())
            for day, opens, closes in zip(schedule.index, schedule["open"], schedule["close"], strict=True)
        }
