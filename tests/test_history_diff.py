"""`history METRIC` and `diff A B`: reading snapshots back, as tables, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from harness import assert_valid_envelope, home_dir, invoke

DAYS = ("2026-02-02", "2026-02-03", "2026-02-04", "2026-02-05", "2026-02-06")


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Snapshots of five bundled days, written once by the real command."""
    out = tmp_path_factory.mktemp("snapshots")
    for day in DAYS:
        assert invoke("snapshot", "--offline", "--as-of", day, "--out", str(out)).code == 0
    return out


@pytest.fixture
def snapshots(written: Path, tmp_path: Path) -> Path:
    """A private copy a test may spoil."""
    return Path(shutil.copytree(written, tmp_path / "snapshots"))


def btc(directory: Path, day: str) -> float:
    doc = json.loads((directory / f"{day}.json").read_text())
    return doc["data"]["crypto"]["assets"][0]["price"]


# --- history ----------------------------------------------------------------------------


def test_history_table_lists_each_snapshot_and_a_sparkline(snapshots: Path):
    result = invoke("history", "crypto.BTC.price", "--dir", str(snapshots))
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "crypto.BTC.price: 5 snapshots, 2026-02-02 .. 2026-02-06"
    assert [line.split()[0] for line in lines[2:7]] == list(DAYS)
    assert "70,555.39" in lines[6]  # the 2026-02-06 close
    assert lines[-1].startswith("trend ") and len(lines[-1].split()[1]) == 5


def test_history_json_is_an_envelope_with_one_point_per_snapshot(snapshots: Path):
    result = invoke("history", "crypto.BTC.price", "--dir", str(snapshots), "--json")
    doc = result.json()
    assert (doc["command"], doc["as_of"], doc["source"]) == ("history", "2026-02-06", "snapshots")
    assert [(p["date"], p["value"]) for p in doc["data"]["points"]] == [(d, btc(snapshots, d)) for d in DAYS]
    assert_valid_envelope(doc)


def test_history_csv_is_date_and_raw_value(snapshots: Path):
    result = invoke("history", "labor.claims.initial", "--dir", str(snapshots), "--csv")
    rows = list(csv.reader(io.StringIO(result.out)))
    assert rows[0] == ["date", "value"]
    # Claims as known each day, first prints: the week to 2026-01-24 (209,000), then the week
    # to 2026-01-31 (231,000) from its release on Thursday 2026-02-05.
    assert rows[1:] == [[d, "209000" if d < "2026-02-05" else "231000"] for d in DAYS]


def test_history_since_and_until_cut_the_range(snapshots: Path):
    cut = ("--since", "2026-02-03", "--until", "2026-02-05")
    result = invoke("history", "indices.SPY.last", *cut, "--dir", str(snapshots), "--csv")
    assert [r[0] for r in csv.reader(io.StringIO(result.out))][1:] == ["2026-02-03", "2026-02-04", "2026-02-05"]


def test_history_list_of_a_range_without_snapshots_says_so_and_exits_1(snapshots: Path):
    result = invoke("history", "--list", "--since", "2030-01-01", "--dir", str(snapshots))
    assert (result.code, result.out) == (1, "")
    said = f"no snapshot in {snapshots} between 2030-01-01 and the last has a metric"
    assert result.err == f"marketshock: error: {said}\n"


def test_history_list_prints_the_metric_paths_one_a_line(snapshots: Path):
    result = invoke("history", "--list", "--dir", str(snapshots))
    paths = result.out.splitlines()
    assert result.code == 0
    assert paths == sorted(paths)
    for documented in (
        "crypto.BTC.price",
        "crypto.ETH.change_ytd_pct",
        "crypto.market_cap.CoinMarketCap.wiped_out_usd",
        "labor.job_cuts.value",
        "labor.claims.initial",
        "labor.claims_first_print.initial",
        "indices.KOSPI.last",
        "indices.SPY.change_1d_pct",
        "earnings-capex.AMZN.reaction_pct",
        "earnings-capex.GOOGL.capex_guidance_high_usd",
    ):
        assert documented in paths


def test_history_skips_corrupt_snapshots_with_a_warning_naming_each(snapshots: Path):
    (snapshots / "2026-02-04.json").write_text('{"schema_version": 1, "comm')  # cut short
    (snapshots / "2026-02-07.json").write_text("[]")
    result = invoke("history", "crypto.BTC.price", "--dir", str(snapshots), "--csv")
    assert result.code == 0
    dates = [r[0] for r in csv.reader(io.StringIO(result.out))][1:]
    assert dates == ["2026-02-02", "2026-02-03", "2026-02-05", "2026-02-06"]
    warnings = result.err.splitlines()
    assert len(warnings) == 2
    for name in ("2026-02-04.json", "2026-02-07.json"):
        assert any(name in w and w.startswith("marketshock: skipped ") for w in warnings), name


def test_history_json_lists_the_skipped_files_too(snapshots: Path):
    (snapshots / "2026-02-04.json").write_bytes(b"\x00\x01garbage")
    doc = invoke("history", "crypto.BTC.price", "--dir", str(snapshots), "--json").json()
    assert [Path(s["file"]).name for s in doc["data"]["skipped"]] == ["2026-02-04.json"]
    assert_valid_envelope(doc)


def test_quiet_history_prints_no_warnings(snapshots: Path):
    (snapshots / "junk").write_text("x")
    result = invoke("-q", "history", "crypto.BTC.price", "--dir", str(snapshots))
    assert (result.code, result.err) == (0, "")


def test_history_of_an_unknown_metric_is_a_usage_error_with_suggestions(snapshots: Path):
    result = invoke("history", "crypto.BTC.prise", "--dir", str(snapshots))
    assert result.code == 2
    assert "crypto.BTC.price" in result.err and result.err.count("\n") == 1


def test_history_without_metric_or_list_is_a_usage_error(snapshots: Path):
    assert invoke("history", "--dir", str(snapshots)).code == 2


def test_history_of_an_empty_or_missing_directory_exits_1(tmp_path: Path):
    (tmp_path / "empty").mkdir()
    for where in (tmp_path / "empty", tmp_path / "missing"):
        result = invoke("history", "crypto.BTC.price", "--dir", str(where))
        assert result.code == 1
        assert "marketshock snapshot" in result.err


def test_history_reads_the_same_default_directory_snapshot_writes():
    assert invoke("snapshot", "--offline").code == 0
    assert (home_dir() / "data" / "marketshock" / "snapshots" / "2026-02-06.json").is_file()
    result = invoke("history", "crypto.BTC.price", "--csv")
    assert result.out.splitlines()[1:] == ["2026-02-06,70555.39"]


# --- diff --------------------------------------------------------------------------------


def test_diff_by_dates_shows_old_new_change_and_percent(snapshots: Path):
    result = invoke("diff", "2026-02-05", "2026-02-06", "--dir", str(snapshots), "--only", "crypto.BTC")
    assert result.code == 0
    row = next(line for line in result.out.splitlines() if line.startswith("crypto.BTC.price "))
    assert row.split() == ["crypto.BTC.price", "62,702.10", "70,555.39", "+7,853.29", "+12.5%"]


def test_diff_json_by_paths_is_an_envelope_of_changes(snapshots: Path):
    a, b = snapshots / "2026-02-04.json", snapshots / "2026-02-06.json"
    doc = invoke("diff", str(a), str(b), "--json").json()
    assert (doc["command"], doc["as_of"]) == ("diff", "2026-02-06")
    assert (doc["data"]["old"]["as_of"], doc["data"]["new"]["as_of"]) == ("2026-02-04", "2026-02-06")
    claims = next(c for c in doc["data"]["changes"] if c["metric"] == "labor.claims.initial")
    assert (claims["old"], claims["new"], claims["change"]) == (209000, 231000, 22000)
    assert claims["change_pct"] == pytest.approx(10.5263, abs=1e-4)
    assert_valid_envelope(doc)


def test_diff_lists_only_changes_unless_all(snapshots: Path):
    args = ("diff", "2026-02-05", "2026-02-06", "--dir", str(snapshots), "--csv", "--only", "labor.job_cuts")
    assert invoke(*args).out.splitlines() == ["metric,old,new,change,change_pct"]
    every = invoke(*args, "--all").out.splitlines()
    assert "labor.job_cuts.value,108435,108435,0,0.0" in every


def test_diff_of_a_missing_date_is_a_usage_error(snapshots: Path):
    result = invoke("diff", "2026-01-01", "2026-02-06", "--dir", str(snapshots))
    assert result.code == 2
    assert "no snapshot of 2026-01-01" in result.err


def test_diff_of_a_path_under_an_unknown_users_home_is_a_usage_error_not_a_traceback(snapshots: Path):
    # "~name" of no such user cannot be expanded (pathlib raises RuntimeError): it is a name like any other.
    result = invoke("diff", "~no-such-user-of-marketshock/a.json", "2026-02-05", "--dir", str(snapshots))
    assert (result.code, "no such snapshot file" in result.err, "Traceback" in result.err) == (2, True, False)


def test_diff_of_a_corrupt_file_names_it_in_one_line(snapshots: Path):
    bad = snapshots / "2026-02-05.json"
    bad.write_text("{")
    result = invoke("diff", str(bad), "2026-02-06", "--dir", str(snapshots))
    assert result.code == 2
    assert str(bad) in result.err and result.err.count("\n") == 1


def test_every_metric_path_the_readme_documents_exists(snapshots: Path):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`((?:crypto|indices|earnings-capex|labor)\.[\w.-]+)`", readme))
    assert len(documented) >= 10
    listed = set(invoke("history", "--list", "--dir", str(snapshots)).out.splitlines())
    assert documented <= listed, documented - listed


def test_history_list_shows_escapes_in_a_hand_edited_snapshot_as_inert_text(snapshots: Path):
    path = snapshots / "2026-02-06.json"
    doc = json.loads(path.read_text())
    doc["data"]["crypto"]["assets"][0]["symbol"] = "B\x1b]0;pwned\x07TC"
    path.write_text(json.dumps(doc))
    result = invoke("history", "--list", "--dir", str(snapshots))
    assert "\x1b" not in result.out and "\x07" not in result.out
    assert "crypto.BTC.price" in result.out.splitlines()


def test_a_long_history_table_shows_the_latest_rows_and_says_where_the_rest_are(tmp_path: Path):
    import datetime as dt

    from marketshock import store
    from marketshock.commands.snapshot import HISTORY_TABLE_ROWS

    first = dt.date(2025, 1, 1)
    days = [first + dt.timedelta(days=i) for i in range(HISTORY_TABLE_ROWS + 3)]
    for i, day in enumerate(days):
        doc = {"schema_version": 1, "command": "crypto", "as_of": day.isoformat(), "source": "bundled"}
        doc |= {"generated_at": f"{day}T23:30:00Z", "data": {"assets": [{"symbol": "BTC", "price": 100.0 + i}]}}
        store.write_snapshot(tmp_path, day, json.dumps(doc))
    result = invoke("history", "crypto.BTC.price", "--dir", str(tmp_path))
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[1] == f"the latest {HISTORY_TABLE_ROWS}; 3 earlier not shown (--csv or --json lists all)"
    rows = [line.split() for line in lines if re.match(r"^\d{4}-\d{2}-\d{2} ", line)]
    assert [r[0] for r in rows] == [d.isoformat() for d in days[3:]]
    assert rows[0][1:] == ["103.00", "+1.00"]  # the change from the hidden day before it
    assert "low 100.00, high" in lines[-1]  # the trend line covers every point
    assert len(invoke("history", "crypto.BTC.price", "--dir", str(tmp_path), "--csv").out.splitlines()) == len(days) + 1
