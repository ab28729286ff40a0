"""End to end: the `marketshock` command against a local server on 127.0.0.1 that stands in for
every provider (tests/replay_server.py). Nothing leaves the machine.

Runs go through `main()` in this process (tests/harness.py), the server answering from its own
thread; where a real process is the point (a disk cache shared between two runs, what a process
prints of a secret) the installed console script runs instead. One server of each kind serves
the whole session (it builds each answer once); every test starts it with no faults and no hits.
"""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest

from harness import Run, invoke, process
from replay_server import ESCAPES, FAULTS, HOSTILE_FAULTS, ReplayServer, gzip_bomb

PLANTED_KEY = "f0e1d2c3b4a5968778695a4b3c2d1e0f"


@pytest.fixture(scope="session")
def _replay_server():
    srv = ReplayServer("replay").start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="session")
def _recorded_server():
    srv = ReplayServer("recorded").start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def server(_replay_server):
    yield _replay_server.reset()
    _replay_server.reset()


@pytest.fixture
def recorded(_recorded_server):
    yield _recorded_server.reset()
    _recorded_server.reset()


def write_config(path: Path, datasets: dict[str, list[str]] | None = None) -> Path:
    lines = ["[datasets]"] + [f"{k} = {json.dumps(v)}" for k, v in (datasets or {}).items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def run(
    srv: ReplayServer | None,
    *args: str,
    tmp_path: Path,
    datasets: dict[str, list[str]] | None = None,
    env: dict[str, str] | None = None,
    real_process: bool = False,
) -> Run:
    environ = {
        "MARKETSHOCK_CONFIG": str(write_config(tmp_path / "config.toml", datasets)),
        "MARKETSHOCK_CACHE_DIR": str(tmp_path / "cache"),
        "MARKETSHOCK_SEC_USER_AGENT": "marketshock tests tests@example.com",
        # Generous for answers that do come: the replay server builds whole histories on a
        # busy 2-core machine. Tests of timeouts set their own sub-second value.
        "MARKETSHOCK_HTTP_TIMEOUT": "10",
        "MARKETSHOCK_HTTP_RETRIES": "0",
        "NO_COLOR": "1",
        "COLUMNS": "200",
        # The replay server serves the bundled series: the live default universe's real index
        # levels (S&P 500, Nikkei, ...) have no recording, so the universe is the bundled one.
        "MARKETSHOCK_WATCHLIST_INDICES": "KOSPI,MSCI-APXJ,VIX",
    }
    if srv is not None:
        environ.update(srv.env())
    environ.update(env or {})
    # In process, a traceback would be an exception escaping `main()`: the test fails on it there.
    result = process(*args, env=environ, entry="script") if real_process else invoke(*args, env=environ)
    assert "Traceback" not in result.err, result.err
    return result


def offline(*args: str, tmp_path: Path) -> Run:
    result = run(None, *args, "--offline", tmp_path=tmp_path)
    assert result.code == 0, result.err
    return result


def keys(value):
    """The shape of a JSON value: dict keys, recursively, and the shape of a list's first item."""
    if isinstance(value, dict):
        return {k: keys(v) for k, v in value.items() if k not in ("source", "sources")}  # sources gain fetched_at
    if isinstance(value, list):
        return [keys(value[0])] if value and isinstance(value[0], dict) else []
    return None


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


ASIA_CURATED = {"asia_measure": ["curated"]}


# --- recorded responses -----------------------------------------------------------------------


def test_recorded_yahoo_bitcoin_gives_the_offline_fields_with_the_recorded_values(recorded, tmp_path):
    live = run(recorded, "crypto", "--symbols", "BTC", "--as-of", "2020-01-03", "--json", tmp_path=tmp_path)
    assert live.code == 0, live.err
    asset = live.json()["data"]["assets"][0]
    assert keys(asset) == keys(
        offline("crypto", "--symbols", "BTC", "--json", tmp_path=tmp_path).json()["data"]["assets"][0]
    )
    assert (asset["date"], asset["price"], asset["low"]) == ("2020-01-03", 7344.88, 6915.0)
    assert asset["change_1d_pct"] == round((7344.88427734375 / 6985.47021484375 - 1) * 100, 2)
    assert asset["data_starts"] == "2020-01-01"
    assert asset["source"]["provider"] == "Yahoo Finance" and "fetched_at" in asset["source"]
    assert live.json()["source"] == "live"


def test_recorded_coinbase_candles_serve_crypto_when_configured(recorded, tmp_path):
    live = run(
        recorded,
        "crypto",
        "--symbols",
        "BTC",
        "--as-of",
        "2026-07-31",
        "--json",
        tmp_path=tmp_path,
        datasets={"crypto_history": ["coinbase"]},
    )
    assert live.code == 0, live.err
    asset = live.json()["data"]["assets"][0]
    assert (asset["date"], asset["price"], asset["low"], asset["high"]) == ("2026-07-31", 62826.78, 62358.96, 65360.0)
    assert asset["data_starts"] == "2026-06-22"
    assert asset["source"]["provider"] == "Coinbase Exchange"


def test_recorded_stooq_serves_indices_when_yahoo_has_no_data(recorded, tmp_path):
    live = run(recorded, "indices", "--symbols", "KOSPI,SPY", "--as-of", "2024-01-26", "--json", tmp_path=tmp_path)
    assert live.code == 0, live.err
    rows = {r["symbol"]: r for r in live.json()["data"]["indices"]}
    assert keys(rows["SPY"]) == keys(
        offline("indices", "--symbols", "SPY", "--json", tmp_path=tmp_path).json()["data"]["indices"][0]
    )
    assert (rows["KOSPI"]["date"], rows["KOSPI"]["last"]) == ("2024-01-26", 2478.56)
    assert rows["KOSPI"]["source"]["provider"] == "Stooq"
    assert rows["SPY"]["date"] == "2024-01-26" and rows["SPY"]["proxy_for"] == "S&P 500"


def test_recorded_fred_claims_in_both_header_styles_as_of_the_last_recorded_week(recorded, tmp_path):
    live = run(recorded, "labor", "--as-of", "2023-11-16", "--json", tmp_path=tmp_path)
    assert live.code == 0, live.err
    claims = live.json()["data"]["claims"]
    assert keys(live.json()["data"]) == keys(offline("labor", "--json", tmp_path=tmp_path).json()["data"]) | {
        "claims_first_print": None,  # no first print of 2023 is bundled: the vintage, marked later, stands
        "claims_later_revision": None,
    }
    assert claims["revised_after_as_of"] is True  # FRED's latest vintage was fetched after 2023-11-16
    icsa = dict(
        line.split(",")
        for line in (Path(__file__).parent / "fixtures/real/fred_fredgraph_ICSA.csv").read_text().split()
    )
    ccsa = dict(
        line.split(",")
        for line in (Path(__file__).parent / "fixtures/real/fred_fredgraph_CCSA_DATEheader_2023-11.csv")
        .read_text()
        .split()
    )
    # Initial claims appear the Thursday after the week; continuing claims a week later.
    assert (claims["week_ending"], claims["initial"]) == ("2023-11-11", int(icsa["2023-11-11"]))
    assert (claims["continuing_week_ending"], claims["continuing"]) == ("2023-11-04", int(ccsa["2023-11-04"]))
    assert claims["change"] == int(icsa["2023-11-11"]) - int(icsa["2023-11-04"])


def test_recorded_sec_facts_give_capex_actuals_filed_by_the_as_of_date(recorded, tmp_path):
    args = ("earnings-capex", "--tickers", "AMZN,GOOGL,META,MSFT", "--as-of", "2026-02-06", "--json")
    live = run(recorded, *args, tmp_path=tmp_path)
    assert live.code == 0, live.err
    companies = {c["ticker"]: c for c in live.json()["data"]["companies"]}
    assert keys(live.json()["data"]["companies"][0]) == keys(
        offline(*args, tmp_path=tmp_path).json()["data"]["companies"][0]
    )
    actuals = {t: (c["capex_actual_usd"], c["capex_actual_year"]) for t, c in companies.items()}
    assert actuals == {
        "AMZN": (131819e6, 2025),
        "GOOGL": (91447e6, 2025),
        "META": (69691e6, 2025),
        "MSFT": (64551e6, 2025),  # FY2026 (filed 2026-07-29) was not known yet
    }
    assert "PaymentsToAcquireProductiveAssets" in companies["AMZN"]["capex_actual_basis"]
    assert any(s["provider"] == "SEC EDGAR" for s in companies["MSFT"]["sources"])


# --- replay: live equals offline ------------------------------------------------------------------


def without(value: dict, *names: str) -> dict:
    return {k: v for k, v in value.items() if k not in names}


def test_replay_crypto_matches_offline(server, tmp_path):
    live = run(server, "crypto", "--as-of", "2026-02-06", "--json", tmp_path=tmp_path)
    off = offline("crypto", "--as-of", "2026-02-06", "--json", tmp_path=tmp_path)
    assert live.code == 0, live.err
    assert [without(a, "source") for a in live.json()["data"]["assets"]] == [
        without(a, "source") for a in off.json()["data"]["assets"]
    ]
    assert live.json()["data"]["market_cap"] == off.json()["data"]["market_cap"]
    assert live.json()["data"]["etf_flows"] == off.json()["data"]["etf_flows"]
    btc = live.json()["data"]["assets"][0]
    assert (btc["lowest_since"], btc["change_7d_pct"]) == ("2024-10-11", -16.13)
    assert server.hits["coingecko"] == 0  # /global is "now": a past as-of date never asks it


def test_replay_crypto_from_coinbase_pages_matches_offline(server, tmp_path):
    live = run(
        server,
        "crypto",
        "--as-of",
        "2026-02-06",
        "--json",
        tmp_path=tmp_path,
        datasets={"crypto_history": ["coinbase"]},
    )
    off = offline("crypto", "--as-of", "2026-02-06", "--json", tmp_path=tmp_path)
    assert live.code == 0, live.err
    live_btc, off_btc = live.json()["data"]["assets"][0], off.json()["data"]["assets"][0]
    # The candles start in 2015 (Coinbase's BTC-USD listing), the bundled series in 2014: every figure
    # that looks back less than that agrees.
    for field in ("price", "low", "change_1d_pct", "change_7d_pct", "change_ytd_pct", "lowest_since", "drawdown_pct"):
        assert live_btc[field] == off_btc[field], field
    assert server.hits["coinbase"] > 1  # paged, 300 days a request


def test_replay_labor_matches_offline(server, tmp_path):
    live = run(server, "labor", "--as-of", "2026-02-06", "--json", tmp_path=tmp_path)
    off = offline("labor", "--as-of", "2026-02-06", "--json", tmp_path=tmp_path)
    assert live.code == 0, live.err
    data, expected = live.json()["data"], off.json()["data"]
    assert data["job_cuts"] == expected["job_cuts"]  # curated stays curated
    assert data["claims"] == expected["claims"]  # the first print, known on the day, in both
    assert data["claims_first_print"] == expected["claims_first_print"]
    assert data["recent_initial_claims"] == expected["recent_initial_claims"]
    assert (data["claims"]["week_ending"], data["claims"]["initial"]) == ("2026-01-31", 231000)
    later, expected_later = data["claims_later_revision"], expected["claims_later_revision"]
    assert without(later, "vintage", "vintage_date", "source") == without(
        expected_later, "vintage", "vintage_date", "source"
    )
    assert later["revised_after_as_of"] is True


def test_replay_labor_never_uses_a_claims_week_published_after_the_as_of_date(server, tmp_path):
    # 2026-02-04 is a Wednesday: the week to 2026-01-31 was published on Thursday 2026-02-05.
    live = run(server, "labor", "--as-of", "2026-02-04", "--json", tmp_path=tmp_path)
    off = offline("labor", "--as-of", "2026-02-04", "--json", tmp_path=tmp_path)
    assert live.json()["data"]["claims"]["week_ending"] == "2026-01-24"
    assert without(live.json()["data"]["claims"], "vintage", "source") == without(
        off.json()["data"]["claims"], "vintage", "source"
    )


def test_replay_earnings_capex_matches_offline_where_both_have_the_figure(server, tmp_path):
    live = run(server, "earnings-capex", "--as-of", "2026-02-06", "--json", tmp_path=tmp_path)
    off = offline("earnings-capex", "--as-of", "2026-02-06", "--json", tmp_path=tmp_path)
    assert live.code == 0, live.err
    got = {c["ticker"]: c for c in live.json()["data"]["companies"]}
    want = {c["ticker"]: c for c in off.json()["data"]["companies"]}
    assert list(got) == list(want)
    curated_fields = ("capex_guidance_low_usd", "capex_guidance_high_usd", "guidance_year", "guidance_text")
    curated_fields += ("reaction_pct", "reaction_session", "reaction_date", "reaction_text", "report_date", "reported")
    for ticker in got:
        for field in curated_fields:
            assert got[ticker][field] == want[ticker][field], (ticker, field)
    # Amazon's and Alphabet's bundled actuals are the SEC facts: the figures agree.
    for ticker in ("AMZN", "GOOGL"):
        for field in ("capex_actual_usd", "capex_actual_year", "guidance_growth_pct"):
            assert got[ticker][field] == want[ticker][field], (ticker, field)
    # Meta's and Microsoft's bundled actuals are company figures with finance leases, not the SEC
    # fact; live shows the SEC fact and says so.
    assert got["META"]["capex_actual_usd"] == 69691e6 and want["META"]["capex_actual_usd"] == 72220e6
    assert got["META"]["capex_actual_basis"].startswith("SEC XBRL PaymentsToAcquirePropertyPlantAndEquipment")
    assert got["QCOM"]["capex_actual_usd"] is None and any(g.startswith("SEC: ") for g in got["QCOM"]["gaps"])


def test_replay_a_10_k_filed_after_the_as_of_date_is_never_used(server, tmp_path):
    # Amazon released its results on 2026-02-05 and filed the 10-K on 2026-02-06.
    live = run(server, "earnings-capex", "--tickers", "AMZN", "--as-of", "2026-02-05", "--json", tmp_path=tmp_path)
    amzn = live.json()["data"]["companies"][0]
    assert amzn["capex_actual_usd"] == 131819e6  # from the release, the bundled curated figure
    assert not any(s["provider"] == "SEC EDGAR" for s in amzn["sources"])
    assert any("10-K was not filed by 2026-02-05" in g for g in amzn["gaps"])


def test_replay_indices_match_offline_with_curated_sidecar_notes(server, tmp_path):
    live = run(server, "indices", "--as-of", "2026-02-06", "--json", tmp_path=tmp_path, datasets=ASIA_CURATED)
    off = offline("indices", "--as-of", "2026-02-06", "--json", tmp_path=tmp_path)
    assert live.code == 0, live.err
    # The stand-in serves KOSPI bars from the curated closes, which leave out 2026-02-04 (its only
    # source was an aggregator, issue 19): the figures that span that session are the stand-in's
    # artefact, not a real Yahoo's. Everything else must match.
    spanning = ("change_5d_pct", "streak", "streak_complete", "recent_closes")

    def comparable(row: dict) -> dict:
        return without(row, "source", *spanning) if row["symbol"] == "KOSPI" else without(row, "source")

    assert [comparable(r) for r in live.json()["data"]["indices"]] == [
        comparable(r) for r in off.json()["data"]["indices"]
    ]
    kospi = live.json()["data"]["indices"][0]
    assert kospi["source"]["provider"] == "Yahoo Finance"
    assert any("sidecar" in note for note in kospi["notes"])  # no API has it: joined from the curated table


def test_replay_report_renders_every_section(server, tmp_path):
    live = run(server, "report", "--as-of", "2026-02-06", tmp_path=tmp_path, datasets=ASIA_CURATED)
    assert live.code == 0, live.err
    for title in ("Crypto", "Indices", "Big-tech capex", "jobless claims"):
        assert title in live.out
    assert live.err == ""  # stderr is not a terminal: no spinner, and nothing failed


# --- the cache, end to end ------------------------------------------------------------------------


def test_a_warm_cache_makes_no_request(server, tmp_path):
    args = ("report", "--as-of", "2026-02-06", "--json")
    first = run(server, *args, tmp_path=tmp_path, datasets=ASIA_CURATED, real_process=True)
    sent = sum(server.hits.values())
    second = run(server, *args, tmp_path=tmp_path, datasets=ASIA_CURATED, real_process=True)  # another process
    assert sent > 0 and sum(server.hits.values()) == sent
    assert second.json()["data"] == first.json()["data"]
    assert {p.name for p in (tmp_path / "cache").iterdir()} == {"yahoo", "fred", "sec"}


def test_refresh_asks_again(server, tmp_path):
    run(server, "crypto", "--symbols", "BTC", "--as-of", "2026-02-06", "--json", tmp_path=tmp_path)
    run(server, "--refresh", "crypto", "--symbols", "BTC", "--as-of", "2026-02-06", "--json", tmp_path=tmp_path)
    assert server.hits["yahoo"] == 2


def test_a_fallback_provider_answers_when_the_first_one_fails(server, tmp_path):
    server.faults["yahoo"] = "500"
    result = run(server, "crypto", "--symbols", "BTC", "--as-of", "2026-02-06", "--json", tmp_path=tmp_path)
    assert result.code == 0 and result.json()["errors"] == []
    assert result.json()["data"]["assets"][0]["source"]["provider"] == "Coinbase Exchange"


def test_a_failed_refresh_shows_the_cached_value_marked_stale(server, tmp_path):
    args = ("crypto", "--symbols", "BTC", "--as-of", "2026-02-06")
    only_yahoo = {"crypto_history": ["yahoo"]}
    good = run(server, *args, "--json", tmp_path=tmp_path, datasets=only_yahoo)
    server.faults["yahoo"] = "500"
    stale = run(server, *args, "--refresh", "--json", tmp_path=tmp_path, datasets=only_yahoo)
    assert stale.code == 3
    asset = stale.json()["data"]["assets"][0]
    assert asset["source"]["stale"] is True
    assert without(asset, "source") == without(good.json()["data"]["assets"][0], "source")
    [error] = stale.json()["errors"]
    assert (error["section"], error["provider"], error["kind"]) == ("crypto", "yahoo", "http-status")
    assert "(stale)" in error["message"]
    table = run(server, *args, "--refresh", tmp_path=tmp_path, datasets=only_yahoo)
    assert table.code == 3 and "[1 stale]" in table.out and "STALE: cached value fetched" in table.out
    assert table.err_lines == [f"marketshock: crypto: {error['message']}"]


def test_a_corrupt_cache_file_is_a_miss_end_to_end(server, tmp_path):
    args = ("crypto", "--symbols", "BTC", "--as-of", "2026-02-06", "--json")
    run(server, *args, tmp_path=tmp_path)
    for file in (tmp_path / "cache" / "yahoo").glob("*.json"):
        file.write_text(file.read_text()[:100])
    again = run(server, *args, tmp_path=tmp_path)
    assert again.code == 0 and server.hits["yahoo"] == 2


# --- secrets, settings ------------------------------------------------------------------------------


def test_a_fred_api_key_never_appears_in_output_logs_or_errors(server, tmp_path):
    env = {"MARKETSHOCK_FRED_API_KEY": PLANTED_KEY}
    ok = run(server, "-v", "labor", "--as-of", "2026-02-06", "--json", tmp_path=tmp_path, env=env, real_process=True)
    assert ok.code == 0, ok.err
    assert ok.json()["data"]["claims"]["vintage"].startswith("FRED vintage of 2026-02-06")  # the JSON API served it
    server.faults["fred"] = "500"
    args = ("-v", "--refresh", "labor", "--as-of", "2026-02-06")
    failed = run(server, *args, tmp_path=tmp_path, env=env, real_process=True)
    assert failed.code == 3
    shown = run(server, *args, "--json", tmp_path=tmp_path, env=env, real_process=True)
    for result in (ok, failed, shown):
        assert PLANTED_KEY not in result.out + result.err
    assert "api_key=***" in ok.err  # the -v trace shows the request, key masked
    for file in (tmp_path / "cache").rglob("*"):
        if file.is_file():
            assert PLANTED_KEY not in file.read_text()


def test_sec_without_a_user_agent_refuses_and_sends_nothing(server, tmp_path):
    result = run(
        server,
        "earnings-capex",
        "--tickers",
        "AMZN",
        "--as-of",
        "2026-02-06",
        "--json",
        tmp_path=tmp_path,
        env={"MARKETSHOCK_SEC_USER_AGENT": ""},
    )
    assert result.code == 3  # the curated actual is shown, the refusal is listed
    assert server.hits["sec"] == 0
    [error] = result.json()["errors"]
    assert error["kind"] == "config" and "MARKETSHOCK_SEC_USER_AGENT" in error["message"]
    assert result.json()["data"]["companies"][0]["capex_actual_usd"] == 131819e6


def test_one_base_url_variable_serves_both_fred_hosts(server, tmp_path):
    env = {"MARKETSHOCK_FRED_API_KEY": PLANTED_KEY}
    result = run(server, "labor", "--as-of", "2026-02-06", "--json", tmp_path=tmp_path, env=env)
    assert result.code == 0, result.err
    assert any(p.startswith("/fred/series/observations") for p in server.paths)


def test_an_as_of_date_in_the_future_is_a_usage_error(server, tmp_path):
    result = run(server, "crypto", "--as-of", "2999-01-01", tmp_path=tmp_path)
    assert result.code == 2
    assert result.err_lines == [result.err_lines[0]] and "in the future" in result.err


# --- the fault matrix -------------------------------------------------------------------------------

# provider -> (command, datasets restricted so that the provider has no fallback, exit code when it fails)
SCENARIOS = {
    "yahoo": (("crypto", "--symbols", "BTC"), {"crypto_history": ["yahoo"], "market_value": ["curated"]}, 1),
    "coinbase": (("crypto", "--symbols", "BTC"), {"crypto_history": ["coinbase"], "market_value": ["curated"]}, 1),
    "coingecko": (("crypto", "--symbols", "BTC"), {"market_value": ["coingecko", "curated"]}, 3),
    "fred": (("labor",), {}, 3),
    "sec": (("earnings-capex", "--tickers", "AMZN"), {}, 3),
    "stooq": (("indices", "--symbols", "SPY"), {"etf_history": ["stooq"]}, 1),
}
KINDS = {
    "timeout": "timeout",
    "refused": "network",
    "500": "http-status",
    "429": "rate-limited",
    "malformed": "bad-response",
    "truncated": "network",
    "empty": "no-data",
    "html": "bad-response",
}


@pytest.mark.slow
@pytest.mark.parametrize("fault", [*FAULTS[:1], "refused", *FAULTS[1:]])
@pytest.mark.parametrize("provider", list(SCENARIOS))
def test_fault_matrix(server, tmp_path, provider, fault):
    command, datasets, code = SCENARIOS[provider]
    # Only the hanging server needs a short wait; the other faults answer at once, after the server
    # has built the whole history (a truncated body is half of it), which can take more than 0.3 s.
    env = {"MARKETSHOCK_HTTP_TIMEOUT": "0.3"} if fault == "timeout" else {}
    if fault == "refused":
        env[f"MARKETSHOCK_{provider.upper()}_BASE_URL"] = f"http://127.0.0.1:{closed_port()}"
    else:
        server.faults[provider] = fault
    if fault == "429":
        env["MARKETSHOCK_HTTP_RETRIES"] = "1"  # one retry, after the server's Retry-After: 1
    result = run(server, *command, "--json", tmp_path=tmp_path, datasets=datasets, env=env)
    assert result.code == code, result.err
    errors = result.json()["errors"]
    assert errors and all(e["provider"] == provider for e in errors), errors
    assert {e["kind"] for e in errors} == {KINDS[fault]}, errors
    # One readable line per failed dataset (FRED's labor asks two series), each naming the provider.
    assert 1 <= len(result.err_lines) <= 2
    for line in result.err_lines:
        assert line.startswith("marketshock: ") and f": {provider}: " in line
    if code == 3:
        assert result.json()["data"] is not None
    if fault == "refused":
        assert "connection refused" in result.err
    if fault == "429" and provider in ("yahoo", "stooq"):
        assert server.hits[provider] == 2  # the request was retried once, after Retry-After


def test_a_stale_sec_fact_is_marked_stale_in_the_capex_sources(server, tmp_path):
    args = ("earnings-capex", "--tickers", "GOOGL", "--as-of", "2026-02-06", "--json")
    run(server, *args, tmp_path=tmp_path)
    server.faults["sec"] = "500"
    stale = run(server, "--refresh", *args, tmp_path=tmp_path)
    assert stale.code == 3
    company = stale.json()["data"]["companies"][0]
    assert company["capex_actual_usd"] == 91447e6
    [sec_source] = [s for s in company["sources"] if s["provider"] == "SEC EDGAR"]
    assert sec_source["stale"] is True
    assert {(e["provider"], e["kind"]) for e in stale.json()["errors"]} == {("sec", "http-status")}


def test_a_disabled_cache_writes_nothing_and_asks_every_time(server, tmp_path):
    env = {"MARKETSHOCK_CACHE_ENABLED": "false"}
    for _ in range(2):
        result = run(server, "crypto", "--symbols", "BTC", "--as-of", "2026-02-06", tmp_path=tmp_path, env=env)
        assert result.code == 0, result.err
    assert server.hits["yahoo"] == 2
    assert not (tmp_path / "cache").exists()


def test_a_ticker_outside_the_curated_table_is_found_through_the_sec_ticker_map(server, tmp_path):
    result = run(server, "earnings-capex", "--tickers", "GOOG", "--as-of", "2026-02-06", "--json", tmp_path=tmp_path)
    assert result.code == 0, result.err
    assert "/files/company_tickers.json" in server.paths
    [company] = result.json()["data"]["companies"]
    assert (company["ticker"], company["name"]) == ("GOOG", "Alphabet Inc.")
    assert (company["capex_actual_usd"], company["capex_actual_year"]) == (91447e6, 2025)
    assert company["guidance_text"] == ""
    assert company["gaps"] == [
        "no curated guidance or reaction for this ticker",
        "from data: no 8-K with Item 2.02 accepted on or before 2026-02-06",  # the stand-in serves no submissions
    ]


# --- a hostile server: secrets, redirects, limits, escapes ----------------------------------------

# Sub-second limits for the hostile faults: a trickle is cut off by the deadline, an endless body by the cap.
LIMITS = {"MARKETSHOCK_HTTP_TIMEOUT": "0.3", "MARKETSHOCK_HTTP_DEADLINE": "1", "MARKETSHOCK_HTTP_MAX_BODY_MB": "1"}
# The size cap alone: time limits a busy 2-core machine cannot hit before 1 MiB has streamed.
SIZE_LIMIT = {"MARKETSHOCK_HTTP_TIMEOUT": "10", "MARKETSHOCK_HTTP_DEADLINE": "20", "MARKETSHOCK_HTTP_MAX_BODY_MB": "1"}


def everything_written(result: Run, *directories: Path) -> str:
    """stdout, stderr and every file the run left behind (snapshots, cache), as one text."""
    files = [f for d in directories for f in d.rglob("*") if f.is_file()]
    return "\n".join([result.out, result.err, *(f.read_text(errors="replace") for f in files)])


@pytest.mark.slow
@pytest.mark.parametrize("fault", [*FAULTS, "refused", *HOSTILE_FAULTS])
def test_a_planted_key_appears_in_no_output_file_or_log_whatever_fred_does(server, tmp_path, fault):
    env = {**LIMITS, "MARKETSHOCK_FRED_API_KEY": PLANTED_KEY}
    if fault == "refused":
        env["MARKETSHOCK_FRED_BASE_URL"] = f"http://127.0.0.1:{closed_port()}"
    else:
        server.faults["fred"] = fault
    out = tmp_path / "snapshots"
    # Real processes: the key must be masked because the config names it, not because an earlier test did.
    args = ("-v", "--as-of", "2026-02-06")
    snapshot = run(server, *args, "snapshot", "--out", str(out), tmp_path=tmp_path, env=env, real_process=True)
    labor = run(server, *args, "labor", "--json", tmp_path=tmp_path, env=env, real_process=True)
    assert labor.code == 3, labor.err
    assert [e["provider"] for e in labor.json()["errors"]] == ["fred", "fred"]
    for result in (snapshot, labor):
        assert PLANTED_KEY not in everything_written(result, out, tmp_path / "cache")


def test_fred_echoing_the_key_in_its_error_shows_the_error_with_the_key_masked(server, tmp_path):
    server.faults["fred"] = "echo"
    env = {"MARKETSHOCK_FRED_API_KEY": PLANTED_KEY}
    result = run(server, "labor", "--as-of", "2026-02-06", "--json", tmp_path=tmp_path, env=env)
    assert "Variable api_key is not registered" in result.json()["errors"][0]["message"]
    assert "api_key=***" in result.json()["errors"][0]["message"]
    assert PLANTED_KEY not in result.out + result.err


def test_a_redirect_to_another_host_fails_the_section_naming_both_hosts(server, tmp_path):
    server.faults["fred"] = "redirect"
    env = {"MARKETSHOCK_FRED_API_KEY": PLANTED_KEY}
    result = run(server, "labor", "--as-of", "2026-02-06", "--json", tmp_path=tmp_path, env=env)
    assert result.code == 3, result.err
    assert {e["kind"] for e in result.json()["errors"]} == {"redirect"}
    port = server.server_address[1]
    assert f"from http://127.0.0.1:{port} to http://localhost:{port}" in result.err
    assert not any(host.startswith("localhost") for host in server.hosts)  # the key never went there


def test_yahoo_redirecting_elsewhere_is_no_longer_a_silent_success(server, tmp_path):
    server.faults["yahoo"] = "redirect"
    datasets = {"crypto_history": ["yahoo"], "market_value": ["curated"]}
    result = run(server, "crypto", "--symbols", "BTC", "--json", tmp_path=tmp_path, datasets=datasets)
    assert result.code == 1
    assert {e["kind"] for e in result.json()["errors"]} == {"redirect"}


@pytest.mark.parametrize("fault", ["endless", "huge", "bomb"])
def test_a_body_over_the_cap_fails_its_section_in_one_line(server, tmp_path, fault):
    gzip_bomb()  # built before the run, not inside its one-second deadline
    server.faults["fred"] = fault
    result = run(server, "labor", "--as-of", "2026-02-06", "--json", tmp_path=tmp_path, env=SIZE_LIMIT)
    assert result.code == 3, result.err
    assert {e["kind"] for e in result.json()["errors"]} == {"too-large"}
    assert all("over the 1 MiB limit" in line for line in result.err_lines)


def test_a_trickling_server_is_cut_off_at_the_deadline(server, tmp_path):
    server.faults["fred"] = "trickle"
    started = time.monotonic()
    result = run(server, "labor", "--as-of", "2026-02-06", "--json", tmp_path=tmp_path, env=LIMITS)
    elapsed = time.monotonic() - started
    assert result.code == 3, result.err
    assert {e["kind"] for e in result.json()["errors"]} == {"timeout"}
    assert "1 s deadline" in result.err
    assert elapsed < 30  # very generous (a whole process on a busy machine); the trickle would go on for 60 s


def test_a_limit_serves_the_last_good_value_marked_stale(server, tmp_path):
    args = ("labor", "--as-of", "2026-02-06", "--json")
    assert run(server, *args, tmp_path=tmp_path).code == 0
    server.faults["fred"] = "endless"
    result = run(server, "--refresh", *args, tmp_path=tmp_path, env=LIMITS)
    assert result.code == 3
    assert result.json()["data"]["claims"] is not None
    assert all("stale" in e["message"] for e in result.json()["errors"])


def test_escapes_from_a_provider_never_reach_the_terminal_and_markup_stays_text(server, tmp_path):
    server.faults["fred"] = "echo"
    env = {"MARKETSHOCK_FRED_API_KEY": PLANTED_KEY}
    for args in (("labor",), ("labor", "--json")):
        result = run(server, *args, "--as-of", "2026-02-06", tmp_path=tmp_path, env=env)
        for text in (result.out, result.err):
            assert not any(c in text for c in "\x1b\x07\x9b\x9d"), repr(text)
        assert "[bold red]owned[/]" in result.err  # shown as the provider wrote it, not as bold red
    assert ESCAPES not in result.out
