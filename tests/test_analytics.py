"""Every function of `marketshock.analytics`: worked examples, then hypothesis properties
checked against brute-force references written the slow, obvious way."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from marketshock import analytics as a
from marketshock.models.series import Bar

D = dt.date


def bar(day: dt.date, close: float, low: float | None = None) -> Bar:
    low = close if low is None else low
    return Bar(date=day, open=close, high=max(close, low), low=low, close=close)


def days_from(start: dt.date, n: int) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range(n)]


# --- strategies ----------------------------------------------------------------

prices = st.floats(min_value=0.01, max_value=1e6, allow_nan=False, allow_infinity=False)
dates = st.dates(min_value=D(1990, 1, 1), max_value=D(2030, 12, 31))


@st.composite
def bar_series(draw: st.DrawFn, min_size: int = 1, max_size: int = 40) -> list[Bar]:
    """Bars on strictly increasing dates with gaps of 1..5 days (weekends, holidays, missing rows)."""
    n = draw(st.integers(min_size, max_size))
    day = draw(st.dates(min_value=D(2000, 1, 1), max_value=D(2025, 1, 1)))
    bars = []
    for _ in range(n):
        close = draw(prices)
        low = draw(st.floats(min_value=0.01, max_value=close)) if draw(st.booleans()) else close
        bars.append(bar(day, close, low))
        day += dt.timedelta(days=draw(st.integers(1, 5)))
    return bars


changes = st.one_of(st.none(), st.just(0.0), st.floats(-50, 50, allow_nan=False).filter(lambda x: x != 0))


# --- change_pct ------------------------------------------------------------------


def test_change_pct_is_in_percent():
    assert a.change_pct(110, 100) == pytest.approx(10.0)
    assert a.change_pct(60074.2, 70555.39) == pytest.approx(-14.855, abs=1e-3)


def test_change_pct_of_a_zero_base_is_none():
    assert a.change_pct(5, 0) is None


@given(prices, prices)
def test_change_pct_recovers_the_new_value(new, old):
    # (new / old - 1) * 100 cancels digits when new << old: the error scales with old.
    assert old * (1 + a.change_pct(new, old) / 100) == pytest.approx(new, rel=1e-9, abs=old * 1e-12)


# --- last_index_on_or_before -----------------------------------------------------


def test_last_index_on_or_before_finds_the_day_or_the_one_before():
    days = [D(2026, 1, 2), D(2026, 1, 5), D(2026, 1, 6)]
    assert a.last_index_on_or_before(days, D(2026, 1, 5)) == 1
    assert a.last_index_on_or_before(days, D(2026, 1, 4)) == 0
    assert a.last_index_on_or_before(days, D(2027, 1, 1)) == 2


def test_last_index_on_or_before_is_none_when_every_date_is_later():
    assert a.last_index_on_or_before([D(2026, 1, 2)], D(2026, 1, 1)) is None
    assert a.last_index_on_or_before([], D(2026, 1, 1)) is None


@given(st.lists(dates, unique=True).map(sorted), dates)
def test_last_index_on_or_before_matches_a_linear_scan(days, day):
    expected = max((i for i, d in enumerate(days) if d <= day), default=None)
    assert a.last_index_on_or_before(days, day) == expected


# --- change_over_days / change_over_sessions ------------------------------------


def test_change_over_7_days_compares_with_the_close_a_week_earlier():
    bars = [bar(d, 100 + i) for i, d in enumerate(days_from(D(2026, 1, 30), 8))]  # 01-30 .. 02-06
    assert a.change_over_days(bars, 7) == pytest.approx((107 / 100 - 1) * 100)


def test_change_over_days_falls_back_to_the_last_close_before_a_gap():
    bars = [bar(D(2026, 1, 29), 50), bar(D(2026, 2, 2), 80), bar(D(2026, 2, 6), 100)]
    # 7 days before 02-06 is 01-30, not a row: the last close on or before it (01-29) is the base.
    assert a.change_over_days(bars, 7) == pytest.approx(100.0)


def test_change_over_days_is_none_without_enough_history():
    assert a.change_over_days([bar(D(2026, 2, 6), 1)], 1) is None
    assert a.change_over_days([], 7) is None


@given(bar_series(), st.integers(1, 30))
def test_change_over_days_matches_a_brute_force_reference(bars, days):
    cutoff = bars[-1].date - dt.timedelta(days=days)
    earlier = [b for b in bars if b.date <= cutoff]
    expected = None if not earlier else (bars[-1].close - earlier[-1].close) / earlier[-1].close * 100
    result = a.change_over_days(bars, days)
    assert (result is None) == (expected is None)
    if expected is not None:
        assert result == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_change_over_sessions_counts_rows_not_days():
    assert a.change_over_sessions([100, 90, 80, 120], 1) == pytest.approx(50.0)
    assert a.change_over_sessions([100, 90, 80, 120], 3) == pytest.approx(20.0)
    assert a.change_over_sessions([100, 90], 2) is None


# --- year_to_date ----------------------------------------------------------------


def test_year_to_date_starts_from_the_prior_years_last_close():
    bars = [bar(D(2025, 12, 30), 90), bar(D(2025, 12, 31), 100), bar(D(2026, 1, 2), 80, low=70)]
    ytd = a.year_to_date(bars)
    assert ytd == a.YearToDate(D(2025, 12, 31), 100, pytest.approx(-20.0), pytest.approx(-30.0))


def test_year_to_date_uses_the_last_session_of_the_prior_year_when_dec_31_is_missing():
    bars = [bar(D(2025, 12, 29), 100), bar(D(2026, 1, 5), 110)]
    assert a.year_to_date(bars).base_date == D(2025, 12, 29)


def test_year_to_date_is_none_when_the_series_starts_this_year():
    assert a.year_to_date([bar(D(2026, 1, 2), 1), bar(D(2026, 1, 3), 2)]) is None
    assert a.year_to_date([]) is None


@given(bar_series(min_size=2, max_size=150))
def test_year_to_date_base_is_the_last_bar_of_an_earlier_year(bars):
    ytd = a.year_to_date(bars)
    before = [b for b in bars if b.date.year < bars[-1].date.year]
    if not before:
        assert ytd is None
        return
    assert ytd.base_date == before[-1].date
    assert ytd.change_at_low_pct <= ytd.change_pct + 1e-9  # the low is never above the close


# --- streak / daily_changes ------------------------------------------------------


@pytest.mark.parametrize(
    ("moves", "expected"),
    [
        ([1.0, -1.0, -2.0], -2),  # the second day of decline
        ([-1.0, 1.0, 1.0, 1.0], 3),
        ([1.0, 0.0], 0),  # unchanged ends a streak
        ([None, -1.0], -1),
        ([-1.0, None, -1.0], -1),  # an unknown day breaks the run
        ([], 0),
        ([None], 0),
    ],
)
def test_streak_examples(moves, expected):
    assert a.streak(moves) == expected


@given(st.lists(changes, max_size=30))
def test_streak_counts_the_trailing_run_of_one_sign(moves):
    result = a.streak(moves)
    if result == 0:
        assert not moves or moves[-1] is None or moves[-1] == 0
        return
    sign = 1 if result > 0 else -1
    run = moves[len(moves) - abs(result) :]
    assert all(m is not None and m * sign > 0 for m in run)  # every day of the run moved that way
    if abs(result) < len(moves):  # and the day before it did not
        before = moves[-abs(result) - 1]
        assert before is None or before * sign <= 0


def test_daily_changes_has_no_change_for_the_first_close():
    assert a.daily_changes([100, 110, 99]) == [None, pytest.approx(10.0), pytest.approx(-10.0)]


@given(st.lists(prices, min_size=1, max_size=30))
def test_daily_changes_has_one_change_a_close(closes):
    result = a.daily_changes(closes)
    assert len(result) == len(closes)
    for change, before, after in zip(result[1:], closes[:-1], closes[1:], strict=True):
        assert change == pytest.approx((after - before) / before * 100)


# --- months_between / lowest_since -----------------------------------------------


def test_months_between_counts_calendar_months_as_the_press_does():
    assert a.months_between(D(2024, 10, 11), D(2026, 2, 6)) == 16
    assert a.months_between(D(2026, 1, 31), D(2026, 2, 1)) == 1
    assert a.months_between(D(2026, 2, 1), D(2026, 2, 28)) == 0


@given(dates, dates)
def test_months_between_is_the_year_month_formula(d1, d2):
    assert a.months_between(d1, d2) == (d2.year - d1.year) * 12 + (d2.month - d1.month)
    assert a.months_between(d1, d2) == -a.months_between(d2, d1)


def test_lowest_since_finds_the_most_recent_lower_low():
    bars = [bar(D(2024, 10, 11), 62000, low=58900), bar(D(2025, 6, 1), 100000), bar(D(2026, 2, 6), 70000, low=60074)]
    assert a.lowest_since(bars) == a.LowestSince(D(2024, 10, 11), 58900, 16)


def test_lowest_since_needs_a_strictly_lower_low():
    bars = [bar(D(2026, 1, 1), 10, low=5), bar(D(2026, 1, 2), 10, low=5)]
    assert a.lowest_since(bars) is None


def test_lowest_since_is_none_for_the_lowest_in_the_data_or_no_data():
    assert a.lowest_since([bar(D(2026, 1, 1), 10), bar(D(2026, 1, 2), 9)]) is None
    assert a.lowest_since([]) is None


@given(bar_series(min_size=1, max_size=60))
def test_lowest_since_is_an_earlier_lower_low_with_nothing_lower_in_between(bars):
    last = bars[-1]
    found = a.lowest_since(bars)
    if found is None:
        assert all(b.low >= last.low for b in bars[:-1])
        return
    index = next(i for i, b in enumerate(bars) if b.date == found.date)
    assert found.date < last.date
    assert found.low == bars[index].low < last.low
    assert all(b.low >= last.low for b in bars[index + 1 : -1])  # no lower low after it
    assert found.months == a.months_between(found.date, last.date)


# --- highest_same_month_since ----------------------------------------------------

JANUARIES = [(2009, 241749), (2023, 102943), (2024, 82307), (2025, 49795), (2026, 108435)]


def test_highest_same_month_since_names_the_last_higher_year():
    assert a.highest_same_month_since(JANUARIES, 2026) == a.SameMonthRank(2009, 17)
    assert a.highest_same_month_since(JANUARIES, 2025) == a.SameMonthRank(2024, 1)


def test_highest_same_month_since_ignores_later_years_and_order():
    assert a.highest_same_month_since(list(reversed(JANUARIES)), 2024) == a.SameMonthRank(2023, 1)


def test_highest_same_month_since_is_none_for_the_highest_in_the_data():
    assert a.highest_same_month_since(JANUARIES, 2009) == a.SameMonthRank(None, None)
    assert a.highest_same_month_since([(2026, 1.0)], 2026) == a.SameMonthRank(None, None)


def test_highest_same_month_since_needs_a_strictly_higher_value():
    assert a.highest_same_month_since([(2020, 5.0), (2021, 5.0)], 2021) == a.SameMonthRank(None, None)


@given(
    st.dictionaries(st.integers(1990, 2030), st.integers(0, 300_000), min_size=1, max_size=30),
    st.data(),
)
def test_highest_same_month_since_no_year_in_between_is_higher(values, data):
    year = data.draw(st.sampled_from(sorted(values)))
    rank = a.highest_same_month_since(list(values.items()), year)
    current = values[year]
    if rank.since_year is None:
        assert all(v <= current for y, v in values.items() if y < year)
        return
    assert values[rank.since_year] > current
    assert rank.years == year - rank.since_year > 0
    assert all(v <= current for y, v in values.items() if rank.since_year < y < year)


# --- drawdown_from_high ----------------------------------------------------------


def test_drawdown_from_high_measures_the_last_value_against_the_peak():
    days = days_from(D(2026, 1, 1), 4)
    assert a.drawdown_from_high(days, [100, 200, 150, 50]) == a.Drawdown(200, D(2026, 1, 2), pytest.approx(-75.0))


def test_drawdown_from_high_takes_the_latest_of_tied_peaks_and_is_zero_at_a_peak():
    days = days_from(D(2026, 1, 1), 3)
    assert a.drawdown_from_high(days, [200, 100, 200]) == a.Drawdown(200, D(2026, 1, 3), 0.0)
    assert a.drawdown_from_high([], []) is None


@given(st.lists(prices, min_size=1, max_size=50))
def test_drawdown_is_never_positive_and_the_peak_is_the_maximum(values):
    days = days_from(D(2020, 1, 1), len(values))
    dd = a.drawdown_from_high(days, values)
    assert dd.peak == max(values)
    assert values[days.index(dd.peak_date)] == dd.peak
    assert -100 < dd.drawdown_pct <= 0


# --- week_on_week ----------------------------------------------------------------


def test_week_on_week_change_and_four_week_average():
    assert a.week_on_week([200, 210, 209, 230]) == a.WeekOnWeek(21, pytest.approx(212.25))


def test_week_on_week_gaps_with_short_history():
    assert a.week_on_week([]) == a.WeekOnWeek(None, None)
    assert a.week_on_week([5]) == a.WeekOnWeek(None, None)
    assert a.week_on_week([5, 7, 9]) == a.WeekOnWeek(2, None)


@given(st.lists(st.integers(0, 10_000_000).map(float), min_size=4, max_size=30))
def test_four_week_average_lies_between_the_last_four_values(values):
    wow = a.week_on_week(values)
    assert min(values[-4:]) <= wow.four_week_avg <= max(values[-4:])
    assert wow.change == values[-1] - values[-2]


# --- growth_pct ------------------------------------------------------------------


def test_growth_pct_of_guidance_over_actual():
    assert a.growth_pct(200e9, 131.819e9) == pytest.approx(51.72, abs=0.01)


@pytest.mark.parametrize(("new", "old"), [(None, 1.0), (1.0, None), (None, None), (1.0, 0.0)])
def test_growth_pct_is_none_where_a_figure_is_a_gap(new, old):
    assert a.growth_pct(new, old) is None


# --- monthly_sums ----------------------------------------------------------------


def test_monthly_sums_groups_by_calendar_month_in_order():
    days = [(D(2026, 2, 2), -10.0), (D(2026, 1, 30), 5.0), (D(2026, 1, 2), 1.0), (D(2025, 12, 31), 2.0)]
    assert a.monthly_sums(days) == [
        a.MonthSum("2025-12", 2.0, 1),
        a.MonthSum("2026-01", 6.0, 2),
        a.MonthSum("2026-02", -10.0, 1),
    ]


@given(st.lists(st.tuples(dates, st.floats(-1e9, 1e9, allow_nan=False)), max_size=60))
def test_monthly_sums_keep_the_total_and_the_count(days):
    sums = a.monthly_sums(days)
    assert sum(m.days for m in sums) == len(days)
    assert math.fsum(m.total for m in sums) == pytest.approx(math.fsum(v for _, v in days), abs=1e-3)
    assert [m.month for m in sums] == sorted({f"{d:%Y-%m}" for d, _ in days})


# --- wiped_out -------------------------------------------------------------------


def test_wiped_out_is_the_value_lost_since_the_peak():
    lost = a.wiped_out(4.38e12, 2.38e12)
    assert lost.amount == pytest.approx(2e12)
    assert lost.change_pct == pytest.approx(-45.66, abs=0.01)


@given(prices, prices)
def test_wiped_out_amount_and_change_agree(peak, current):
    assume(peak > 0)
    lost = a.wiped_out(peak, current)
    assert lost.amount == pytest.approx(peak - current)
    if abs(lost.change_pct) > 1e-9:
        assert (lost.amount > 0) == (lost.change_pct < 0)
