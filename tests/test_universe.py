"""Any universe: instruments are data (one row of data/instruments.csv), and the watchlist in the
config is the default universe of every command, offline and live."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import shutil
from importlib import resources
from pathlib import Path

import pytest

from harness import Run, invoke
from marketshock import instruments
from marketshock.errors import ConfigError
from replay_server import ReplayServer

AS_OF = "2026-02-06"
SOL_ROW = "SOL,Solana,crypto,utc-days,UTC,bars,sol_usd_daily.csv,SOL-USD,,SOL-USD,solana,,,SOL-USD,yes\n"


def sol_bars() -> list[dict[str, str]]:
    """A made-up SOL history (the bundled ETH days at 1/20 of ETH's prices, so every figure
    has a long history behind it): the test checks figures against these rows, not the real SOL."""
    text = gzip.decompress(resources.files("marketshock.data").joinpath("eth_usd_daily_yahoo.csv.gz").read_bytes())
    rows = list(csv.DictReader(io.StringIO(text.decode())))
    for row in rows:
        for field in ("open", "high", "low", "close"):
            row[field] = f"{float(row[field]) / 20:.4f}"
    return rows


@pytest.fixture(scope="module")
def dataset_with_sol(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundled dataset with SOL added as exactly one CSV file and one instrument row."""
    directory = tmp_path_factory.mktemp("dataset")
    for item in resources.files("marketshock.data").iterdir():
        if item.is_file():
            (directory / item.name).write_bytes(item.read_bytes())
    with (directory / "sol_usd_daily.csv").open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=["date", "open", "high", "low", "close", "volume"])
        writer.writeheader()
        writer.writerows(sol_bars())
    with (directory / "instruments.csv").open("a") as table:
        table.write(SOL_ROW)
    return directory


def with_dataset(directory: Path, *args: str) -> Run:
    return invoke(*args, env={"MARKETSHOCK_BUNDLED_DIR": str(directory)})


def sol_close(day: str) -> float:
    return next(float(r["close"]) for r in sol_bars() if r["date"] == day)


# --- one file and one row: a new bundled asset ------------------------------------------------


def test_a_new_asset_shows_in_crypto_with_the_values_of_its_file(dataset_with_sol):
    result = with_dataset(dataset_with_sol, "crypto", "--offline", "--json")
    assets = {a["symbol"]: a for a in result.json()["data"]["assets"]}
    assert (result.code, list(assets)) == (0, ["BTC", "ETH", "SOL"])
    assert assets["SOL"]["price"] == round(sol_close(AS_OF), 2)
    assert assets["SOL"]["name"] == "Solana"


def test_a_new_asset_is_ranked_by_shock(dataset_with_sol):
    result = with_dataset(dataset_with_sol, "shock", "--offline", "--json")
    assert result.code == 0, result.err
    assert "SOL" in {m["symbol"] for m in result.json()["data"]["moves"]}


def test_a_new_asset_can_be_charted(dataset_with_sol):
    result = with_dataset(dataset_with_sol, "chart", "SOL", "--offline", "--json", "--since", "2026-01-01")
    points = result.json()["data"]["points"]
    assert result.code == 0, result.err
    assert points[-1] == {"x": AS_OF, "value": round(sol_close(AS_OF), 2)}


def test_a_new_asset_has_snapshot_metric_paths(dataset_with_sol, tmp_path):
    written = with_dataset(dataset_with_sol, "snapshot", "--offline", "--out", str(tmp_path))
    listed = with_dataset(dataset_with_sol, "history", "--list", "--dir", str(tmp_path))
    assert (written.code, listed.code) == (0, 0), written.err + listed.err
    assert {"crypto.SOL.price", "shock.moves.SOL.zscore"} <= set(listed.out.split())


def test_a_new_asset_is_among_the_schema_examples(dataset_with_sol):
    schema = with_dataset(dataset_with_sol, "schema").json()
    assert "SOL" in schema["$defs"]["CryptoAsset"]["properties"]["symbol"]["examples"]
    assert "SOL" in schema["$defs"]["MoveStats"]["properties"]["symbol"]["examples"]


def test_without_the_row_the_file_alone_is_not_an_asset(dataset_with_sol, tmp_path):
    bare = tmp_path / "dataset"
    shutil.copytree(dataset_with_sol, bare)
    table = (bare / "instruments.csv").read_text().replace(SOL_ROW, "")
    (bare / "instruments.csv").write_text(table)
    result = with_dataset(bare, "crypto", "--offline", "-s", "SOL")
    assert result.code == 2
    assert "unknown symbol 'SOL'" in result.err and "bundled data has BTC, ETH" in result.err


# --- the instrument table itself ----------------------------------------------------------------


def test_the_table_names_each_providers_symbol_and_the_proxies():
    table = instruments.load()
    assert table.get("^GSPC").symbol == "SPX"
    kospi = table.get("KOSPI")
    assert (kospi.yahoo, kospi.stooq, kospi.calendar) == ("^KS11", "^kospi", "XKRX")
    assert table.get("SPY").proxy_for == "S&P 500"
    assert table.get("MSCI-APXJ").live_proxy == "AAXJ"


def test_a_broken_row_is_a_config_error_naming_the_line():
    text = (resources.files("marketshock.data") / "instruments.csv").read_text()
    with pytest.raises(ConfigError, match=r"line 3: kind 'coin'"):
        instruments.parse(text.replace("ETH,Ether,crypto", "ETH,Ether,coin"), "instruments.csv")


def test_an_unlisted_crypto_symbol_follows_the_providers_conventions():
    row = instruments.adhoc("sol", "crypto")
    assert (row.symbol, row.yahoo, row.coinbase, row.calendar) == ("SOL", "SOL-USD", "SOL-USD", "utc-days")
    stock = instruments.adhoc("nvda", "stock")
    assert (stock.yahoo, stock.stooq) == ("NVDA", "nvda.us")


# --- the watchlist, offline -------------------------------------------------------------------


def test_the_watchlist_variable_is_the_default_universe():
    result = invoke("crypto", "--offline", "--json", env={"MARKETSHOCK_WATCHLIST_CRYPTO": "ETH"})
    assert [a["symbol"] for a in result.json()["data"]["assets"]] == ["ETH"]


def test_symbols_on_the_command_line_override_the_watchlist_for_one_run():
    result = invoke("crypto", "--offline", "--json", "-s", "BTC", env={"MARKETSHOCK_WATCHLIST_CRYPTO": "ETH"})
    assert [a["symbol"] for a in result.json()["data"]["assets"]] == ["BTC"]


def test_offline_a_watchlist_symbol_without_bundled_data_is_left_out_with_a_warning(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[watchlist]\ncrypto = ["BTC", "SOL"]\nindices = ["N225", "KOSPI"]\n')
    result = invoke("--config", str(config), "report", "--offline", "--json")
    data = result.json()["data"]
    assert result.code == 0, result.err
    assert [a["symbol"] for a in data["crypto"]["assets"]] == ["BTC"]
    assert data["indices"]["indices"][0]["symbol"] == "KOSPI"
    assert result.err_lines == [
        "marketshock: watchlist.crypto: no bundled data for SOL; left out offline (bundled: BTC, ETH)",
        "marketshock: watchlist.indices: no bundled data for N225; left out offline (bundled: KOSPI, MSCI-APXJ, VIX)",
    ]


def test_a_symbol_given_offline_without_bundled_data_is_exit_2_listing_what_is_bundled():
    result = invoke("crypto", "--offline", "-s", "SOL")
    assert result.code == 2
    assert result.err_lines == [
        "marketshock: error: unknown symbol 'SOL' (bundled data has BTC, ETH, KOSPI, MSCI-APXJ, SPY, QQQ, SMH, "
        "EEM, VIX, GLD, SLV)"
    ]


@pytest.mark.parametrize(
    ("args", "option"), [(("crypto", "-s", ""), "--symbols"), (("earnings-capex", "-t", " , "), "--tickers")]
)
def test_a_symbol_option_that_names_no_symbol_is_exit_2_not_the_default_list(args, option):
    result = invoke(*args, "--offline")
    assert (result.code, result.out) == (2, "")
    assert result.err_lines == [
        f"marketshock: error: {option} {args[2]!r} names no symbol: give a comma-separated list such as BTC,ETH"
    ]


def test_a_watchlist_entry_that_is_no_ticker_is_a_config_error(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[watchlist]\ncrypto = ["BTC", "../etc"]\n')
    result = invoke("--config", str(config), "crypto", "--offline")
    assert result.code == 2
    assert "watchlist.crypto" in result.err and "not a ticker-like symbol" in result.err


def test_config_init_writes_the_default_watchlist(tmp_path):
    target = tmp_path / "config.toml"
    assert invoke("--config", str(target), "config", "init").code == 0
    text = target.read_text()
    assert "[watchlist]\n" in text and '"BTC",' in text and '"QCOM",' in text


def test_sources_prints_the_effective_universe():
    result = invoke("sources", env={"MARKETSHOCK_WATCHLIST_CRYPTO": "BTC,SOL"})
    assert "universe crypto (watchlist): BTC, SOL" in result.out
    assert "universe companies (default): AMZN, GOOGL, MSFT, META, QCOM" in result.out


# --- the watchlist, live: stand-ins in Yahoo's and the SEC's real formats --------------------------

NVDA_CIK = 1045810


def stand_in_rows(base: float, days: int = 400, end: dt.date = dt.date(2026, 2, 6)) -> list[dict[str, str]]:
    """Daily rows ending on `end`: close = base + the day's number, so each value is known."""
    rows = []
    for n in range(days):
        day = end - dt.timedelta(days=days - 1 - n)
        close = base + n
        rows.append(
            {"date": day.isoformat(), "open": str(close), "high": str(close + 1), "low": str(close - 1),
             "close": str(close), "volume": "1000"}
        )  # fmt: skip
    return rows


def weekdays(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [r for r in rows if dt.date.fromisoformat(r["date"]).weekday() < 5]


@pytest.fixture(scope="module")
def stand_ins():
    srv = ReplayServer("replay").start()
    try:
        srv.answers.extra_yahoo.update(
            {
                "SOL-USD": (stand_in_rows(100.0), 0),
                "^N225": (weekdays(stand_in_rows(38000.0)), 32400),
                "^HSI": (weekdays(stand_in_rows(20000.0)), 28800),
            }
        )
        capex = [
            {"start": "2024-01-29", "end": "2025-01-26", "val": 3236000000, "accn": "0001045810-25-000023",
             "fy": 2025, "fp": "FY", "form": "10-K", "filed": "2025-02-26"},
        ]  # fmt: skip
        srv.answers.extra_sec[NVDA_CIK] = {"PaymentsToAcquirePropertyPlantAndEquipment": {"USD": capex}}
        yield srv
    finally:
        srv.stop()


WATCHLIST = '[watchlist]\ncrypto = ["BTC", "SOL"]\nindices = ["N225", "HSI"]\netfs = []\ncompanies = ["NVDA"]\n'


def live(srv: ReplayServer, tmp_path: Path, *args: str, config_text: str = WATCHLIST) -> Run:
    """`marketshock ARGS` against the stand-ins, with `config_text` as the config file."""
    config = tmp_path / "config.toml"
    config.write_text(config_text)
    env = {
        **srv.env(),
        "MARKETSHOCK_CONFIG": str(config),
        "MARKETSHOCK_CACHE_DIR": str(tmp_path / "cache"),
        "MARKETSHOCK_SEC_USER_AGENT": "marketshock tests tests@example.com",
        "MARKETSHOCK_HTTP_RETRIES": "0",
    }
    return invoke(*args, env=env)


@pytest.mark.slow
def test_a_live_report_shows_the_watchlist_with_the_served_values(stand_ins, tmp_path):
    result = live(stand_ins, tmp_path, "report", "--as-of", AS_OF, "--json")
    data = result.json()["data"]
    assets = {a["symbol"]: a for a in data["crypto"]["assets"]}
    rows = {r["symbol"]: r for r in data["indices"]["indices"]}
    companies = {c["ticker"]: c for c in data["earnings-capex"]["companies"]}
    assert "Traceback" not in result.err
    assert list(assets) == ["BTC", "SOL"] and assets["SOL"]["price"] == 100.0 + 399
    assert list(rows) == ["N225", "HSI"]
    assert rows["N225"]["last"] == float(weekdays(stand_in_rows(38000.0))[-1]["close"])
    assert rows["HSI"]["change_1d_pct"] == pytest.approx((20399 / 20398 - 1) * 100, abs=0.01)
    assert list(companies) == ["NVDA"] and companies["NVDA"]["capex_actual_usd"] == 3236000000
    assert {m["symbol"] for m in data["shock"]["moves"]} >= {"BTC", "SOL", "N225", "HSI"}


@pytest.mark.slow
def test_a_live_symbol_option_overrides_the_watchlist_for_one_run(stand_ins, tmp_path):
    result = live(stand_ins, tmp_path, "crypto", "--as-of", AS_OF, "--json", "-s", "ETH")
    assert result.code == 0, result.err
    assert [a["symbol"] for a in result.json()["data"]["assets"]] == ["ETH"]


@pytest.mark.slow
def test_a_live_symbol_no_provider_knows_is_exit_2_in_one_line(stand_ins, tmp_path):
    result = live(stand_ins, tmp_path, "crypto", "--as-of", AS_OF, "-s", "NOPE")
    assert result.code == 2
    assert len(result.err_lines) == 1 and "no provider knows 'NOPE'" in result.err


# --- what a new user tried (the defects found trying the universe as a new user would) -----------


def test_an_empty_universe_of_indices_is_an_empty_table_not_an_internal_error():
    env = {"MARKETSHOCK_WATCHLIST_INDICES": "", "MARKETSHOCK_WATCHLIST_ETFS": ""}
    result = invoke("indices", "--offline", "--json", env=env)
    assert (result.code, result.json()["data"]["indices"], result.json()["errors"]) == (0, [], [])


def test_an_empty_universe_has_no_moves_to_rank():
    empty = {f"MARKETSHOCK_WATCHLIST_{g}": "" for g in ("CRYPTO", "INDICES", "ETFS")}
    result = invoke("shock", "--offline", "--json", env=empty)
    assert (result.code, result.json()["data"]["moves"]) == (0, [])


def test_offline_a_listed_company_in_the_indices_watchlist_is_left_out_not_exit_2():
    result = invoke("indices", "--offline", "--json", env={"MARKETSHOCK_WATCHLIST_INDICES": "AMZN,KOSPI"})
    assert result.code == 0
    assert "AMZN" not in {r["symbol"] for r in result.json()["data"]["indices"]}
    assert result.err_lines == [
        "marketshock: watchlist.indices: no bundled data for AMZN; left out offline (bundled: KOSPI, MSCI-APXJ, VIX)"
    ]


def test_a_crypto_asset_is_not_an_index():
    result = invoke("indices", "--offline", "-s", "BTC")
    assert result.code == 2
    assert result.err_lines == ["marketshock: error: 'BTC' is a crypto asset (see `marketshock crypto`)"]


def test_an_empty_bundled_dir_variable_means_the_package_data(tmp_path):
    (tmp_path / "instruments.csv").write_text("not a table\n")
    result = invoke("crypto", "--offline", "--json", env={"MARKETSHOCK_BUNDLED_DIR": ""}, cwd=tmp_path)
    assert (result.code, [a["symbol"] for a in result.json()["data"]["assets"]]) == (0, ["BTC", "ETH"])


def copy_with(dataset: Path, tmp_path: Path, file: str, text: str) -> Path:
    directory = tmp_path / "dataset"
    shutil.copytree(dataset, directory)
    (directory / file).write_text(text)
    return directory


def test_a_series_file_out_of_date_order_gives_the_figures_of_the_ordered_file(dataset_with_sol, tmp_path):
    text = (dataset_with_sol / "sol_usd_daily.csv").read_text().splitlines()
    shuffled = copy_with(dataset_with_sol, tmp_path, "sol_usd_daily.csv", "\n".join([text[0], *reversed(text[1:])]))
    ordered = with_dataset(dataset_with_sol, "crypto", "--offline", "--json", "-s", "SOL").json()["data"]["assets"]
    result = with_dataset(shuffled, "crypto", "--offline", "--json", "-s", "SOL")
    assert result.code == 0 and result.json()["data"]["assets"] == ordered


def test_a_malformed_series_file_is_one_line_naming_it_and_exit_2(dataset_with_sol, tmp_path):
    broken = copy_with(dataset_with_sol, tmp_path, "sol_usd_daily.csv", "date,open,high,low\n2026-02-06,1,2,0.5\n")
    result = with_dataset(broken, "crypto", "--offline", "-s", "SOL")
    assert result.code == 2 and len(result.err_lines) == 1
    assert "price history of SOL" in result.err and "no column 'close'" in result.err and "Traceback" not in result.err


def test_a_missing_file_of_the_bundled_dir_is_bad_config(dataset_with_sol, tmp_path):
    directory = tmp_path / "dataset"
    shutil.copytree(dataset_with_sol, directory)
    (directory / "sol_usd_daily.csv").unlink()
    result = with_dataset(directory, "crypto", "--offline")
    assert result.code == 2 and len(result.err_lines) == 1 and "sol_usd_daily.csv" in result.err


def test_an_alias_naming_two_instruments_is_refused():
    text = (resources.files("marketshock.data") / "instruments.csv").read_text()
    with pytest.raises(ConfigError, match="alias BTC-USD already names BTC"):
        instruments.parse(text + "SOL,Solana,crypto,utc-days,UTC,bars,,SOL-USD,,,,,,BTC-USD,no\n", "instruments.csv")


def test_a_file_outside_the_data_directory_is_refused():
    text = (resources.files("marketshock.data") / "instruments.csv").read_text()
    with pytest.raises(ConfigError, match="must be a file name"):
        instruments.parse(text + "SOL,Solana,crypto,utc-days,UTC,bars,../../etc/passwd,,,,,,,,no\n", "instruments.csv")


@pytest.mark.slow
def test_live_a_watchlist_symbol_no_provider_knows_is_left_out_and_the_snapshot_is_written(stand_ins, tmp_path):
    config_text = '[watchlist]\ncrypto = ["BTC", "NOPE"]\n'
    out = str(tmp_path / "snaps")
    result = live(stand_ins, tmp_path, "snapshot", "--as-of", AS_OF, "--out", out, config_text=config_text)
    assert result.code == 3
    doc = json.loads((tmp_path / "snaps" / f"{AS_OF}.json").read_text())
    assert [a["symbol"] for a in doc["data"]["crypto"]["assets"]] == ["BTC"]
    assert any("no provider knows 'NOPE'" in e["message"] for e in doc["errors"])


@pytest.mark.slow
def test_live_a_company_with_no_capex_fact_is_a_row_of_absences_beside_the_others(stand_ins, tmp_path):
    # The stand-in has no capex concept for Apple (404: never filed under it): an answer, not a failure.
    config_text = '[watchlist]\ncompanies = ["NVDA", "AAPL"]\n'
    result = live(stand_ins, tmp_path, "earnings-capex", "--as-of", AS_OF, "--json", config_text=config_text)
    assert result.code == 0
    companies = {c["ticker"]: c for c in result.json()["data"]["companies"]}
    assert list(companies) == ["NVDA", "AAPL"]
    assert companies["AAPL"]["capex_actual_usd"] is None
    assert any(g.startswith("SEC: no full-year 10-K capex fact") for g in companies["AAPL"]["gaps"])
    assert result.json()["errors"] == []


# --- any day of the bundled history (issue 15, part 1) ---------------------------------------------


def test_a_report_of_2022_11_09_has_the_rows_of_that_day():
    result = invoke("report", "--offline", "--as-of", "2022-11-09", "--json")
    data = result.json()["data"]
    assert (result.code, result.json()["errors"], result.json()["coverage"]) == (0, [], [])
    assert {a["symbol"]: a["date"] for a in data["crypto"]["assets"]} == {"BTC": "2022-11-09", "ETH": "2022-11-09"}
    rows = {r["symbol"]: r for r in data["indices"]["indices"]}
    assert rows["SPY"]["date"] == rows["VIX"]["date"] == "2022-11-09"
    assert data["labor"]["claims"]["week_ending"] <= "2022-11-09"


def test_a_day_before_crypto_existed_lists_crypto_in_coverage_not_errors():
    result = invoke("report", "--offline", "--as-of", "2008-10-10", "--json")
    doc = result.json()
    assert (result.code, doc["errors"], doc["data"]["crypto"]) == (0, [], None)
    assert [(c["section"], c["symbol"], c["first"]) for c in doc["coverage"]] == [
        ("crypto", "BTC", "2014-09-17"),
        ("crypto", "ETH", "2017-11-09"),
    ]
    assert doc["data"]["indices"] is not None and doc["data"]["labor"] is not None
    assert "crypto: no BTC closes on or before 2008-10-10 in the data (the data starts 2014-09-17)" in result.err


def test_one_asset_without_data_that_day_is_coverage_and_the_other_shows():
    result = invoke("crypto", "--offline", "--as-of", "2016-06-01", "--json")
    doc = result.json()
    assert (result.code, doc["errors"]) == (0, [])
    assert [a["symbol"] for a in doc["data"]["assets"]] == ["BTC"]
    assert [c["symbol"] for c in doc["coverage"]] == ["ETH"]


def test_a_command_with_nothing_that_day_produces_nothing_and_says_why():
    result = invoke("crypto", "--offline", "--as-of", "2008-10-10")
    assert result.code == 1
    assert result.err_lines[0].startswith("marketshock: crypto: no BTC closes on or before 2008-10-10")
