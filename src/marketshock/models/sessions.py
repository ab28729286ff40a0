"""Curated index data: closes with their stated day changes (`IndexSessions`) and reported day
moves of an index whose levels are not available (`IndexMoves`). Their own module, so a run
that reads none (`crypto`) creates none of their models."""

from __future__ import annotations

import datetime as dt

from marketshock.models.series import Frozen, Source


class IndexSession(Frozen):
    """A curated index close. `change_pct` is the source's stated day change, which
    stays right when the rows skip sessions (a difference of two rows would not)."""

    date: dt.date
    close: float | None
    change_pct: float | None
    intraday_low: float | None = None
    market_measure: str = ""  # e.g. a sidecar or circuit-breaker event, as reported
    source: Source


class IndexSessions(Frozen):
    symbol: str
    name: str
    sessions: tuple[IndexSession, ...]
    gaps: tuple[dt.date, ...] = ()  # sessions without a close (live bars): no day change is stated across one
    # Spans with no sessions at all in the data (first and last missing day), where two sources are
    # joined (a long daily history, then curated closes): no close inside one, no change across one.
    breaks: tuple[tuple[dt.date, dt.date], ...] = ()

    def break_at(self, day: dt.date) -> tuple[dt.date, dt.date] | None:
        """The span with no sessions that holds `day`, if any."""
        return next((b for b in self.breaks if b[0] <= day <= b[1]), None)

    def segment(self, as_of: dt.date) -> list[IndexSession]:
        """The sessions up to `as_of` since the last span with no sessions before it: the part of
        the data an as-of date reads as one series."""
        after = max((b[1] for b in self.breaks if b[1] < as_of), default=None)
        return [s for s in self.sessions if s.date <= as_of and (after is None or s.date > after)]


class IndexMove(Frozen):
    """A reported day move of an index whose levels are not available."""

    date: dt.date
    change_pct: float
    measured_at: str
    source: Source


class IndexMoves(Frozen):
    symbol: str
    name: str
    moves: tuple[IndexMove, ...]
