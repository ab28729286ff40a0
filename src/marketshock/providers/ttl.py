"""How long a cached answer stays good: the cache-age policy, by when the data can change.

Quotes move by the minute; a series whose last bar is today's is still moving; closed days
change only at the next close; weekly claims at the next Thursday release; SEC facts when a
filing lands; the SEC's ticker map rarely. Every figure here is seconds.
"""

from __future__ import annotations

import datetime as dt

QUOTES_TTL = 5 * 60.0
RUNNING_DAY_TTL = 10 * 60.0  # a series whose last bar is today's, still moving
FILINGS_TTL = 24 * 3600.0
TICKER_MAP_TTL = 7 * 24 * 3600.0
US_CLOSE_UTC = dt.time(21, 15)  # after the New York close in both EST and EDT
CLAIMS_RELEASE_UTC = dt.time(13, 45)  # Thursdays 8:30 ET, in both EST and EDT, plus a margin
MIN_TTL = 3600.0


def until_next(now: dt.datetime, at: dt.time, weekday: int | None = None) -> float:
    """Seconds from `now` to the next `at` (UTC), on `weekday` if given (Monday = 0); at least an hour."""
    candidate = dt.datetime.combine(now.date(), at, tzinfo=dt.UTC)
    while candidate <= now or (weekday is not None and candidate.weekday() != weekday):
        candidate += dt.timedelta(days=1)
    return max(MIN_TTL, (candidate - now).total_seconds())


def daily_ttl(as_of: dt.date, now: dt.datetime) -> float:
    """Daily closes stay good until the next close; today's running bar only for minutes."""
    if as_of >= now.date():
        return RUNNING_DAY_TTL
    return until_next(now, US_CLOSE_UTC)


def claims_ttl(now: dt.datetime) -> float:
    """Claims stay good until the next Thursday release."""
    return until_next(now, CLAIMS_RELEASE_UTC, weekday=3)
