"""The `crypto` section: prices, changes, drawdown, market value and ETF flows."""

from __future__ import annotations

import datetime as dt

from marketshock.models.results import DatedRow, Result
from marketshock.models.series import Source


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


class CryptoResult(Result):
    assets: list[CryptoAsset]
    market_cap: list[MarketCapSummary]
    etf_flows: list[EtfFlowMonth]
