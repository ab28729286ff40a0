"""The `shock` section: how unusual each move is, the window's changes, correlations."""

from __future__ import annotations

import datetime as dt

from marketshock.models.results import DatedRow, Result
from marketshock.models.series import Source


class FollowedOutcome(Result):
    """The change from an earlier episode's close over the next N sessions, across the episodes."""

    n: int  # episodes whose N-session window ended by the as-of day, with no gap in it
    median_pct: float
    min_pct: float
    max_pct: float
    up_share: float  # fraction of those episodes that ended higher, 0..1


class Followed(Result):
    """What followed the earlier days with a one-day move at least as large, the same way
    (episodes within 5 sessions of each other count once; no window past the as-of day).
    A horizon is null under 3 episodes; `reason` says why."""

    episodes: list[dt.date]
    h5: FollowedOutcome | None
    h21: FollowedOutcome | None
    h63: FollowedOutcome | None
    reason: str = ""


class MoveStats(DatedRow):
    """How unusual one series' latest move is (conventions in `ShockResult.method`)."""

    symbol: str
    name: str
    kind: str  # "crypto", "ETF proxy", "index", "index (curated closes)", "index (moves only)"
    proxy_for: str | None = None
    date: dt.date | None  # the day of the move: the last row on or before as-of
    close: float | None
    change_pct: float | None  # the day's simple change
    zscore: float | None  # the day's log return against the trailing 365 days; null below 60 observations
    zscore_observations: int  # returns in that window
    largest_fall_since: dt.date | None  # most recent earlier day with a larger fall (null: not a fall, or none)
    largest_rise_since: dt.date | None
    largest_in_data: bool  # no earlier day in the data moved more in this direction
    rank_text: str  # e.g. "largest one-day fall since 2022-11-09"
    change_7d_pct: float | None
    worst_week_since: dt.date | None
    best_week_since: dt.date | None
    week_largest_in_data: bool
    week_rank_text: str
    vol_30d_annualized_pct: float | None
    vol_30d_observations: int
    vol_annualization: str  # "sqrt(365)" or "sqrt(252)"
    vol_percentile: float | None  # percent of the series' own 30-day volatilities at or below this one
    vol_history_starts: dt.date | None
    data_starts: dt.date | None
    observations: int  # rows in the data up to as-of
    note: str = ""  # why a figure is missing
    source: Source
    followed: Followed | None = None  # daily series only: what followed earlier moves this large


class ShockWindow(Result):
    sessions: int
    start: dt.date  # the close the changes are measured from
    end: dt.date  # the last session on or before as-of
    calendar: str  # which dates count as sessions


class WindowChange(DatedRow):
    rank: int  # 1: the largest fall
    symbol: str
    name: str
    proxy_for: str | None = None
    start_date: dt.date
    start_close: float
    end_date: dt.date
    end_close: float
    change_pct: float
    date: dt.date | None = None  # the day of the change's last close: `end_date`


class PairCorrelation(DatedRow):
    a: str
    b: str
    window_days: int
    end: dt.date  # the window's last day: the as-of date
    correlation: float | None  # null below the minimum of common returns
    observations: int
    prior_end: dt.date | None  # the same correlation at the start of the shock window
    prior_correlation: float | None
    prior_observations: int
    # The day of the latest common return on or before `end`: how fresh the correlation is
    # (null: no common return). A window of old data still has an `end` of the as-of date.
    date: dt.date | None = None


class ShockResult(Result):
    moves: list[MoveStats]  # ranked: largest |z-score| first, then series with none
    window: ShockWindow | None
    window_changes: list[WindowChange]  # ranked from the largest fall to the largest rise
    correlations: list[PairCorrelation]
    method: list[str]  # the conventions, in words
