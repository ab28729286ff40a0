"""What each section computes: the `data` of the JSON envelope and the input of the tables.

Field names here are a public contract (scripts read them with jq): percentages are
`*_pct` in percent, money is `*_usd`, dates are ISO 8601, a gap is null.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from marketshock.models.series import Source


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class DatedRow(_Result):
    """A row whose figure is of one day, and how fresh that day is on the as-of date
    (`sections/freshness.py` fills both for every section). `stale` (on a source) is another
    matter: a cached value served after a failed refresh."""

    age_days: int | None = None  # calendar days from `date` to the as-of date; null: no date
    # Older than its cadence allows: an exchange close more than 4 days, a crypto close more
    # than 1, weekly claims more than 13, a monthly figure more than 45 after its release,
    # a curated event or quote more than 14. Never a headline.
    out_of_date: bool = False


# --- crypto -----------------------------------------------------------------


class CryptoAsset(DatedRow):
    symbol: str
    name: str
    date: dt.date  # the day the figures describe (the last day on or before as-of)
    price: float  # close of that day
    low: float | None  # null: the provider sent that day's bar without a low (a gap in that field)
    high: float | None
    change_1d_pct: float | None
    change_7d_pct: float | None
    change_ytd_pct: float | None
    change_ytd_at_low_pct: float | None
    ytd_base_date: dt.date | None
    ytd_base_close: float | None
    lowest_since: dt.date | None  # most recent earlier day with a lower low; null: lowest in the data
    lowest_since_months: int | None
    lowest_since_low: float | None
    all_time_high: float
    all_time_high_date: dt.date
    drawdown_pct: float  # close against the highest close in the data
    streak: int | None  # signed run of up (+) or down (-) days; null: a gap in the run
    # Figures left null because a day they need has no price (each gap is named in `warnings`);
    # a null `lowest_since` listed here is unknown, not "the lowest in the data".
    gap_figures: list[str] = []
    data_starts: dt.date
    recent_closes: list[float]
    source: Source


class MarketCapSummary(DatedRow):
    provider: str
    peak_usd: float
    peak_date: dt.date
    value_usd: float
    value_date: dt.date
    wiped_out_usd: float
    change_pct: float
    sources: list[Source]
    date: dt.date | None = None  # the value's day (value_date)


class EtfFlowMonth(DatedRow):
    month: str
    net_flow_usd: float
    scope: str
    provider: str
    method: str  # "sum of daily flows" or "quoted"
    qualifier: str = ""
    days: int | None = None
    partial: bool = False  # the month was not over on the as-of date
    data_ends: dt.date | None = None  # the daily data stops on this day, before the month (or as-of day) ends
    source: Source
    date: dt.date | None = None  # the last day the month's figure covers


class CryptoResult(_Result):
    assets: list[CryptoAsset]
    market_cap: list[MarketCapSummary]
    etf_flows: list[EtfFlowMonth]


# --- indices ----------------------------------------------------------------


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


class IndicesResult(_Result):
    indices: list[IndexRow]


# --- earnings-capex -----------------------------------------------------------


class CapexCompany(DatedRow):
    ticker: str
    name: str
    report_date: dt.date | None
    reported: bool  # false when the as-of date is before the report
    capex_actual_usd: float | None
    capex_actual_year: int | None
    capex_actual_basis: str
    capex_guidance_low_usd: float | None
    capex_guidance_high_usd: float | None
    guidance_year: int | None
    guidance_text: str
    guidance_growth_pct: float | None  # top of the range over the actual
    reaction_pct: float | None
    reaction_session: str | None
    reaction_date: dt.date | None
    reaction_text: str
    gaps: list[str]
    sources: list[Source]
    # The day of what the row shows: the earnings report while its guidance or reaction is shown
    # (at most 120 days old), else the day the shown actual became public (the 10-K's filing).
    date: dt.date | None = None
    # The reaction from data (live): the latest 8-K with Item 2.02 accepted by the as-of date
    # (SEC submissions API) and the stock's daily closes around it. Each null, with its reason
    # in `gaps` (or, offline, in `reaction_from_data_basis`), when it cannot be computed.
    release_accepted_at: dt.datetime | None = None  # New York time, with its offset
    release_url: str | None = None  # the 8-K's filing index on www.sec.gov
    release_timing: str | None = None  # "before open", "during session" or "after close"
    reaction_from_data_pct: float | None = None  # the session's close against the prior close, percent
    reaction_from_data_session: dt.date | None = None  # the session whose close shows the reaction
    reaction_from_data_prior_session: dt.date | None = None  # the close it is measured against
    reaction_zscore: float | None = None  # against the stock's own daily returns, as `shock` computes it
    reaction_zscore_observations: int | None = None  # returns in the z-score's 365-day window
    after_hours_pct: float | None = None  # after an after-close release: last post-market price against the close
    reaction_from_data_basis: str = ""  # how it was computed, or why it was not


class CapexResult(_Result):
    companies: list[CapexCompany]


# --- labor ------------------------------------------------------------------


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


class LaborResult(_Result):
    job_cuts: JobCuts | None
    claims: ClaimsWeek | None  # as known on the as-of date: the first print where known, else the vintage named
    claims_first_print: ClaimsWeek | None
    recent_initial_claims: list[int]
    # The later vintage of the same week, shown beside a first print and labelled as later.
    claims_later_revision: ClaimsWeek | None = None


# --- report -----------------------------------------------------------------


class Headline(_Result):
    section: str
    text: str
    why: str = ""  # what makes it unusual, in plain words (or why it cannot be ranked)
    zscore: float | None = None  # the day's move behind the headline, where one exists
    rank_sigma: float | None = None  # the ordering key: |z-score|, else the superlative's rank-equivalent
    rank_basis: str = ""  # how rank_sigma was found, in words; empty: not ranked


class ReportResult(_Result):
    headlines: list[Headline]
    indices: IndicesResult | None = None
    earnings_capex: CapexResult | None = Field(default=None, serialization_alias="earnings-capex")
    labor: LaborResult | None = None
    crypto: CryptoResult | None = None
    shock: ShockResult | None = None


# --- shock ------------------------------------------------------------------


class FollowedOutcome(_Result):
    """The change from an earlier episode's close over the next N sessions, across the episodes."""

    n: int  # episodes whose N-session window ended by the as-of day, with no gap in it
    median_pct: float
    min_pct: float
    max_pct: float
    up_share: float  # fraction of those episodes that ended higher, 0..1


class Followed(_Result):
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


class ShockWindow(_Result):
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


class ShockResult(_Result):
    moves: list[MoveStats]  # ranked: largest |z-score| first, then series with none
    window: ShockWindow | None
    window_changes: list[WindowChange]  # ranked from the largest fall to the largest rise
    correlations: list[PairCorrelation]
    method: list[str]  # the conventions, in words


class CompareShock(_Result):
    """One shock compared: the current one (the as-of date) or a named past one."""

    name: str
    date: dt.date
    current: bool
    note: str = ""
    source: str = ""
    vix_peak: float | None  # the highest VIX close in the shock's window (the SPY rows' window), null without VIX


class CompareRow(_Result):
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


class CompareResult(_Result):
    as_of: dt.date
    shocks: list[CompareShock]  # the current shock first
    rows: list[
        CompareRow
    ]  # by shock, then series in universe order; only series with data at the current shock and that one
    method: list[str]
