"""`marketshock sources`: providers, base URLs, datasets, credentials (set or not), cache age."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

from harness import invoke
from marketshock.commands.sources import age_text

PROVIDERS = ("yahoo", "coingecko", "coinbase", "fred", "sec", "stooq", "bundled")


def row(out: str, provider: str) -> str:
    return next(line for line in out.splitlines() if line.startswith(f"{provider} "))


def test_every_provider_is_listed_with_its_default_base_url():
    result = invoke("sources")
    assert result.code == 0
    assert [line.split()[0] for line in result.out.splitlines() if line.split()[0] in PROVIDERS] == list(PROVIDERS)
    assert "https://query1.finance.yahoo.com" in row(result.out, "yahoo")
    assert "https://data.sec.gov" in row(result.out, "sec")
    assert "fredgraph" in row(result.out, "fred")  # no key: the keyless endpoint
    assert "KOSPI" in result.out and "BTC" in result.out  # what the bundled data serves


def test_base_urls_and_credentials_follow_the_config(monkeypatch):
    monkeypatch.setenv("MARKETSHOCK_YAHOO_BASE_URL", "http://127.0.0.1:8081")
    monkeypatch.setenv("MARKETSHOCK_FRED_API_KEY", "0123456789abcdef0123456789abcdef")
    monkeypatch.setenv("MARKETSHOCK_SEC_USER_AGENT", "Jane Doe jane@example.com")
    result = invoke("sources")
    assert "http://127.0.0.1:8081" in row(result.out, "yahoo")
    assert "API key set" in row(result.out, "fred")
    assert "User-Agent set" in row(result.out, "sec")
    assert "0123456789abcdef" not in result.out and "jane@example.com" not in result.out


def test_cache_age_is_the_newest_file_under_the_providers_directory(tmp_path: Path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("MARKETSHOCK_CACHE_DIR", str(cache))
    now = time.time()
    for path, age in (("yahoo/chart/BTC-USD", 3 * 3600 + 30), ("yahoo/old", 9 * 86400), ("fred/ICSA.csv", 5 * 86400)):
        (cache / path).parent.mkdir(parents=True, exist_ok=True)
        (cache / path).write_text("cached")
        os.utime(cache / path, (now - age, now - age))
    result = invoke("sources")
    assert f"Cache: {cache} (HTTP answers; parsed bundled files in columns/)" in result.out
    assert "3h 00m old" in row(result.out, "yahoo")
    assert "5d old" in row(result.out, "fred")
    assert "empty" in row(result.out, "coingecko")


def test_cache_disabled_says_so(monkeypatch):
    monkeypatch.setenv("MARKETSHOCK_CACHE_ENABLED", "false")
    result = invoke("sources")
    assert "disabled" in row(result.out, "yahoo")


def test_age_text_reads_like_a_person_would_say_it():
    now = dt.datetime(2026, 2, 6, 12, 0, tzinfo=dt.UTC)
    ago = [now - dt.timedelta(seconds=s) for s in (5, 150, 3 * 3600 + 7 * 60, 50 * 3600)]
    assert [age_text(t, now) for t in ago] == ["5s old", "2m old", "3h 07m old", "2d old"]
    assert age_text(None, now) == "empty"


def test_sources_shows_the_quality_of_each_bundled_dataset():
    out = invoke("sources").out
    assert "Bundled datasets and the quality of their sources" in out
    kospi = next(line for line in out.splitlines() if line.startswith("KOSPI closes"))
    assert "secondary" in kospi and "aggregator" in kospi
    # The Stooq history (1980-01-04 .. 2024-01-26) comes before the curated closes (issue 15).
    assert "Stooq, curated" in kospi and "1980-01-04" in kospi and "2026-02-20" in kospi
    assert "the provider's series" in next(line for line in out.splitlines() if line.startswith("BTC daily bars"))


def test_sources_json_lists_every_dataset_with_provider_quality_dates_and_rows():
    from harness import assert_valid_envelope

    result = invoke("sources", "--json")
    assert result.code == 0, result.err
    doc = result.json()
    assert_valid_envelope(doc)
    assert doc["command"] == "sources" and doc["errors"] == []
    assert [p["name"] for p in doc["data"]["providers"]] == list(PROVIDERS[:-1])
    datasets = {d["dataset"]: d for d in doc["data"]["datasets"]}
    cuts = datasets["Challenger job cuts"]
    assert cuts["provider"] == "Challenger, Gray & Christmas" and cuts["curated"] is True
    assert (cuts["first"], cuts["last"], cuts["rows"]) == ("2009-01-01", "2026-01-01", 23)
    counts = cuts["quality_counts"]
    assert counts["primary"] + counts["secondary"] + counts["aggregator"] == 23 and counts["unmarked"] == 0
    assert cuts["quality"] == "secondary"  # the lowest of its rows' marks: some Januaries rest on news reports
    btc = datasets["BTC daily bars"]
    assert (btc["provider"], btc["curated"], btc["quality"], btc["quality_counts"]) == (
        "Yahoo Finance",
        False,
        None,
        None,
    )
    assert btc["first"] == "2014-09-17" and btc["rows"] > 4000
    # every bundled data file is in some dataset
    from importlib import resources

    shipped = {n.name for n in resources.files("marketshock.data").iterdir() if ".csv" in n.name}
    # a `sessions` row may name its history file and its curated file, space-separated (KOSPI)
    listed = {name for d in doc["data"]["datasets"] for f in d["files"] for name in f.split()}
    assert shipped - listed == {"instruments.csv", "shocks_catalogue.csv"}  # tables of names, not datasets


def test_sources_json_never_shows_a_credential(monkeypatch):
    monkeypatch.setenv("MARKETSHOCK_FRED_API_KEY", "0123456789abcdef0123456789abcdef")
    result = invoke("sources", "--json")
    assert "0123456789abcdef" not in result.out
    fred = next(p for p in result.json()["data"]["providers"] if p["name"] == "fred")
    assert fred["credentials"] == "API key set"
