"""move_stats: each statistic on small hand-made series, then properties over generated ones."""

from __future__ import annotations

import datetime as dt
import math
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketshock import move_stats as ms

START = dt.date(2020, 1, 1)


def days(n: int, start: dt.date = START) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range(n)]


def weekdays(n: int, start: dt.date = dt.date(2020, 1, 6)) -> list[dt.date]:
    out, day = [], start
    while len(out) < n:
        if day.weekday() < 5:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def closes_from(returns: list[float], first: float = 100.0) -> list[float]:
    out = [first]
    for r in returns:
        out.append(out[-1] * math.exp(r))
    return out


def wiggle(n: int, size: float = 0.01) -> list[float]:
    """A deterministic, varied return path (no randomness in unit tests)."""
    return [size * math.sin(1.7 * i) + size * 0.3 * math.cos(0.37 * i) for i in range(n)]


# --- log returns ------------------------------------------------------------


def test_log_returns_start_with_none_and_follow_closes():
    assert ms.log_returns([100.0, 110.0, 99.0]) == [None, pytest.approx(math.log(1.1)), pytest.approx(math.log(0.9))]


def test_log_returns_skip_non_positive_closes():
    assert ms.log_returns([100.0, 0.0, 50.0]) == [None, None, None]


def test_to_pct_turns_a_log_change_into_a_simple_percent():
    assert ms.to_pct(math.log(0.859)) == pytest.approx(-14.1)
    assert ms.to_pct(None) is None


# --- z-score ----------------------------------------------------------------


def test_zscore_is_the_return_against_mean_and_sample_sd_of_the_365_days_before():
    returns = [*wiggle(400), -0.15]
    dates = days(len(returns))
    i = len(returns) - 1
    window = returns[i - 365 : i]
    z = ms.zscore(dates, [None, *returns[1:]], i)
    expected = (returns[i] - statistics.fmean(window)) / statistics.stdev(window)
    assert z.observations == 365
    assert z.zscore == pytest.approx(expected)


def test_zscore_excludes_the_day_itself():
    base = wiggle(200)
    calm = ms.zscore(days(201), [None, *base], 200)
    wild = ms.zscore(days(201), [None, *base[:-1], 5.0], 200)
    assert calm.sd == wild.sd
    assert abs(wild.zscore) > 100 * abs(calm.zscore)


def test_zscore_window_includes_the_day_365_days_earlier_and_not_366():
    dates = [dt.date(2024, 1, 1), dt.date(2024, 1, 2), *days(70, dt.date(2024, 10, 1)), dt.date(2025, 1, 1)]
    returns: list[float | None] = [None, 0.5, *wiggle(70), 0.01]  # 0.5 is dated 2024-01-02, 365 days before
    with_day = ms.zscore(dates, returns, len(dates) - 1)
    assert with_day.observations == 71
    later = [*dates[:-1], dt.date(2025, 1, 2)]  # now 2024-01-02 is 366 days before
    assert ms.zscore(later, returns, len(later) - 1).observations == 70


def test_zscore_needs_60_observations_and_says_how_many_it_had():
    returns = [None, *wiggle(59)]
    z = ms.zscore(days(61), [*returns, 0.01], 60)
    assert z.zscore is None
    assert z.observations == 59
    assert ms.zscore(days(62), [None, *wiggle(60), 0.01], 61).zscore is not None


def test_zscore_is_none_for_a_flat_history():
    assert ms.zscore(days(100), [None, *[0.0] * 98, 0.1], 99).zscore is None


# --- largest since ----------------------------------------------------------


def test_largest_fall_since_is_the_last_earlier_day_with_a_larger_fall():
    dates = days(6)
    values = [None, -0.05, 0.08, -0.02, -0.01, -0.03]
    since = ms.largest_since(dates, values, 5)
    assert since == ms.Since("fall", dates[1], False)


def test_largest_rise_since_ignores_larger_falls():
    dates = days(5)
    values = [None, 0.09, -0.20, 0.01, 0.04]
    assert ms.largest_since(dates, values, 4) == ms.Since("rise", dates[1], False)


def test_a_move_larger_than_every_earlier_one_is_the_largest_in_the_data():
    dates = days(4)
    since = ms.largest_since(dates, [None, -0.01, -0.02, -0.30], 3)
    assert since == ms.Since("fall", None, True)
    assert since.text("largest one-day fall", "largest one-day rise", dates[0]) == (
        "the largest one-day fall in the data (since 2020-01-01)"
    )


def test_an_equal_earlier_move_is_not_larger():
    dates = days(3)
    assert ms.largest_since(dates, [None, -0.05, -0.05], 2).largest_in_data


def test_no_move_has_no_rank():
    assert ms.largest_since(days(3), [None, 0.01, 0.0], 2) == ms.Since(None, None, False)
    assert ms.Since(None, None, False).text("fall", "rise", START) == ""


def test_rank_text_names_the_date():
    since = ms.Since("fall", dt.date(2022, 11, 9), False)
    assert since.text("largest one-day fall", "largest one-day rise", START) == "largest one-day fall since 2022-11-09"


# --- weeks ------------------------------------------------------------------


def test_week_change_is_against_the_last_close_seven_calendar_days_earlier():
    dates = weekdays(10)  # Monday 2020-01-06 ...
    closes = [float(100 + i) for i in range(10)]
    # Friday 2020-01-17 (index 9) against Friday 2020-01-10 (index 4)
    assert ms.change_over_calendar_days(dates, closes, 9) == pytest.approx(math.log(109 / 104))
    assert ms.change_over_calendar_days(dates, closes, 4) is None  # no close a week before the first Friday


def test_worst_week_since_skips_weeks_that_overlap_this_one():
    # Daily closes: a sharp fall ending yesterday overlaps today's week and must not count.
    closes = [100.0] * 20 + [100.0, 95.0, 90.0, 85.0, 80.0, 75.0, 70.0, 72.0]
    dates = days(len(closes))
    week = ms.week_since(dates, closes, len(closes) - 1)
    assert week.direction == "fall"
    assert week.largest_in_data  # the only worse weeks share days with this one


def test_worst_week_since_finds_an_earlier_disjoint_week():
    closes = [100.0] * 8 + [60.0] * 10 + [60.0] * 7 + [54.0]
    dates = days(len(closes))
    week = ms.week_since(dates, closes, len(closes) - 1)
    assert week == ms.Since("fall", dates[14], False)  # the last day whose week still held the 100 -> 60 fall


# --- volatility -------------------------------------------------------------


def test_rolling_volatility_is_the_annualized_sample_sd_of_the_last_30_days():
    returns = wiggle(100)
    vols = ms.rolling_volatility(days(101), [None, *returns], 365)
    expected = statistics.stdev(returns[-30:]) * math.sqrt(365) * 100
    assert vols[-1] == pytest.approx(expected)


def test_rolling_volatility_counts_calendar_days_for_sessions():
    dates = weekdays(60)
    returns: list[float | None] = [None, *wiggle(59)]
    vols = ms.rolling_volatility(dates, returns, 252)
    cutoff = dates[-1] - dt.timedelta(days=30)
    window = [r for d, r in zip(dates, returns, strict=True) if d > cutoff]
    assert len(window) in (21, 22)
    assert vols[-1] == pytest.approx(statistics.stdev(window) * math.sqrt(252) * 100)


def test_rolling_volatility_is_none_below_15_returns():
    vols = ms.rolling_volatility(days(16), [None, *wiggle(15)], 365)
    assert vols[14] is None
    assert vols[15] is not None


def test_percentile_rank_of_the_highest_value_is_100():
    assert ms.percentile_rank([None, 1.0, 3.0, 2.0], 3.0) == 100.0
    assert ms.percentile_rank([1.0, 3.0, 2.0, 4.0], 2.0) == 50.0
    assert ms.percentile_rank([None], 1.0) is None


# --- cross-asset ------------------------------------------------------------


def test_aligned_returns_fold_crypto_weekends_into_monday():
    crypto_dates = days(10, dt.date(2020, 1, 3))  # Friday 2020-01-03 .. Sunday 2020-01-12
    crypto = [float(100 + i) for i in range(10)]
    etf_dates = [d for d in crypto_dates if d.weekday() < 5]
    etf = [float(50 + i) for i in range(len(etf_dates))]
    aligned = ms.aligned_returns(crypto_dates, crypto, etf_dates, etf)
    assert aligned.dates == etf_dates[1:]
    # Monday 2020-01-06 against Friday 2020-01-03: the weekend's move is in Monday's return.
    assert aligned.a[0] == pytest.approx(math.log(103 / 100))
    assert aligned.b[0] == pytest.approx(math.log(51 / 50))


def test_correlation_of_a_series_with_itself_is_one_and_with_its_negative_minus_one():
    x = wiggle(30)
    assert ms.correlation(x, x) == pytest.approx(1.0)
    assert ms.correlation(x, [-v for v in x]) == pytest.approx(-1.0)
    assert ms.correlation(x, [0.0] * 30) is None
    assert ms.correlation([1.0, 2.0], [1.0, 2.0]) is None


def test_correlation_ending_uses_the_30_days_ending_on_the_day_and_needs_15_returns():
    dates = days(40)
    aligned = ms.Aligned(dates, wiggle(40), [v * 2 + 0.001 for v in wiggle(40)])
    full = ms.correlation_ending(aligned, dates[-1])
    assert full.observations == 30
    assert full.correlation == pytest.approx(1.0)
    assert ms.correlation_ending(aligned, dates[13]).correlation is None


def test_session_window_counts_sessions_back_from_as_of():
    sessions = weekdays(20)
    saturday = sessions[-1] + dt.timedelta(days=1)
    window = ms.session_window(sessions, saturday, 10)
    assert window == ms.Window(sessions[-11], sessions[-1])
    assert ms.session_window(sessions, saturday, 20) is None


def test_rank_sigma_of_a_price_low_uses_the_random_walk_chance_of_a_new_extreme():
    # Sparre Andersen: a walk of 2 steps ends at its minimum with chance C(4, 2) / 16 = 3/8.
    assert ms.rank_sigma(2, walk=True) == pytest.approx(statistics.NormalDist().inv_cdf(1 - 3 / 8))
    # About 1 / sqrt(pi n) for long walks: a 482-day low is rarer than a 1-in-17 record, but not 1 in 483.
    tail = 1 - statistics.NormalDist().cdf(ms.rank_sigma(482, walk=True))
    assert tail == pytest.approx(1 / math.sqrt(math.pi * 482), rel=0.01)
    assert ms.rank_sigma(16) < ms.rank_sigma(482, walk=True) < ms.rank_sigma(482)


def test_rank_sigma_puts_a_1_in_17_superlative_on_the_z_scale():
    assert ms.rank_sigma(16) == pytest.approx(statistics.NormalDist().inv_cdf(16 / 17))
    assert ms.rank_sigma(16) == pytest.approx(1.565, abs=1e-3)
    assert ms.rank_sigma(0) is None
    assert ms.rank_sigma(500) > ms.rank_sigma(16)


# --- properties -------------------------------------------------------------

returns_lists = st.lists(
    st.floats(min_value=-0.3, max_value=0.3, allow_nan=False, allow_infinity=False), min_size=2, max_size=150
)


@settings(max_examples=60, deadline=None)
@given(returns_lists, st.floats(min_value=0.01, max_value=1e6))
def test_statistics_do_not_depend_on_the_price_level(returns, scale):
    closes = closes_from(returns)
    scaled = [c * scale for c in closes]
    dates = days(len(closes))
    i = len(closes) - 1
    ra, rb = ms.log_returns(closes), ms.log_returns(scaled)
    za, zb = ms.zscore(dates, ra, i, min_observations=2), ms.zscore(dates, rb, i, min_observations=2)
    assert za.observations == zb.observations
    if za.zscore is not None and zb.zscore is not None and za.sd > 1e-9:
        assert za.zscore == pytest.approx(zb.zscore, rel=1e-6, abs=1e-6)
    va = ms.rolling_volatility(dates, ra, 365, min_observations=2)[-1]
    vb = ms.rolling_volatility(dates, rb, 365, min_observations=2)[-1]
    assert (va is None) == (vb is None)
    if va is not None:
        # Running sums leave a rounding residue of about 1e-6 percentage points when all
        # returns are equal (true volatility 0); far below the one decimal shown.
        assert va == pytest.approx(vb, rel=1e-6, abs=1e-4)


@settings(max_examples=60, deadline=None)
@given(returns_lists, returns_lists)
def test_later_data_never_changes_a_days_figures(returns, future):
    """No look-ahead: appending closes after day i leaves every statistic of day i as it was."""
    closes = closes_from(returns)
    longer = closes_from(returns + future)
    n = len(closes)
    dates, later_dates = days(n), days(len(longer))
    i = n - 1
    r, r_long = ms.log_returns(closes), ms.log_returns(longer)
    assert ms.zscore(dates, r, i, min_observations=2) == ms.zscore(later_dates, r_long, i, min_observations=2)
    assert ms.largest_since(dates, r, i) == ms.largest_since(later_dates, r_long, i)
    assert ms.week_since(dates, closes, i) == ms.week_since(later_dates, longer, i)
    vol = ms.rolling_volatility(dates, r, 365, min_observations=2)
    vol_long = ms.rolling_volatility(later_dates, r_long, 365, min_observations=2)
    assert vol == vol_long[:n]


@settings(max_examples=100, deadline=None)
@given(returns_lists)
def test_largest_since_points_at_a_larger_move_with_none_larger_in_between(returns):
    values: list[float | None] = [None, *returns]
    dates = days(len(values))
    i = len(values) - 1
    since = ms.largest_since(dates, values, i)
    v = values[i]
    if v == 0:
        assert since.direction is None
        return
    further = (lambda w: w < v) if v < 0 else (lambda w: w > v)
    earlier = [(d, w) for d, w in zip(dates[:i], values[:i], strict=True) if w is not None]
    if since.largest_in_data:
        assert not any(further(w) for _, w in earlier)
    else:
        assert further(values[dates.index(since.since)])
        assert not any(further(w) for d, w in earlier if d > since.since)


@settings(max_examples=60, deadline=None)
@given(returns_lists)
def test_volatility_is_never_negative_and_its_percentile_is_a_percent(returns):
    dates = days(len(returns) + 1)
    vols = ms.rolling_volatility(dates, [None, *returns], 365, min_observations=2)
    known = [v for v in vols if v is not None]
    assert all(v >= 0 for v in known)
    if known:
        assert 0 < ms.percentile_rank(vols, known[-1]) <= 100


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=-0.2, max_value=0.2, allow_nan=False),
            st.floats(min_value=-0.2, max_value=0.2, allow_nan=False),
        ),
        min_size=3,
        max_size=60,
    ),
    st.floats(min_value=0.1, max_value=10),
    st.floats(min_value=-1, max_value=1),
)
def test_correlation_is_symmetric_bounded_and_unchanged_by_positive_rescaling(pairs, scale, shift):
    x = [a for a, _ in pairs]
    y = [b for _, b in pairs]
    c = ms.correlation(x, y)
    assert c == ms.correlation(y, x)
    if c is not None:
        assert -1.0 <= c <= 1.0
        rescaled = ms.correlation([a * scale + shift for a in x], y)
        if rescaled is not None:
            assert rescaled == pytest.approx(c, abs=1e-6)
