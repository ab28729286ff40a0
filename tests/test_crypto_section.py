"""The crypto section's extras: monthly sums of daily ETF flows (and where the data behind a
month stops), quoted month totals from the day they were known, and the market value lost."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from marketshock.context import RunContext
from marketshock.models.series import DailyFlows, MarketCapPoint, QuotedMonthlyFlow, Source
from marketshock.providers import bundled
from marketshock.sections import crypto

D = dt.date
SOURCE = Source(provider="test")


def ctx(day: dt.date) -> RunContext:
    return RunContext(as_of=day, data=bundled.BundledData())


def weekdays(start: dt.date, end: dt.date) -> list[dt.date]:
    days = (start + dt.timedelta(days=i) for i in range((end - start).days + 1))
    return [d for d in days if d.weekday() < 5]


def flows(days: list[dt.date], amount: float = 1e6) -> DailyFlows:
    return DailyFlows(scope="fund", dates=tuple(days), net_flows_usd=(amount,) * len(days), source=SOURCE)


def test_daily_flows_need_a_flow_for_every_date():
    with pytest.raises(ValidationError, match="differ in length"):
        DailyFlows(scope="fund", dates=(D(2026, 1, 2), D(2026, 1, 5)), net_flows_usd=(1e6,), source=SOURCE)


def test_a_month_sums_its_daily_flows_and_counts_its_days():
    (month,) = crypto.etf_flow_months([flows(weekdays(D(2026, 1, 1), D(2026, 1, 31)))], [], ctx(D(2026, 2, 6)))
    assert (month.month, month.net_flow_usd, month.days) == ("2026-01", 22e6, 22)
    assert (month.partial, month.data_ends) == (False, None)


def test_the_month_of_the_as_of_date_is_marked_not_over():
    (month,) = crypto.etf_flow_months([flows(weekdays(D(2026, 2, 2), D(2026, 2, 6)))], [], ctx(D(2026, 2, 6)))
    assert month.partial is True
    assert month.data_ends is None  # the data runs to the as-of day: nothing missing yet


def test_a_month_the_data_stops_in_says_where_it_stops():
    data = flows(weekdays(D(2026, 2, 2), D(2026, 2, 12)))
    (month,) = crypto.etf_flow_months([data], [], ctx(D(2026, 3, 26)))
    assert (month.month, month.days, month.partial) == ("2026-02", 9, False)
    assert month.data_ends == D(2026, 2, 12)


def test_a_month_ending_on_a_weekend_is_complete_with_its_last_weekday():
    (month,) = crypto.etf_flow_months([flows(weekdays(D(2026, 1, 1), D(2026, 1, 30)))], [], ctx(D(2026, 3, 1)))
    assert month.data_ends is None  # 2026-01-31 is a Saturday


def test_bundled_ibit_february_2026_is_flagged_where_its_data_stops():
    months = crypto.etf_flow_months(bundled.load_etf_daily_flows(), [], ctx(D(2026, 3, 26)))
    february = next(m for m in months if m.month == "2026-02" and m.scope == "BlackRock IBIT")
    assert february.data_ends == D(2026, 2, 12)


def test_a_quoted_month_total_appears_from_the_day_it_was_known():
    quote = QuotedMonthlyFlow(
        month="2026-01", net_flow_usd=-3e9, qualifier="over", scope="all", known_from=D(2026, 2, 4), source=SOURCE
    )
    assert crypto.etf_flow_months([], [quote], ctx(D(2026, 2, 3))) == []
    (shown,) = crypto.etf_flow_months([], [quote], ctx(D(2026, 2, 4)))
    assert (shown.method, shown.qualifier, shown.net_flow_usd) == ("quoted", "over", -3e9)


def test_market_value_wiped_out_is_measured_from_the_peak_known_then():
    points = [
        MarketCapPoint(provider="P", kind="peak", date=D(2025, 10, 6), value_usd=4.38e12, source=SOURCE),
        MarketCapPoint(provider="P", kind="point", date=D(2026, 2, 6), value_usd=2.38e12, source=SOURCE),
    ]
    assert crypto.market_cap_summaries(points, ctx(D(2026, 2, 5))) == []  # the later value is not known yet
    (summary,) = crypto.market_cap_summaries(points, ctx(D(2026, 2, 6)))
    assert summary.wiped_out_usd == 2e12
    assert round(summary.change_pct, 1) == -45.7
