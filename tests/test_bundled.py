"""The bundled dataset as package data: every file parses into the models, the series cover
the --as-of window, and every file is described in NOTICE.md."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import gzip
import io
from importlib import resources

import pytest

from marketshock import instruments
from marketshock.errors import UnknownSymbolError
from marketshock.models.series import Bar
from marketshock.providers import bundled

DATA = resources.files("marketshock.data")


def plain_bars(file: str) -> tuple[Bar, ...]:
    """The obvious parse, one validated Bar a row: what the fast path must equal."""
    text = gzip.decompress(DATA.joinpath(file).read_bytes()).decode("utf-8")
    return tuple(
        Bar(
            date=dt.date.fromisoformat(r["date"]),
            open=float(r["open"]),
            high=float(r["high"]),
            low=float(r["low"]),
            close=float(r["close"]),
            volume=float(r["volume"]) if r["volume"].strip() else None,
        )
        for r in csv.DictReader(io.StringIO(text))
    )


@pytest.mark.parametrize("symbol", [r.symbol for r in instruments.load().bundled("bars")])
def test_price_series_equal_a_row_by_row_parse_of_the_file(symbol):
    series = bundled.load_price_series(symbol)
    assert series.bars == plain_bars(instruments.load().get(symbol).file)
    assert [b.date for b in series.bars] == sorted({b.date for b in series.bars})  # sorted, no duplicates


@pytest.mark.parametrize("symbol", ["BTC", "ETH"])
def test_crypto_series_have_every_day_from_their_first_to_the_end_of_the_window(symbol):
    days = sorted(b.date for b in bundled.load_price_series(symbol).bars)
    span = (bundled.LAST_DAY - days[0]).days + 1
    assert len(days) == span and days[-1] == bundled.LAST_DAY


def test_the_window_starts_at_the_first_bundled_observation():
    firsts = [bundled.load_weekly_claims(s).weeks[0] for s in bundled.CLAIMS]
    firsts += [bundled.load_daily_closes(r.symbol).dates[0] for r in instruments.load().bundled("bars")]
    assert min(firsts) == bundled.FIRST_DAY


def test_symbols_are_case_insensitive():
    assert bundled.load_price_series("btc").symbol == "BTC"


@pytest.mark.parametrize(
    "call",
    [
        lambda d: d.price_history("XRP"),
        lambda d: d.index_sessions("FOO"),
        lambda d: d.index_moves("FOO"),
        lambda d: d.weekly_claims("IC4WSA"),
        lambda d: d.capex("ZZZZ"),
    ],
    ids=["price", "sessions", "moves", "claims", "capex"],
)
def test_an_unknown_symbol_is_an_unknown_symbol_error_naming_it(call):
    with pytest.raises(UnknownSymbolError) as error:
        asyncio.run(call(bundled.BundledData()))
    assert error.value.provider == "bundled"


def test_every_other_dataset_loads():
    data = bundled.BundledData()
    assert set(bundled.load_capex()) == set(instruments.load().defaults("companies"))
    assert {v.year for v in bundled.load_job_cuts().values if v.month == 1} == set(range(2009, 2027))
    assert bundled.load_weekly_claims("ICSA").weeks[-1] >= dt.date(2026, 2, 7)
    assert len(asyncio.run(data.claims_first_prints())) >= 5
    assert bundled.load_index_sessions("KOSPI").sessions and bundled.load_index_moves("MSCI-APXJ").moves
    assert len(asyncio.run(data.etf_daily_flows())) == 2
    # The quoted January flows and CoinGecko's market value rested on aggregator pages alone and were
    # left out (issue 19); the quotes' file keeps its columns for a user's rows.
    assert list(asyncio.run(data.etf_quoted_flows())) == []
    assert {p.provider for p in asyncio.run(data.market_cap_points())} == {"CoinMarketCap"}


def test_every_data_file_is_described_in_the_notice():
    notice = DATA.joinpath("NOTICE.md").read_text(encoding="utf-8")
    assert "Sample data for demonstration" in notice
    files = [p.name for p in DATA.iterdir() if p.name.endswith((".csv", ".csv.gz"))]
    # ETF files are described together as etf_{spy,qqq,...}_daily_yahoo.csv.gz.
    for name in files:
        short = name.removeprefix("etf_").split("_")[0] if name.startswith("etf_") else name
        assert short in notice, name
