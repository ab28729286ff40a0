"""Live settings: base URLs and second hosts, the [datasets] section, times to live, symbols."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from marketshock import config
from marketshock.errors import ConfigError, UnknownSymbolError
from marketshock.providers import live, ttl


def settings(environ: dict[str, str] | None = None, toml: str = "", tmp_path=None) -> config.Settings:
    path = None
    if toml:
        path = tmp_path / "config.toml"
        path.write_text(toml)
    return config.load(path, environ=environ or {}).settings


def test_real_hosts_by_default_including_the_second_hosts():
    urls = live.base_urls(settings())
    assert urls["fred"] == "https://fred.stlouisfed.org" and urls["fred-2"] == "https://api.stlouisfed.org"
    assert urls["sec"] == "https://data.sec.gov" and urls["sec-2"] == "https://www.sec.gov"


def test_one_base_url_variable_points_both_hosts_of_a_provider_at_a_mirror():
    urls = live.base_urls(
        settings({"MARKETSHOCK_FRED_BASE_URL": "http://127.0.0.1:9", "MARKETSHOCK_SEC_BASE_URL": "http://mirror"})
    )
    assert urls["fred"] == urls["fred-2"] == "http://127.0.0.1:9"
    assert urls["sec"] == urls["sec-2"] == "http://mirror"


def test_the_second_host_has_its_own_setting(tmp_path):
    s = settings({"MARKETSHOCK_FRED_API_BASE_URL": "http://api-mirror"})
    assert live.base_urls(s)["fred-2"] == "http://api-mirror"
    s = settings(toml='[providers.sec]\nbase_url = "http://a"\nfiles_base_url = "http://b"\n', tmp_path=tmp_path)
    assert (live.base_urls(s)["sec"], live.base_urls(s)["sec-2"]) == ("http://a", "http://b")


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://[::1", "not a url"),
        ("http://127.0.0.1:99999", "port out of range"),
        ("ftp://mirror", "expected http:// or https://"),
        ("127.0.0.1:8080", "expected http:// or https://"),
        ("", "expected http:// or https://"),
    ],
)
def test_a_malformed_base_url_is_a_config_error_before_any_request(url, why):
    with pytest.raises(ConfigError, match=why) as error:
        settings({"MARKETSHOCK_FRED_BASE_URL": url})
    assert error.value.exit_code == 2
    with pytest.raises(ConfigError, match=r"providers\.sec\.files_base_url"):
        settings({"MARKETSHOCK_SEC_FILES_BASE_URL": url})


def test_datasets_default_to_the_documented_fallback_order():
    d = settings().datasets
    assert d.crypto_history == ["yahoo", "coinbase"]
    assert d.index_history == d.etf_history == ["yahoo", "stooq"]
    assert d.capex_actuals == ["sec", "curated"]


def test_datasets_are_read_from_the_config_file(tmp_path):
    d = settings(toml='[datasets]\ncrypto_history = ["coinbase", "yahoo"]\n', tmp_path=tmp_path).datasets
    assert d.crypto_history == ["coinbase", "yahoo"]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[datasets]\ncrypto_history = ["coingecko"]\n', "datasets.crypto_history.0"),
        ("[datasets]\nclaims = []\n", "datasets.claims"),
        ('[datasets]\nweather = ["yahoo"]\n', "unknown key"),
    ],
)
def test_a_bad_datasets_entry_is_a_config_error(tmp_path, toml, message):
    with pytest.raises(ConfigError, match=message) as error:
        settings(toml=toml, tmp_path=tmp_path)
    assert error.value.exit_code == 2


def test_a_running_day_is_cached_for_minutes():
    now = dt.datetime(2026, 2, 6, 15, 0, tzinfo=dt.UTC)
    assert ttl.daily_ttl(dt.date(2026, 2, 6), now) == ttl.RUNNING_DAY_TTL


def test_closed_days_are_cached_until_the_next_close():
    now = dt.datetime(2026, 2, 6, 15, 0, tzinfo=dt.UTC)
    assert ttl.daily_ttl(dt.date(2026, 2, 5), now) == (6 * 60 + 15) * 60  # to 21:15 UTC today
    late = dt.datetime(2026, 2, 6, 22, 0, tzinfo=dt.UTC)
    assert ttl.daily_ttl(dt.date(2026, 2, 5), late) == (23 * 60 + 15) * 60  # to 21:15 UTC tomorrow


def test_claims_are_cached_until_the_next_thursday_release():
    friday = dt.datetime(2026, 2, 6, 12, 0, tzinfo=dt.UTC)
    assert ttl.claims_ttl(friday) == dt.timedelta(days=6, hours=1, minutes=45).total_seconds()


@pytest.mark.parametrize(
    ("asked", "symbol", "yahoo"),
    [("BTC", "BTC", "BTC-USD"), ("^GSPC", "SPX", "^GSPC"), ("kospi", "KOSPI", "^KS11"), ("AAXJ", "AAXJ", "AAXJ")],
)
def test_symbols_map_to_each_providers_names(asked, symbol, yahoo):
    inst = live.instrument(asked)
    assert (inst.symbol, inst.yahoo) == (symbol, yahoo)


def test_the_msci_asia_measure_is_a_named_etf_proxy():
    inst = live.instrument(live.instrument("MSCI-APXJ").live_proxy)
    assert inst.kind == "etf" and inst.proxy_for == "MSCI AC Asia ex Japan"


def test_any_plain_ticker_is_a_stock_and_nonsense_is_refused():
    assert live.instrument("amzn").kind == "stock"
    with pytest.raises(UnknownSymbolError):
        live.instrument("../etc")


def test_datasets_can_be_set_from_the_environment_as_a_comma_separated_list():
    d = settings({"MARKETSHOCK_DATASETS_CRYPTO_HISTORY": "coinbase, yahoo"}).datasets
    assert d.crypto_history == ["coinbase", "yahoo"]
    with pytest.raises(ConfigError, match="MARKETSHOCK_DATASETS_CLAIMS"):
        settings({"MARKETSHOCK_DATASETS_CLAIMS": "bloomberg"})


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_curated_file_that_is_a_fifo_is_refused_rather_than_read_forever(tmp_path):
    from marketshock.config import CuratedSettings
    from marketshock.errors import CuratedFileError
    from marketshock.providers.curated import Curated

    fifo = tmp_path / "capex.csv"
    os.mkfifo(fifo)
    with pytest.raises(CuratedFileError, match="is not a regular file"):
        Curated(CuratedSettings(capex_file=str(fifo))).capex()


def test_the_body_cap_and_deadline_come_from_the_environment():
    http = settings({"MARKETSHOCK_HTTP_MAX_BODY_MB": "2", "MARKETSHOCK_HTTP_DEADLINE": "7.5"}).http
    assert (http.max_body_mb, http.deadline) == (2.0, 7.5)


def test_live_data_passes_the_body_cap_in_bytes_and_the_deadline():
    data = live.LiveData(
        settings({"MARKETSHOCK_HTTP_MAX_BODY_MB": "2", "MARKETSHOCK_HTTP_DEADLINE": "7.5"}), dt.date(2026, 2, 6)
    )
    assert (data.http.max_body, data.http.deadline) == (2 * 1024 * 1024, 7.5)


def test_a_deadline_of_zero_is_a_config_error():
    with pytest.raises(ConfigError, match="MARKETSHOCK_HTTP_DEADLINE"):
        settings({"MARKETSHOCK_HTTP_DEADLINE": "0"})
