"""Fetchers: one a provider and dataset, each the three steps of an adapter in order.

A fetcher turns a typed query into the provider's request (the adapter module's
`*_request`), gets the answer through the shared HTTP layer, and parses it into models (the
adapter's `parse_*`), returning a `Fetched` that says when the answer arrived and whether it
came from a stale cache read. `mode` is the fallback chain's (providers/chain.py): a fetcher
never decides on its own to serve a stale value.

`HISTORY` maps each price-history provider to its fetcher, so which provider serves an
instrument is configuration (`datasets.*_history`) and the instrument table (each
provider's own symbol), not code.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from marketshock import instruments
from marketshock.errors import BadResponse, HttpStatusError, NoDataError, first_reason
from marketshock.instruments import Instrument
from marketshock.models.series import Bar, Columns, MarketCapPoint, PriceSeries, Source
from marketshock.providers import chain, coinbase, coingecko, sec, stooq, yahoo
from marketshock.providers.http import Fetched, Http, utc_now
from marketshock.providers.ttl import FILINGS_TTL, QUOTES_TTL, TICKER_MAP_TTL, daily_ttl

T = TypeVar("T")

PROVIDER_NAMES = {
    "yahoo": "Yahoo Finance",
    "coinbase": "Coinbase Exchange",
    "coingecko": "CoinGecko",
    "fred": "FRED",
    "sec": "SEC EDGAR",
    "stooq": "Stooq",
    "curated": "curated",
}
# Full crypto history is needed: the all-time high and "lowest since" look back years.
COINBASE_FIRST_DAY = dt.date(2015, 7, 20)  # BTC-USD's first day on the exchange
# Whole histories, as the bundled series have: "largest fall since", volatility percentiles and
# all-time highs look back as far as the data goes. The cache makes it a once-a-day cost.
HISTORY_START = dt.date(1900, 1, 1)


@dataclass(frozen=True)
class Query:
    """What every fetcher needs of the run: the client, each provider's base URL (and the
    second hosts of FRED and SEC as `fred-2`, `sec-2`), and the as-of date: no bar after it."""

    http: Http
    urls: dict[str, str]
    as_of: dt.date


async def gather_all(*pending: Awaitable[T]) -> list[T]:
    """Like asyncio.gather, but every request finishes before the first error is raised: no
    request is left running when a run ends (httpx warns about abandoned connections)."""
    results = await asyncio.gather(*pending, return_exceptions=True)
    values: list[T] = []
    for result in results:
        if isinstance(result, BaseException):
            raise result
        values.append(result)
    return values


def price_series(
    inst: Instrument,
    bars: tuple[Bar, ...],
    provider: str,
    reference: str,
    name: str | None = None,
    gaps: tuple[dt.date, ...] = (),
) -> PriceSeries:
    """A price history of `inst` as one provider served it (a stock keeps the provider's name
    for it: the table has no row to name it). `gaps`: the days the provider sent without a close;
    the series' normalisation judges them against the instrument's trading calendar."""
    crypto = inst.series_calendar == instruments.UTC_DAYS
    try:
        return PriceSeries(
            symbol=inst.symbol,
            name=name if inst.kind == "stock" and name else inst.name,
            calendar=inst.series_calendar,
            **Columns.of_bars(bars)._asdict(),
            gaps=gaps,
            exchange=None if crypto else inst.calendar,  # its trading calendar (an ISO 10383 MIC)
            proxy_for=inst.proxy_for,
            source=Source(
                provider=PROVIDER_NAMES[provider],
                reference=reference,
                note="UTC calendar days" if crypto else "exchange sessions, prices as quoted (not adjusted)",
            ),
        )
    except (ValueError, ArithmeticError) as error:  # pydantic's ValidationError is a ValueError
        # What the series' own checks refuse (a value no price can be) is this provider's answer
        # not fitting: a bad response, so the chain falls back to the next provider.
        detail = first_reason(error)
        raise BadResponse(provider, f"{inst.symbol} price history", f"the series does not fit ({detail})") from None


# --- price history ----------------------------------------------------------------------------


async def yahoo_history(q: Query, inst: Instrument, mode: chain.Mode) -> Fetched[PriceSeries]:
    """Yahoo's chart API, daily bars, the whole history to the as-of date."""
    dataset = f"{inst.symbol} price history"
    symbol = inst.yahoo
    assert symbol  # the chain asks only providers that have a symbol for it
    query = yahoo.ChartQuery(symbol, None, q.as_of)
    spec = yahoo.chart_request(query, q.urls["yahoo"], dataset=dataset, ttl=daily_ttl(q.as_of, utc_now()))
    try:
        fetched = await q.http.fetch(spec, lambda t: yahoo.parse_daily(t, symbol=symbol, dataset=dataset), stale=mode)
    except HttpStatusError as error:
        raise yahoo.chart_error(error, symbol) or error from None
    daily = fetched.value
    series = price_series(inst, daily.bars, "yahoo", f"{spec.url} (interval 1d)", daily.name, daily.gaps)
    return Fetched(series, fetched.fetched_at, fetched.stale)


async def coinbase_history(q: Query, inst: Instrument, mode: chain.Mode) -> Fetched[PriceSeries]:
    """Coinbase Exchange daily candles, 300 a request: every page since the product's first day."""
    dataset = f"{inst.symbol} price history"
    assert inst.coinbase  # the chain asks only providers that have a symbol for it
    specs = coinbase.candle_requests(
        inst.coinbase,
        COINBASE_FIRST_DAY,
        q.as_of,
        q.urls["coinbase"],
        dataset=dataset,
        ttl=daily_ttl(q.as_of, utc_now()),
    )
    # Pages wholly in the past never change: only the last one follows the daily TTL.
    pages = await gather_all(
        *(q.http.fetch(s, lambda t: coinbase.parse_candles(t, dataset=dataset), stale=mode) for s in specs)
    )
    bars = coinbase.merge_pages([p.value for p in pages])
    if not bars:
        raise NoDataError("coinbase", dataset, f"no candles for {inst.coinbase}")
    oldest = min(pages, key=lambda p: p.fetched_at)
    series = price_series(inst, bars, "coinbase", f"{specs[0].url} (granularity 86400)")
    return Fetched(series, oldest.fetched_at, any(p.stale for p in pages))


async def stooq_history(q: Query, inst: Instrument, mode: chain.Mode) -> Fetched[PriceSeries]:
    """Stooq's daily CSV, the whole history to the as-of date."""
    dataset = f"{inst.symbol} price history"
    assert inst.stooq  # the chain asks only providers that have a symbol for it
    spec = stooq.daily_request(
        inst.stooq, HISTORY_START, q.as_of, q.urls["stooq"], dataset=dataset, ttl=daily_ttl(q.as_of, utc_now())
    )
    fetched = await q.http.fetch(spec, lambda t: stooq.parse_daily_csv(t, dataset=dataset), stale=mode)
    series = price_series(inst, fetched.value, "stooq", f"{spec.url}?s={inst.stooq}&i=d")
    return Fetched(series, fetched.fetched_at, fetched.stale)


HistoryFetcher = Callable[[Query, Instrument, chain.Mode], Awaitable[Fetched[PriceSeries]]]
HISTORY: dict[str, HistoryFetcher] = {"yahoo": yahoo_history, "coinbase": coinbase_history, "stooq": stooq_history}


# --- crypto market value and quotes --------------------------------------------------------------


async def coingecko_market_value(q: Query, mode: chain.Mode) -> Fetched[MarketCapPoint]:
    """CoinGecko `/global`: the total crypto market value now (so only for today's as-of)."""
    spec = coingecko.global_request(q.urls["coingecko"], ttl=QUOTES_TTL)
    fetched = await q.http.fetch(spec, coingecko.parse_global, stale=mode)
    market = fetched.value
    change = f", {market.change_24h_pct:+.2f}% in 24 h" if market.change_24h_pct is not None else ""
    point = MarketCapPoint(
        provider=coingecko.NAME,
        kind="point",
        date=market.updated_at.date(),
        value_usd=market.total_market_cap_usd,
        source=Source(
            provider=coingecko.NAME,
            reference=spec.url,
            note=f"live total market value, updated {market.updated_at:%Y-%m-%d %H:%M} UTC{change}",
        ),
    )
    return Fetched(point, fetched.fetched_at, fetched.stale)


async def coingecko_quotes(q: Query, coin_ids: list[str], mode: chain.Mode) -> Fetched[dict[str, float]]:
    """CoinGecko `/simple/price`: spot USD quotes by coin id (not history: it has no lows)."""
    spec = coingecko.simple_price_request(coin_ids, q.urls["coingecko"], ttl=QUOTES_TTL)
    return await q.http.fetch(spec, lambda t: coingecko.parse_simple_price(t, coin_ids), stale=mode)


async def yahoo_after_hours(q: Query, ticker: str, day: dt.date, mode: chain.Mode) -> Fetched[yahoo.SessionPrices]:
    """A stock's regular close on `day` and its post-market prices (Yahoo, 5-minute bars)."""
    query = yahoo.ChartQuery(ticker.upper(), day, day, interval="5m", include_prepost=True)
    dataset = f"{ticker.upper()} after-hours prices"
    spec = yahoo.chart_request(query, q.urls["yahoo"], dataset=dataset, ttl=daily_ttl(day, utc_now()))
    return await q.http.fetch(
        spec, lambda t: yahoo.parse_sessions(t, symbol=ticker.upper(), dataset=dataset, day=day), stale=mode
    )


# --- SEC ------------------------------------------------------------------------------------------


async def sec_tickers(q: Query, user_agent: str | None, mode: chain.Mode) -> Fetched[dict[str, sec.Company]]:
    """The SEC's ticker map (company_tickers.json): ticker -> CIK and name."""
    spec = sec.tickers_request(q.urls["sec-2"], user_agent, ttl=TICKER_MAP_TTL)
    return await q.http.fetch(spec, sec.parse_tickers, stale=mode)


async def sec_capex_facts(
    q: Query, company: sec.Company, concept: str, user_agent: str | None, mode: chain.Mode
) -> Fetched[list[sec.CapexFact]]:
    """Every annual fact of one capex concept (XBRL company-concept API) for a company."""
    spec = sec.concept_request(company.cik, concept, q.urls["sec"], user_agent, ttl=FILINGS_TTL)
    dataset = f"{company.ticker} capex"

    def parse(text: str) -> list[sec.CapexFact]:
        return sec.annual_facts(text, concept, dataset=dataset)

    return await q.http.fetch(spec, parse, stale=mode)


async def sec_earnings_releases(
    q: Query, company: sec.Company, user_agent: str | None, mode: chain.Mode
) -> Fetched[sec.Releases]:
    """Every 8-K with Item 2.02 in a company's recent filings (the submissions API), oldest first."""
    spec = sec.submissions_request(company.cik, q.urls["sec"], user_agent, ttl=FILINGS_TTL)
    dataset = f"{company.ticker} earnings releases"

    def parse(text: str) -> sec.Releases:
        return sec.parse_submissions(text, cik=company.cik, dataset=dataset)

    return await q.http.fetch(spec, parse, stale=mode)


def freshness(answers: list[Fetched[Any]]) -> Fetched[None]:
    """How fresh a figure built from several answers is: the oldest fetch, stale if any was."""
    return Fetched(None, min(a.fetched_at for a in answers), stale=any(a.stale for a in answers))
