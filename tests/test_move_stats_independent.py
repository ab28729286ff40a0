"""Every shock statistic checked against an independent computation on the bundled data.

The reference side reads the bundled CSV files with pandas (not the package's parser) and
computes each figure vectorised, the way an analyst would in a notebook: rolling windows
with time offsets, boolean masks, an inner join of dates. The package computes them in pure
Python with bisect and running sums. Agreement on real data, on the shock days and on a few
other turbulent days, is the check.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from marketshock import instruments
from marketshock import move_stats as ms
from marketshock.context import RunContext
from marketshock.providers import bundled
from marketshock.sections import shock

pytestmark = pytest.mark.slow

SYMBOLS = ("BTC", "ETH", "SPY", "QQQ", "SMH", "EEM", "GLD", "SLV", "VIX")
# The shock days, the yen-carry unwind, the April 2025 tariff crash, a quiet day, a Sunday.
AS_OF_DAYS = ("2026-02-05", "2026-02-06", "2024-08-05", "2025-04-07", "2025-06-18", "2026-02-01")


def reference_closes(symbol: str) -> pd.Series:
    spec = instruments.load().get(symbol)
    with resources.as_file(resources.files("marketshock.data").joinpath(spec.file)) as path:
        frame = pd.read_csv(path, parse_dates=["date"], index_col="date")
    return frame["close"].sort_index()


@pytest.fixture(scope="module")
def closes() -> dict[str, pd.Series]:
    return {s: reference_closes(s) for s in SYMBOLS}


def ppy(symbol: str) -> int:
    return 365 if instruments.load().get(symbol).calendar == "utc-days" else 252


def reference_move(close: pd.Series, as_of: str, periods: int) -> dict:
    c = close[:as_of]
    r = np.log(c).diff()
    t = r.index[-1]
    trailing = r.rolling("365D", closed="left")  # [t - 365 days, t): the day itself excluded
    mean, sd, count = trailing.mean().iloc[-1], trailing.std().iloc[-1], trailing.count().iloc[-1]
    today = r.iloc[-1]
    earlier = r.iloc[:-1]
    larger = earlier[earlier < today] if today < 0 else earlier[earlier > today]
    base = c.reindex(c.index - pd.Timedelta(days=7), method="ffill")
    week = pd.Series(np.log(c.to_numpy() / base.to_numpy()), index=c.index)
    this_week = week.iloc[-1]
    disjoint = week[week.index <= t - pd.Timedelta(days=7)]
    worse = disjoint[disjoint < this_week] if this_week < 0 else disjoint[disjoint > this_week]
    vol = r.rolling("30D", min_periods=15).std() * np.sqrt(periods) * 100  # (t - 30 days, t]
    known = vol.dropna()
    return {
        "date": t.date(),
        "zscore": (today - mean) / sd,
        "observations": int(count),
        "change_pct": np.expm1(today) * 100,
        "since": larger.index.max().date() if len(larger) else None,
        "week_pct": np.expm1(this_week) * 100,
        "week_since": worse.index.max().date() if len(worse) else None,
        "vol": vol.iloc[-1],
        "vol_percentile": (known <= vol.iloc[-1]).mean() * 100,
    }


@pytest.mark.parametrize("as_of", AS_OF_DAYS)
@pytest.mark.parametrize("symbol", SYMBOLS)
def test_move_statistics_match_an_independent_pandas_computation(closes, symbol, as_of):
    ref = reference_move(closes[symbol], as_of, ppy(symbol))
    series = bundled.load_daily_closes(symbol).up_to(dt.date.fromisoformat(as_of))
    dates, values = list(series.dates), list(series.closes)
    i = len(dates) - 1
    returns = ms.log_returns(values)
    z = ms.zscore(dates, returns, i)
    day = ms.largest_since(dates, returns, i)
    week = ms.week_since(dates, values, i)
    vols = ms.rolling_volatility(dates, returns, ppy(symbol))

    assert dates[i] == ref["date"]
    assert z.observations == ref["observations"]
    assert z.zscore == pytest.approx(ref["zscore"], rel=1e-9)
    assert ms.to_pct(returns[i]) == pytest.approx(ref["change_pct"], rel=1e-9)
    assert day.since == ref["since"]
    assert day.largest_in_data == (ref["since"] is None)
    assert ms.to_pct(ms.change_over_calendar_days(dates, values, i)) == pytest.approx(ref["week_pct"], rel=1e-9)
    assert week.since == ref["week_since"]
    assert vols[i] == pytest.approx(ref["vol"], rel=1e-7)
    assert ms.percentile_rank(vols, vols[i]) == pytest.approx(ref["vol_percentile"], abs=1e-9)


@pytest.mark.parametrize("as_of", ("2026-02-05", "2026-02-06", "2025-04-07"))
@pytest.mark.parametrize("other", ("ETH", "SPY", "GLD", "SLV", "VIX"))
def test_correlations_match_an_independent_computation_on_common_dates(closes, other, as_of):
    both = pd.concat({"BTC": closes["BTC"], other: closes[other]}, axis=1, join="inner")[:as_of]
    returns = np.log(both).diff().dropna()
    end = pd.Timestamp(as_of)
    window = returns[returns.index > end - pd.Timedelta(days=30)]
    expected = window["BTC"].corr(window[other])

    day = dt.date.fromisoformat(as_of)
    got = shock.pair_correlation(bundled.load_daily_closes("BTC"), bundled.load_daily_closes(other), day, None)
    assert got.observations == len(window)
    assert got.correlation == pytest.approx(expected, abs=0.005)  # the section rounds to 2 decimals


def test_shock_window_changes_match_an_independent_computation(closes):
    as_of = dt.date(2026, 2, 5)
    ctx = RunContext(as_of=as_of, data=bundled.BundledData())
    import asyncio

    result = asyncio.run(shock.build(ctx))
    sessions = closes["SPY"][: str(as_of)].index
    start = sessions[-11]  # ten sessions up to as-of, measured from the close before them
    assert result.window is not None and result.window.start == start.date()
    expected = {s: (c[: str(as_of)].iloc[-1] / c.asof(start) - 1) * 100 for s, c in closes.items()}
    got = {w.symbol: w.change_pct for w in result.window_changes}
    assert got == pytest.approx({s: round(v, 2) for s, v in expected.items()}, abs=0.006)
    assert [w.symbol for w in result.window_changes] == sorted(expected, key=expected.get)
