"""The `compare` command: the current shock beside past ones."""

from __future__ import annotations

import datetime as dt

from marketshock.models.results import Result


class CompareShock(Result):
    """One shock compared: the current one (the as-of date) or a named past one."""

    name: str
    date: dt.date
    current: bool
    note: str = ""
    source: str = ""
    vix_peak: float | None  # the highest VIX close in the shock's window (the SPY rows' window), null without VIX


class CompareRow(Result):
    """One series in one shock's episode (move_stats.shock_episode)."""

    shock: str
    shock_date: dt.date
    current: bool
    symbol: str
    name: str
    peak_date: dt.date
    peak_close: float
    trough_date: dt.date
    trough_close: float
    fall_pct: float
    sessions_to_trough: int
    regained_date: dt.date | None  # null: not yet regained by as-of
    sessions_to_regain: int | None
    largest_move_pct: float | None
    largest_move_date: dt.date | None
    vix_peak: float | None


class CompareResult(Result):
    as_of: dt.date
    shocks: list[CompareShock]  # the current shock first
    rows: list[
        CompareRow
    ]  # by shock, then series in universe order; only series with data at the current shock and that one
    method: list[str]
