"""`crypto`: prices, changes, "lowest since", drawdown, market value and ETF flows."""

from __future__ import annotations

import asyncio
import calendar
import datetime as dt

from marketshock import analytics
from marketshock.context import RunContext
from marketshock.errors import NotCovered, ProviderError, UnknownSymbolError
from marketshock.models.results.crypto import CryptoAsset, CryptoResult, EtfFlowMonth, MarketCapSummary
from marketshock.models.series import DailyFlows, MarketCapPoint, PriceSeries, QuotedMonthlyFlow
from marketshock.notes import not_covered, note, warn
from marketshock.sections.gaps import gap_warnings
from marketshock.sections.universe import each_symbol

SPARK_DAYS = 30
FLOW_MONTHS = 4  # months of summed daily ETF flows to show, per scope


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def asset_figures(series: PriceSeries, ctx: RunContext, section: str = "crypto") -> CryptoAsset:
    """Every figure of one asset, from its bars up to the as-of day. A figure that needs a day
    without a price (a gap) is null, and the gap is named in the envelope's `warnings`."""
    whole = series.dates
    series = series.up_to(ctx.as_of)
    bars, gaps = series.bars, series.gaps
    if not bars:
        data_first = whole[0] if whole else None
        data_last = whole[-1] if whole else None
        starts = f" (the data starts {data_first})" if data_first else ""
        raise NotCovered(
            series.source.provider,
            f"{series.symbol} price history",
            f"no {series.symbol} closes on or before {ctx.as_of} in the data{starts}",
            symbol=series.symbol,
            first=data_first,
            last=data_last,
        )
    last = bars[-1]
    closes, dates = series.closes, series.dates
    log = analytics.GapLog()
    ytd = analytics.year_to_date(bars, gaps, log.to("change_ytd_pct"))
    found = analytics.lowest_since(bars, gaps, log.to("lowest_since"))
    low = found if isinstance(found, analytics.LowestSince) else None
    high = analytics.drawdown_from_high(dates, closes)
    assert high is not None  # bars is not empty
    change_1d = analytics.change_over_days(bars, 1, gaps, log.to("change_1d_pct"))
    change_7d = analytics.change_over_days(bars, 7, gaps, log.to("change_7d_pct"))
    streak = analytics.streak_over(dates[-60:], closes[-60:], gaps, log.to("streak"))
    for warning in gap_warnings(section, series, log, ctx.as_of):
        warn(warning)
    return CryptoAsset(
        symbol=series.symbol,
        name=series.name,
        date=last.date,
        price=round(last.close, 2),
        low=_round(last.low),
        high=_round(last.high),
        change_1d_pct=_round(change_1d),
        change_7d_pct=_round(change_7d),
        change_ytd_pct=_round(ytd.change_pct) if ytd else None,
        change_ytd_at_low_pct=_round(ytd.change_at_low_pct) if ytd else None,
        ytd_base_date=ytd.base_date if ytd else None,
        ytd_base_close=_round(ytd.base_close) if ytd else None,
        lowest_since=low.date if low else None,
        lowest_since_months=low.months if low else None,
        lowest_since_low=_round(low.low) if low else None,
        all_time_high=round(high.peak, 2),
        all_time_high_date=high.peak_date,
        drawdown_pct=round(high.drawdown_pct, 2),
        streak=streak,
        gap_figures=log.figures,
        data_starts=dates[0],
        recent_closes=[round(c, 2) for c in closes[-SPARK_DAYS:]],
        source=series.source,
    )


def market_cap_summaries(points: list[MarketCapPoint], ctx: RunContext) -> list[MarketCapSummary]:
    """Per provider: the peak known on the as-of date, the latest later value, and the loss."""
    summaries = []
    for provider in dict.fromkeys(p.provider for p in points):
        known = [p for p in points if p.provider == provider and p.date <= ctx.as_of]
        peaks = [p for p in known if p.kind == "peak"]
        if not peaks:
            continue
        peak = max(peaks, key=lambda p: p.value_usd)
        later = [p for p in known if p.kind == "point" and p.date > peak.date]
        if not later:
            continue
        value = max(later, key=lambda p: p.date)
        lost = analytics.wiped_out(peak.value_usd, value.value_usd)
        summaries.append(
            MarketCapSummary(
                provider=provider,
                peak_usd=peak.value_usd,
                peak_date=peak.date,
                value_usd=value.value_usd,
                value_date=value.date,
                wiped_out_usd=lost.amount,
                change_pct=round(lost.change_pct, 2),
                sources=list(dict.fromkeys([peak.source, value.source])),
            )
        )
    return summaries


def _last_weekday_on_or_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=max(0, day.weekday() - 4))


def etf_flow_months(daily: list[DailyFlows], quoted: list[QuotedMonthlyFlow], ctx: RunContext) -> list[EtfFlowMonth]:
    """Monthly sums of daily flows (last few months of each scope) and quoted month totals,
    each with its source; where two disagree both are shown, none is picked."""
    as_of = ctx.as_of
    month_of_as_of = f"{as_of.year:04d}-{as_of.month:02d}"
    month_is_over = as_of.day == calendar.monthrange(as_of.year, as_of.month)[1]
    months: list[EtfFlowMonth] = []
    for scope in daily:
        known = [(day, flow) for day, flow in zip(scope.dates, scope.net_flows_usd, strict=True) if day <= as_of]
        sums = analytics.monthly_sums(known)
        data_end = max((day for day, _ in known), default=as_of)
        for m in sums[-FLOW_MONTHS:]:
            year, month = int(m.month[:4]), int(m.month[5:])
            month_end = dt.date(year, month, calendar.monthrange(year, month)[1])
            # A month whose data stops before its last weekday (or the as-of day) is not its
            # total: say where the data stops. (A holiday on that weekday flags it needlessly.)
            stops_early = data_end < _last_weekday_on_or_before(min(month_end, as_of))
            months.append(
                EtfFlowMonth(
                    month=m.month,
                    net_flow_usd=round(m.total, 0),
                    scope=scope.scope,
                    provider=scope.source.provider,
                    method="sum of daily flows",
                    days=m.days,
                    partial=m.month == month_of_as_of and not month_is_over,
                    data_ends=data_end if stops_early else None,
                    source=scope.source,
                )
            )
    for q in quoted:
        if q.known_from <= as_of:
            months.append(
                EtfFlowMonth(
                    month=q.month,
                    net_flow_usd=q.net_flow_usd,
                    scope=q.scope,
                    provider=q.source.provider,
                    method="quoted",
                    qualifier=q.qualifier,
                    source=q.source,
                )
            )
    return sorted(months, key=lambda m: (m.month, m.method != "sum of daily flows", m.scope, m.provider))


async def build(ctx: RunContext) -> CryptoResult:
    """Every asset of the universe's `crypto` group. Prices are the section; market value and
    ETF flows are extras whose failure is filed as a note while the prices still show."""
    symbols = ctx.universe.symbols("crypto")
    data = ctx.data
    extras = asyncio.gather(
        data.market_cap_points(), data.etf_daily_flows(), data.etf_quoted_flows(), return_exceptions=True
    )
    answered, (points, daily, quoted) = await asyncio.gather(each_symbol(ctx, symbols, data.price_history), extras)
    series = [one for _, one in answered]
    for one in series:
        if one.calendar != "utc-days":  # crypto trades every UTC day; the rest are `indices`
            raise UnknownSymbolError(
                one.source.provider, "crypto", f"{one.symbol!r} is not a crypto asset (see `marketshock indices`)"
            )
    market_cap, etf_flows = [], []
    for part in (points, daily, quoted):
        if isinstance(part, ProviderError):
            note(part)
        elif isinstance(part, BaseException):
            raise part
    if not isinstance(points, BaseException):
        market_cap = market_cap_summaries(points, ctx)
    if not isinstance(daily, BaseException) and not isinstance(quoted, BaseException):
        etf_flows = etf_flow_months(daily, quoted, ctx)
    assets: list[CryptoAsset] = []
    uncovered: list[NotCovered] = []
    for one in series:
        try:
            assets.append(asset_figures(one, ctx))
        except NotCovered as error:  # BTC in 2008: what the data covers, listed in `coverage`
            uncovered.append(error)
            not_covered(error)
    if uncovered and not assets:
        raise uncovered[0]
    return CryptoResult(
        assets=assets,
        market_cap=market_cap,
        etf_flows=etf_flows,
    )
