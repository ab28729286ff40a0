"""Each adapter's request builder and parser, on the real recorded responses in fixtures/real/."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from marketshock.errors import BadResponse, HttpStatusError, MissingSetting, NoDataError, RateLimited
from marketshock.providers import coinbase, coingecko, fred, sec, stooq, yahoo

REAL = Path(__file__).parent / "fixtures" / "real"


def real(name: str) -> str:
    return (REAL / name).read_text(encoding="utf-8")


# --- Yahoo --------------------------------------------------------------------------------


def test_yahoo_request_asks_for_bars_up_to_the_end_of_the_as_of_day():
    query = yahoo.ChartQuery("^KS11", dt.date(2025, 1, 1), dt.date(2026, 2, 6))
    spec = yahoo.chart_request(query, "https://query1.finance.yahoo.com/", dataset="KOSPI", ttl=60)
    assert spec.url == "https://query1.finance.yahoo.com/v8/finance/chart/%5EKS11"
    assert spec.params["period1"] == "1735689600"  # 2025-01-01T00:00Z
    assert spec.params["period2"] == "1770422400"  # 2026-02-07T00:00Z
    assert spec.params["interval"] == "1d"


@pytest.mark.parametrize(
    ("day", "period1", "period2"),
    [
        # EST (UTC-5): 04:00 is 09:00Z, 20:00 is 01:00Z the next day.
        (dt.date(2026, 11, 2), "1793610000", "1793667600"),  # 2026-11-02T09:00Z, 2026-11-03T01:00Z
        # EDT (UTC-4): 04:00 is 08:00Z, 20:00 is 00:00Z the next day.
        (dt.date(2026, 7, 1), "1782892800", "1782950400"),  # 2026-07-01T08:00Z, 2026-07-02T00:00Z
    ],
)
def test_yahoo_intraday_request_spans_the_pre_market_open_to_the_post_market_close_new_york_time(day, period1, period2):
    query = yahoo.ChartQuery("AMZN", day, day, interval="5m", include_prepost=True)
    spec = yahoo.chart_request(query, "https://query1.finance.yahoo.com/", dataset="AMZN", ttl=60)
    assert (spec.params["period1"], spec.params["period2"]) == (period1, period2)


def test_yahoo_crypto_bars_are_utc_days_with_lows():
    daily = yahoo.parse_daily(real("yahoo_chart_BTC-USD_1d_2020-01-01_2020-01-03.json"), symbol="BTC-USD", dataset="d")
    assert [b.date for b in daily.bars] == [dt.date(2020, 1, 1), dt.date(2020, 1, 2), dt.date(2020, 1, 3)]
    assert daily.bars[-1].close == pytest.approx(7344.88427734375)
    assert daily.bars[-1].low == pytest.approx(6914.99609375)
    assert daily.name == "Bitcoin USD"


def test_yahoo_stock_bars_take_the_exchange_date():
    daily = yahoo.parse_daily(real("yahoo_chart_AMZN_1d_2020-01-01_2020-01-03.json"), symbol="AMZN", dataset="d")
    assert [b.date for b in daily.bars] == [dt.date(2020, 1, 2)]


def test_yahoo_a_year_of_daily_bars_parses_every_session():
    daily = yahoo.parse_daily(
        real("yahoo_chart_MSFT_1d_2021-02-01_2022-01-31_events-div.json"), symbol="MSFT", dataset="d"
    )
    assert len(daily.bars) == 252
    assert daily.bars[0].date == dt.date(2021, 2, 1) and daily.bars[-1].date == dt.date(2022, 1, 28)


def test_yahoo_rejects_a_body_for_another_symbol():
    with pytest.raises(BadResponse, match="asked for 'ETH-USD'"):
        yahoo.parse_daily(real("yahoo_chart_BTC-USD_1d_2020-01-01_2020-01-03.json"), symbol="ETH-USD", dataset="d")


def test_yahoo_404_body_becomes_no_data_in_yahoos_words():
    body = real("yahoo_chart_error_404_not_found_SI.json")
    error = yahoo.chart_error(HttpStatusError("yahoo", "SI price history", "HTTP 404", 404, body), "SI")
    assert isinstance(error, NoDataError)
    assert error.cause == "SI: No data found, symbol may be delisted"


def test_yahoo_400_body_becomes_no_data():
    body = real("yahoo_chart_error_400_bad_request_BEKE.json")
    error = yahoo.chart_error(HttpStatusError("yahoo", "BEKE", "HTTP 400", 400, body), "BEKE")
    assert error is not None and "Data doesn't exist" in error.cause


def test_yahoo_an_error_object_in_a_200_body_is_no_data():
    with pytest.raises(NoDataError, match="No data found"):
        yahoo.parse_daily(real("yahoo_chart_error_404_not_found_SI.json"), symbol="SI", dataset="d")


def test_yahoo_a_missing_price_array_names_the_field():
    body = json.loads(real("yahoo_chart_BTC-USD_1d_2020-01-01_2020-01-03.json"))
    del body["chart"]["result"][0]["indicators"]["quote"][0]["low"]
    with pytest.raises(BadResponse, match=r"indicators\.quote\[0\]\.low"):
        yahoo.parse_daily(json.dumps(body), symbol="BTC-USD", dataset="d")


def test_yahoo_post_market_prices_are_split_from_the_regular_session():
    text = real("yahoo_chart_TSLA_30m_2021-11-22_includePrePost-true.json")
    prices = yahoo.parse_sessions(text, symbol="TSLA", dataset="d", day=dt.date(2021, 11, 22))
    body = json.loads(text)["chart"]["result"][0]
    closes = dict(zip(body["timestamp"], body["indicators"]["quote"][0]["close"], strict=True))
    # The regular session ends at 21:00 UTC (16:00 EST); the post-market runs to 01:00 UTC.
    last_regular = max(ts for ts in closes if ts < 1637614800)
    assert prices.regular_close == pytest.approx(closes[last_regular])
    assert prices.post_last == pytest.approx(closes[max(closes)])
    assert prices.post_low is not None and prices.post_low <= prices.post_last
    assert prices.post_change_pct == pytest.approx((prices.post_last / prices.regular_close - 1) * 100)


# --- Coinbase -----------------------------------------------------------------------------


def test_coinbase_pages_cover_the_range_300_days_at_a_time():
    specs = coinbase.candle_requests(
        "BTC-USD", dt.date(2024, 1, 1), dt.date(2026, 2, 6), "https://cb", dataset="d", ttl=1
    )
    assert len(specs) == 3
    assert specs[0].params == {"granularity": "86400", "start": "2024-01-01T00:00:00Z", "end": "2024-10-26T00:00:00Z"}
    assert specs[1].params["start"] == "2024-10-27T00:00:00Z"
    assert specs[-1].params["end"] == "2026-02-06T00:00:00Z"


def test_coinbase_candles_become_utc_day_bars_oldest_first():
    bars = coinbase.parse_candles(real("coinbase_candles_BTC-USD_86400_2026-06-22_2026-07-31.json"), dataset="d")
    assert len(bars) == 40
    assert bars[0].date == dt.date(2026, 6, 22) and bars[-1].date == dt.date(2026, 7, 31)
    last = bars[-1]  # [1785456000, 62358.96, 65360, 64721.9, 62826.78, ...]: time, low, high, open, close
    assert (last.low, last.high, last.open, last.close) == (62358.96, 65360, 64721.9, 62826.78)


def test_coinbase_an_empty_page_is_no_bars_not_an_error():
    assert coinbase.parse_candles("[]", dataset="d") == []


def test_coinbase_an_error_body_is_a_bad_response():
    with pytest.raises(BadResponse, match="NotFound"):
        coinbase.parse_candles('{"message": "NotFound"}', dataset="d")


# --- CoinGecko ----------------------------------------------------------------------------


def test_coingecko_simple_price_reads_each_coin():
    text = real("coingecko_simple_price_bitcoin-binancecoin-avalanche-2_usd_2025-03-06.json")
    prices = coingecko.parse_simple_price(text, ["bitcoin", "avalanche-2"])
    assert set(prices) == {"bitcoin", "avalanche-2"}
    assert coingecko.parse_simple_price(real("coingecko_simple_price_bitcoin_usd_2026-01-01.json"), ["bitcoin"]) == {
        "bitcoin": 87869.0
    }


def test_coingecko_a_missing_coin_is_no_data():
    with pytest.raises(NoDataError, match="'ethereum'"):
        coingecko.parse_simple_price(real("coingecko_simple_price_bitcoin_usd_2026-01-01.json"), ["ethereum"])


def test_coingecko_global_reads_total_value_change_and_time():
    market = coingecko.parse_global(real("coingecko_global_documented_shape.json"))
    assert market.total_market_cap_usd == 2.38e12
    assert market.change_24h_pct == -3.1
    assert market.updated_at == dt.datetime(2026, 2, 6, 12, tzinfo=dt.UTC)


# --- FRED ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "series", "first", "last"),
    [
        ("fred_fredgraph_ICSA.csv", "ICSA", "1967-01-07", "2026-07-04"),  # observation_date header
        ("fred_fredgraph_ICSA_DATEheader_2024-04.csv", "ICSA", "1967-01-07", "2024-04-13"),  # DATE header
        ("fred_fredgraph_CCSA_DATEheader_2023-11.csv", "CCSA", "2000-01-01", "2023-11-04"),
        ("fred_fredgraph_IC4WSA_DATEheader_2019-11.csv", "IC4WSA", "1967-01-28", "2019-11-09"),
    ],
)
def test_fred_graph_csv_reads_both_header_styles(file, series, first, last):
    obs = fred.parse_graph_csv(real(file), series)
    assert (obs[0].week_ending.isoformat(), obs[-1].week_ending.isoformat()) == (first, last)


def test_fred_graph_csv_values_are_the_recorded_ones():
    obs = {o.week_ending: o.value for o in fred.parse_graph_csv(real("fred_fredgraph_ICSA.csv"), "ICSA")}
    assert obs[dt.date(1967, 1, 7)] == 208000


def test_fred_graph_csv_for_another_series_is_rejected():
    with pytest.raises(BadResponse, match="unexpected CSV header"):
        fred.parse_graph_csv(real("fred_fredgraph_ICSA.csv"), "CCSA")


def test_fred_graph_request_carries_the_as_of_window():
    spec = fred.graph_request("ICSA", dt.date(2023, 2, 7), dt.date(2026, 2, 6), "https://fred.stlouisfed.org", ttl=1)
    assert spec.url == "https://fred.stlouisfed.org/graph/fredgraph.csv"
    assert spec.params == {"id": "ICSA", "cosd": "2023-02-07", "coed": "2026-02-06"}


def test_fred_api_json_observations_parse():
    obs = fred.parse_api_json(real("fred_api_observations_HQMCB10YR_2023-01-01_2023-06-06.json"), "HQMCB10YR")
    assert [o.value for o in obs] == [4.98, 5.13, 5.18, 4.92, 5.09, 5.22]


def test_fred_api_missing_values_are_kept_as_missing_observations():
    text = json.dumps({"observations": [{"date": "2026-01-31", "value": "."}, {"date": "2026-02-07", "value": "1"}]})
    assert [o.value for o in fred.parse_api_json(text, "ICSA")] == [None, 1.0]


def test_fred_api_request_asks_for_the_as_of_vintage():
    spec = fred.api_request(
        "ICSA", "k" * 32, dt.date(2023, 1, 1), dt.date(2026, 2, 6), "https://api", vintage=dt.date(2026, 2, 6), ttl=1
    )
    assert spec.params["realtime_start"] == spec.params["realtime_end"] == "2026-02-06"
    assert "k" * 32 not in spec.display_url()


@pytest.mark.parametrize(
    "file",
    [
        "fred_api_error_400_api_key_not_registered.json",
        "fred_api_error_400_series_does_not_exist.json",
        "fred_api_error_400_not_in_alfred.json",
        "fred_api_error_400_too_many_vintages.json",
    ],
)
def test_fred_api_errors_say_what_fred_said(file):
    body = real(file)
    error = fred.api_error(HttpStatusError("fred", "ICSA claims", "HTTP 400", 400, body))
    assert str(error) == f"fred: ICSA claims: HTTP 400: {json.loads(body)['error_message']}"


# --- SEC ----------------------------------------------------------------------------------


def test_sec_ticker_map_gives_ciks():
    companies = sec.parse_tickers(real("sec_company_tickers.json"))
    assert {t: companies[t].cik for t in ("AMZN", "GOOGL", "MSFT", "META", "QCOM")} == {
        "AMZN": 1018724,
        "GOOGL": 1652044,
        "MSFT": 789019,
        "META": 1326801,
        "QCOM": 804328,
    }


def test_sec_requests_refuse_without_a_user_agent():
    with pytest.raises(MissingSetting, match="MARKETSHOCK_SEC_USER_AGENT"):
        sec.tickers_request("https://www.sec.gov", None, ttl=1)


def test_sec_concept_request_pads_the_cik():
    spec = sec.concept_request(
        1018724, "PaymentsToAcquireProductiveAssets", "https://data.sec.gov", "Jo jo@x.org", ttl=1
    )
    assert spec.url.endswith("/api/xbrl/companyconcept/CIK0001018724/us-gaap/PaymentsToAcquireProductiveAssets.json")
    assert spec.headers == {"User-Agent": "Jo jo@x.org"}


def facts(file: str) -> list[sec.CapexFact]:
    text = real(file)
    body = json.loads(text)
    concepts = [body["tag"]] if "tag" in body else sec.CAPEX_CONCEPTS  # a company-concept body holds one
    return [f for c in concepts for f in sec.annual_facts(text, c, dataset="d")]


def test_sec_amazon_reports_under_productive_assets():
    found = facts("sec_companyfacts_AMZN_PaymentsToAcquireProductiveAssets_extract_end2023plus.json")
    latest = sec.latest_annual(found, dt.date(2026, 2, 6), ticker="AMZN")
    assert (latest.concept, latest.value_usd, latest.fiscal_year) == (
        "PaymentsToAcquireProductiveAssets",
        131819e6,
        2025,
    )
    assert (latest.filed, latest.accession) == (dt.date(2026, 2, 6), "0001018724-26-000004")


def test_sec_a_10_k_filed_after_the_as_of_date_is_not_used():
    found = facts("sec_companyfacts_AMZN_PaymentsToAcquireProductiveAssets_extract_end2023plus.json")
    latest = sec.latest_annual(found, dt.date(2026, 2, 5), ticker="AMZN")
    assert (latest.end, latest.value_usd) == (dt.date(2024, 12, 31), 82999e6)


def test_sec_trailing_twelve_months_in_10_qs_are_not_full_years():
    found = facts("sec_companyfacts_AMZN_PaymentsToAcquireProductiveAssets_extract_end2023plus.json")
    assert all(f.form.startswith("10-K") for f in found)


@pytest.mark.parametrize(
    ("file", "as_of", "value", "year", "filed"),
    [
        ("sec_companyfacts_GOOGL_trimmed_us-gaap.json", "2026-02-06", 91447e6, 2025, "2026-02-05"),
        ("sec_companyfacts_META_trimmed_us-gaap.json", "2026-02-06", 69691e6, 2025, "2026-01-29"),
        # Microsoft's fiscal year 2026 (filed 2026-07-29) was not known in February.
        ("sec_companyfacts_MSFT_trimmed_us-gaap.json", "2026-02-06", 64551e6, 2025, "2025-07-30"),
        ("sec_companyfacts_MSFT_trimmed_us-gaap.json", "2026-08-01", 115948e6, 2026, "2026-07-29"),
    ],
)
def test_sec_latest_full_year_fact_known_on_the_as_of_date(file, as_of, value, year, filed):
    latest = sec.latest_annual(facts(file), dt.date.fromisoformat(as_of), ticker="X")
    assert (latest.value_usd, latest.fiscal_year, latest.filed.isoformat()) == (value, year, filed)


def test_sec_the_latest_period_wins_across_concepts():
    old = sec.CapexFact(
        "PaymentsToAcquirePropertyPlantAndEquipment",
        1.0,
        dt.date(2013, 1, 1),
        dt.date(2013, 12, 31),
        2013,
        "10-K",
        dt.date(2014, 1, 31),
        "a",
    )
    new = sec.CapexFact(
        "PaymentsToAcquireProductiveAssets",
        2.0,
        dt.date(2025, 1, 1),
        dt.date(2025, 12, 31),
        2025,
        "10-K",
        dt.date(2026, 2, 6),
        "b",
    )
    assert sec.latest_annual([old, new], dt.date(2026, 2, 6), ticker="AMZN").value_usd == 2.0


def test_sec_nothing_filed_by_the_as_of_date_is_no_data():
    with pytest.raises(NoDataError, match="filed on or before 2020-01-01"):
        sec.latest_annual(facts("sec_companyfacts_GOOGL_trimmed_us-gaap.json"), dt.date(2020, 1, 1), ticker="GOOGL")


# --- Stooq --------------------------------------------------------------------------------


def test_stooq_english_header():
    bars = stooq.parse_daily_csv(real("stooq_spy_us_daily_2015-01-02_2026-04-17.csv"), dataset="d")
    assert len(bars) == 2839
    assert (bars[0].date, bars[0].close, bars[0].volume) == (dt.date(2015, 1, 2), 172.069, 144993270)


def test_stooq_polish_header_and_rows_without_volume():
    bars = stooq.parse_daily_csv(real("stooq_kospi_daily_1980-01-04_2024-01-26.csv"), dataset="d")
    assert len(bars) == 11728
    assert bars[0].volume is None
    assert bars[-1].date == dt.date(2024, 1, 26) and bars[-1].close == 2478.56


def test_stooq_no_data_text_is_no_data():
    with pytest.raises(NoDataError):
        stooq.parse_daily_csv("No data", dataset="d")


def test_stooq_daily_limit_is_rate_limited():
    with pytest.raises(RateLimited):
        stooq.parse_daily_csv("Exceeded the daily hits limit", dataset="d")


def test_stooq_request_uses_the_date_window():
    spec = stooq.daily_request(
        "^kospi", dt.date(2025, 1, 2), dt.date(2026, 2, 6), "https://stooq.com", dataset="d", ttl=1
    )
    assert spec.params == {"s": "^kospi", "i": "d", "d1": "20250102", "d2": "20260206"}
