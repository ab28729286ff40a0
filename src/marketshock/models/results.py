"""What each section computes: the `data` of the JSON envelope and the input of the tables.

Field names here are a public contract (scripts read them with jq): percentages are
`*_pct` in percent, money is `*_usd`, dates are ISO 8601, a gap is null.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from marketshock.models.series import Source


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- crypto -----------------------------------------------------------------


class CryptoAsset(_Result):
    symbol: str
    name: str
    date: dt.date  # the day the figures describe (the last day on or before as-of)
    price: float  # close of that day
    low: float
    high: float
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
    streak: int  # signed run of up (+) or down (-) days
    data_starts: dt.date
    recent_closes: list[float]
    source: Source


class MarketCapSummary(_Result):
    provider: str
    peak_usd: float
    peak_date: dt.date
    value_usd: float
    value_date: dt.date
    wiped_out_usd: float
    change_pct: float
    sources: list[Source]


class EtfFlowMonth(_Result):
    month: str
    net_flow_usd: float
    scope: str
    provider: str
    method: str  # "sum of daily flows" or "quoted"
    qualifier: str = ""
    days: int | None = None
    partial: bool = False  # the month was not over on the as-of date
    source: Source


class CryptoResult(_Result):
    assets: list[CryptoAsset]
    market_cap: list[MarketCapSummary]
    etf_flows: list[EtfFlowMonth]


# --- indices ----------------------------------------------------------------


class IndexRow(_Result):
    symbol: str
    name: str
    kind: str  # "index", "index (moves only)", "ETF proxy"
    proxy_for: str | None = None
    date: dt.date | None
    last: float | None
    change_1d_pct: float | None
    change_5d_pct: float | None
    streak: int  # signed: -2 is the second day of decline
    streak_complete: bool = True  # false when a gap in the data cut the count short
    notes: list[str] = []
    recent_closes: list[float] = []
    unavailable: str | None = None  # why there is no figure, when there is none
    source: Source


class IndicesResult(_Result):
    indices: list[IndexRow]


# --- earnings-capex -----------------------------------------------------------


class CapexCompany(_Result):
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


class CapexResult(_Result):
    companies: list[CapexCompany]


# --- labor ------------------------------------------------------------------


class JobCuts(_Result):
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


class ClaimsWeek(_Result):
    week_ending: dt.date
    initial: int
    change: int | None
    four_week_avg: float | None
    continuing: int | None
    continuing_week_ending: dt.date | None
    released: dt.date
    vintage: str
    source: Source


class LaborResult(_Result):
    job_cuts: JobCuts | None
    claims: ClaimsWeek | None
    claims_first_print: ClaimsWeek | None
    recent_initial_claims: list[int]


# --- report -----------------------------------------------------------------


class Headline(_Result):
    section: str
    text: str


class ReportResult(_Result):
    headlines: list[Headline]
    indices: IndicesResult | None = None
    earnings_capex: CapexResult | None = Field(default=None, serialization_alias="earnings-capex")
    labor: LaborResult | None = None
    crypto: CryptoResult | None = None
