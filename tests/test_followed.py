"""What followed earlier moves as large as today's: checked against an independent pandas
computation on the bundled data, and as properties on made-up series."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import itertools
from importlib import resources

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness import invoke
from marketshock import move_stats as ms


def reference(symbol_file: str, as_of: str, min_rows_apart: int = 5) -> dict:
    """The same definition, written with pandas: earlier one-day changes at least as large the
    same way, one a cluster of rows within 5 of each other (the largest), windows by the as-of day."""
    raw = gzip.decompress(resources.files("marketshock.data").joinpath(symbol_file).read_bytes())
    close = pd.read_csv(io.BytesIO(raw), parse_dates=["date"], index_col="date")["close"].sort_index()
    close = close.loc[: pd.Timestamp(as_of)].reset_index(drop=True)
    change = close.pct_change()
    today = change.iloc[-1]
    last = len(close) - 1
    hits = change.iloc[1 : last - 4]  # a 5-row window after it ended by the as-of day
    hits = hits[hits <= today] if today < 0 else hits[hits >= today]
    largest = min if today < 0 else max
    episodes: list[int] = []
    cluster: list[int] = []
    for j in hits.index:
        if cluster and j - cluster[-1] > min_rows_apart:
            episodes.append(largest(cluster, key=lambda k: change[k]))
            cluster = []
        cluster.append(j)
    if cluster:
        episodes.append(largest(cluster, key=lambda k: change[k]))
    out = {"n_episodes": len(episodes)}
    for h in (5, 21, 63):
        forward = pd.Series([close[j + h] / close[j] * 100 - 100 for j in episodes if j + h <= last])
        out[h] = {
            "n": len(forward),
            "median_pct": round(float(forward.median()), 2),
            "min_pct": round(float(forward.min()), 2),
            "max_pct": round(float(forward.max()), 2),
            "up_share": round(float((forward > 0).mean()), 3),
        }
    return out


@pytest.mark.parametrize(
    ("symbol", "file", "as_of"),
    [
        ("BTC", "btc_usd_daily_yahoo.csv.gz", "2026-02-05"),
        ("ETH", "eth_usd_daily_yahoo.csv.gz", "2026-02-05"),
        ("SPY", "etf_spy_daily_yahoo.csv.gz", "2024-08-05"),
    ],
)
def test_what_followed_matches_an_independent_pandas_computation(symbol, file, as_of):
    moves = invoke("shock", "--offline", "--as-of", as_of, "--json").json()["data"]["moves"]
    followed = next(m for m in moves if m["symbol"] == symbol)["followed"]
    expected = reference(file, as_of)
    assert len(followed["episodes"]) == expected["n_episodes"]
    for h in (5, 21, 63):
        assert followed[f"h{h}"] == expected[h]


def test_btc_on_2026_02_05_counts_the_earlier_falls_of_at_least_14_13_percent():
    moves = invoke("shock", "--offline", "--as-of", "2026-02-05", "--json").json()["data"]["moves"]
    btc = next(m for m in moves if m["symbol"] == "BTC")
    assert btc["change_pct"] == -14.13
    assert "2020-03-12" in btc["followed"]["episodes"] and "2022-11-09" in btc["followed"]["episodes"]
    assert btc["followed"]["h21"]["n"] == len(btc["followed"]["episodes"])


def test_fewer_than_three_episodes_leave_the_horizons_null_with_the_reason():
    moves = invoke("shock", "--offline", "--as-of", "2026-02-05", "--json").json()["data"]["moves"]
    slv = next(m for m in moves if m["symbol"] == "SLV")["followed"]
    assert (slv["h5"], slv["h21"], slv["h63"]) == (None, None, None)
    assert "a horizon needs 3" in slv["reason"]


def test_an_episode_whose_window_passes_the_last_day_is_not_counted():
    closes = [100.0] * 3 + [80.0] + [100.0] * 6 + [79.0] + [100.0] * 2 + [95.0]
    days = [dt.date(2025, 1, 1) + dt.timedelta(days=n) for n in range(len(closes))]
    followed = ms.what_followed(days, closes)
    # the fall on row 10 is 3 rows before the last: its 5-row window has not ended
    assert followed.episodes == (days[3],)


series = st.lists(st.floats(min_value=1.0, max_value=1000.0), min_size=3, max_size=200)


@given(series)
def test_episodes_are_apart_and_outcomes_are_consistent(closes):
    days = [dt.date(2000, 1, 1) + dt.timedelta(days=n) for n in range(len(closes))]
    followed = ms.what_followed(days, closes)
    index = {d: n for n, d in enumerate(days)}
    rows = [index[d] for d in followed.episodes]
    assert all(b - a > ms.EPISODE_SPACING for a, b in itertools.pairwise(rows))
    assert all(r + ms.FOLLOW_HORIZONS[0] <= len(days) - 1 for r in rows)
    for outcome in followed.outcomes.values():
        if outcome is not None:
            assert ms.MIN_EPISODES <= outcome.n <= len(rows)
            assert outcome.min_pct <= outcome.median_pct <= outcome.max_pct
            assert 0.0 <= outcome.up_share <= 1.0


@given(series, st.integers(min_value=1, max_value=20), st.floats(min_value=1.0, max_value=1000.0))
def test_data_after_the_last_day_changes_nothing(closes, extra, value):
    days = [dt.date(2000, 1, 1) + dt.timedelta(days=n) for n in range(len(closes) + extra)]
    longer = closes + [value] * extra
    n = len(closes)
    assert ms.what_followed(days[:n], closes) == ms.what_followed(days[:n], longer[:n])
