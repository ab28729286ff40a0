"""Contract tests against the real public endpoints: do their shapes still fit our parsers?

Opt in with `python -m pytest -m live` when a network exists (the default run deselects them).
Each asks for little, once, with marketshock's User-Agent. The SEC test needs
MARKETSHOCK_SEC_USER_AGENT; the FRED JSON test needs MARKETSHOCK_FRED_API_KEY.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os

import pytest

from marketshock.providers import coinbase, coingecko, fred, sec, stooq, yahoo
from marketshock.providers.http import Http, RequestSpec

pytestmark = pytest.mark.live

TODAY = dt.datetime.now(dt.UTC).date()
WEEK_AGO = TODAY - dt.timedelta(days=7)


def fetch(spec: RequestSpec, parse):
    async def go():
        http = Http(timeout=20, retries=2)
        try:
            return (await http.fetch(spec, parse)).value
        finally:
            await http.aclose()

    return asyncio.run(go())


@pytest.mark.parametrize("symbol", ["BTC-USD", "^KS11", "AAXJ", "SPY"])
def test_yahoo_chart_daily_bars(symbol):
    spec = yahoo.chart_request(
        yahoo.ChartQuery(symbol, TODAY - dt.timedelta(days=30), TODAY),
        "https://query1.finance.yahoo.com",
        dataset="c",
        ttl=0,
    )
    daily = fetch(spec, lambda t: yahoo.parse_daily(t, symbol=symbol, dataset="c"))
    assert len(daily.bars) >= 10 and daily.bars[-1].date >= WEEK_AGO


def test_coinbase_daily_candles():
    [spec] = coinbase.candle_requests(
        "BTC-USD", TODAY - dt.timedelta(days=20), TODAY, "https://api.exchange.coinbase.com", dataset="c", ttl=0
    )
    bars = fetch(spec, lambda t: coinbase.parse_candles(t, dataset="c"))
    assert len(bars) >= 15 and all(b.low <= b.close <= b.high for b in bars)


def test_coingecko_global_and_simple_price():
    market = fetch(coingecko.global_request("https://api.coingecko.com", ttl=0), coingecko.parse_global)
    assert market.total_market_cap_usd > 1e11 and market.updated_at.date() >= WEEK_AGO
    prices = fetch(
        coingecko.simple_price_request(["bitcoin", "ethereum"], "https://api.coingecko.com", ttl=0),
        lambda t: coingecko.parse_simple_price(t, ["bitcoin", "ethereum"]),
    )
    assert prices["bitcoin"] > prices["ethereum"] > 0


def test_fred_graph_csv():
    spec = fred.graph_request("ICSA", TODAY - dt.timedelta(days=90), TODAY, "https://fred.stlouisfed.org", ttl=0)
    observations = fetch(spec, lambda t: fred.parse_graph_csv(t, "ICSA"))
    assert len(observations) >= 8


@pytest.mark.skipif(not os.environ.get("MARKETSHOCK_FRED_API_KEY"), reason="needs MARKETSHOCK_FRED_API_KEY")
def test_fred_json_api_vintage():
    key = os.environ["MARKETSHOCK_FRED_API_KEY"]
    spec = fred.api_request(
        "ICSA",
        key,
        dt.date(2025, 11, 1),
        dt.date(2026, 2, 6),
        "https://api.stlouisfed.org",
        vintage=dt.date(2026, 2, 6),
        ttl=0,
    )
    observations = fetch(spec, lambda t: fred.parse_api_json(t, "ICSA"))
    assert observations[-1].week_ending == dt.date(2026, 1, 31)


@pytest.mark.skipif(not os.environ.get("MARKETSHOCK_SEC_USER_AGENT"), reason="needs MARKETSHOCK_SEC_USER_AGENT")
def test_sec_ticker_map_and_amazon_capex():
    ua = os.environ["MARKETSHOCK_SEC_USER_AGENT"]
    companies = fetch(sec.tickers_request("https://www.sec.gov", ua, ttl=0), sec.parse_tickers)
    amzn = sec.company(companies, "AMZN")
    spec = sec.concept_request(amzn.cik, "PaymentsToAcquireProductiveAssets", "https://data.sec.gov", ua, ttl=0)
    facts = fetch(spec, lambda t: sec.annual_facts(t, "PaymentsToAcquireProductiveAssets", dataset="c"))
    assert sec.latest_annual(facts, dt.date(2026, 2, 6), ticker="AMZN").value_usd == 131819e6


def test_stooq_daily_csv():
    spec = stooq.daily_request("spy.us", TODAY - dt.timedelta(days=30), TODAY, "https://stooq.com", dataset="c", ttl=0)
    bars = fetch(spec, lambda t: stooq.parse_daily_csv(t, dataset="c"))
    assert len(bars) >= 10
