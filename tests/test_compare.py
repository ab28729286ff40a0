"""`compare`: a shock's peak-to-trough episode, checked against an independent pandas computation
on the bundled data, as properties on made-up series, and the command end to end."""

from __future__ import annotations

import datetime as dt
import gzip
import io
from importlib import resources

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness import assert_valid_envelope, invoke
from marketshock import move_stats as ms


def reference(file: str, shock: str, as_of: str, before: int = 20, after: int = 20) -> dict:
    """The method of `compare`, written with pandas on the raw bundled file."""
    raw = gzip.decompress(resources.files("marketshock.data").joinpath(file).read_bytes())
    close = pd.read_csv(io.BytesIO(raw), parse_dates=["date"], index_col="date")["close"].sort_index()
    close = close.loc[: pd.Timestamp(as_of)]
    s = len(close.loc[: pd.Timestamp(shock)]) - 1
    last = len(close) - 1
    values = close.reset_index(drop=True)
    peak = int(values.iloc[max(0, s - before) : s + 1].idxmax())
    hi = min(s + after, last)
    trough = int(values.iloc[peak : hi + 1].idxmin())
    later = values.iloc[trough + 1 :]
    regained = later[later >= values[peak]]
    change = values.pct_change().iloc[max(0, s - before) + 1 : hi + 1]
    biggest = int(change.abs().idxmax())
    return {
        "peak_date": close.index[peak].date().isoformat(),
        "trough_date": close.index[trough].date().isoformat(),
        "fall_pct": round((values[trough] / values[peak] - 1) * 100, 2),
        "sessions_to_trough": trough - peak,
        "regained_date": close.index[int(regained.index[0])].date().isoformat() if len(regained) else None,
        "sessions_to_regain": int(regained.index[0]) - trough if len(regained) else None,
        "largest_move_pct": round(float(change[biggest]) * 100, 2),
        "largest_move_date": close.index[biggest].date().isoformat(),
    }


@pytest.mark.parametrize(
    ("symbol", "file", "shock", "as_of"),
    [
        ("SPY", "etf_spy_daily_yahoo.csv.gz", "2020-03-16", "2026-02-06"),
        ("BTC", "btc_usd_daily_yahoo.csv.gz", "2022-11-09", "2026-02-06"),
        ("SPY", "etf_spy_daily_yahoo.csv.gz", "2020-03-16", "2020-05-01"),  # not yet regained then
    ],
)
def test_episode_matches_an_independent_pandas_computation(symbol, file, shock, as_of):
    data = invoke("compare", "--offline", "--as-of", as_of, "--vs", shock, "--json").json()["data"]
    row = next(r for r in data["rows"] if r["symbol"] == symbol and not r["current"])
    expected = reference(file, shock, as_of)
    assert {k: row[k] for k in expected} == expected


def test_no_look_ahead_before_the_recovery():
    data = invoke("compare", "--offline", "--as-of", "2020-05-01", "--vs", "2020-03-16", "--json").json()["data"]
    spy = next(r for r in data["rows"] if r["symbol"] == "SPY" and not r["current"])
    assert spy["regained_date"] is None and spy["sessions_to_regain"] is None


_DAY0 = dt.date(2020, 1, 1)


@given(
    st.lists(st.floats(1.0, 1000.0, allow_nan=False), min_size=2, max_size=120),
    st.integers(0, 150),
    st.integers(0, 150),
)
def test_episode_properties(closes, shock_at, cut):
    dates = [_DAY0 + dt.timedelta(days=k) for k in range(len(closes))]
    shock = _DAY0 + dt.timedelta(days=shock_at)
    as_of = _DAY0 + dt.timedelta(days=cut)
    e = ms.shock_episode(dates, closes, shock, as_of)
    if e is None:
        return
    assert e.peak_date <= e.start <= as_of and e.trough_date <= as_of
    assert e.peak_date <= e.trough_date
    assert e.fall_pct <= 0
    assert e.peak_close == max(c for d, c in zip(dates, closes, strict=True) if e.window_start <= d <= e.start)
    assert e.trough_close == min(c for d, c in zip(dates, closes, strict=True) if e.peak_date <= d <= e.window_end)
    assert e.sessions_to_trough == (e.trough_date - e.peak_date).days
    if e.regained_date is None:
        assert all(c < e.peak_close for d, c in zip(dates, closes, strict=True) if e.trough_date < d <= as_of)
    else:
        assert e.trough_date < e.regained_date <= as_of
    # no look-ahead: rows after as-of change nothing
    assert ms.shock_episode(dates[: cut + 1], closes[: cut + 1], shock, as_of) == e


def test_compare_offline_shows_the_catalogue():
    run = invoke("compare", "--offline")
    assert run.code == 0, run.err
    for name in ("Lehman aftermath", "Covid crash", "FTX collapse", "Tariff selloff", "now (2026-02-06)"):
        assert name in run.out
    doc = invoke("compare", "--offline", "--json").json()
    assert_valid_envelope(doc)
    dates = {s["date"] for s in doc["data"]["shocks"]}
    assert {"2008-10-10", "2010-05-06", "2011-08-08", "2015-08-24", "2018-02-05", "2020-03-16"} <= dates
    assert {"2022-11-09", "2024-08-05", "2025-04-04", "2026-02-06"} <= dates


def test_compare_vs_one_date_and_csv():
    run = invoke("compare", "--offline", "--vs", "2020-03-16")
    assert run.code == 0, run.err
    assert "2020-03-16" in run.out and "Lehman" not in run.out
    csv = invoke("compare", "--offline", "--vs", "2020-03-16", "--csv")
    assert csv.code == 0 and csv.out.startswith("shock,shock_date,current,symbol")


def test_vs_after_as_of_is_a_usage_error():
    assert invoke("compare", "--offline", "--vs", "2030-01-01").code == 2
    assert invoke("compare", "--offline", "--vs", "not-a-date").code == 2


def test_report_does_not_run_compare():
    doc = invoke("report", "--offline", "--json").json()
    assert "compare" not in doc["data"]
