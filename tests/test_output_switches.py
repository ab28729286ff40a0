"""Output switches every data command shares: --json, --csv, plain text off a terminal, quiet broken pipes."""

from __future__ import annotations

import csv
import io
import re
import subprocess

import pytest

from harness import PROJECT, command, environ, invoke

CSV_COMMANDS = ["crypto", "indices", "earnings-capex", "labor", "shock"]
BOX_DRAWING = re.compile("[\u2500-\u257f]")


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_crypto_csv_has_one_row_per_asset_with_raw_json_values():
    data = invoke("crypto", "--offline", "--json").json()["data"]
    result = invoke("crypto", "--offline", "--csv")
    assert result.code == 0
    table = rows(result.out)
    assert [r["symbol"] for r in table] == [a["symbol"] for a in data["assets"]]
    btc = table[0]
    assert float(btc["price"]) == data["assets"][0]["price"] == 70555.39
    assert (btc["date"], btc["lowest_since"], btc["lowest_since_months"]) == ("2026-02-06", "2024-10-11", "16")
    assert btc["source"] == "Yahoo Finance"
    assert "recent_closes" not in btc  # sparkline data is not a cell


def test_indices_csv_keeps_gaps_empty_and_flags_as_words():
    table = {r["symbol"]: r for r in rows(invoke("indices", "--offline", "--csv").out)}
    assert table["KOSPI"]["last"] == "5089.14"
    assert (table["MSCI-APXJ"]["last"], table["MSCI-APXJ"]["streak_complete"]) == ("", "false")
    assert "sidecar" in table["KOSPI"]["notes"]


def test_earnings_capex_csv_has_one_row_per_company():
    table = rows(invoke("earnings-capex", "--offline", "--csv").out)
    assert [r["ticker"] for r in table] == ["AMZN", "GOOGL", "MSFT", "META", "QCOM"]
    assert float(table[0]["reaction_pct"]) == -11.0
    assert table[4]["capex_actual_usd"] == ""  # Qualcomm: not in the sources


def test_labor_csv_is_one_row_per_figure():
    table = rows(invoke("labor", "--offline", "--csv").out)
    assert [(r["series"], r["period"], r["value"], r["vintage"]) for r in table] == [
        ("challenger_job_cuts", "2026-01", "108435", ""),
        ("initial_claims", "2026-01-31", "231000", "first print"),
        ("initial_claims", "2026-01-31", "230000", "FRED vintage of 2026-03-26 (revised), later than the as-of date"),
    ]


def test_shock_csv_is_the_ranked_moves():
    moves = invoke("shock", "--offline", "--json").json()["data"]["moves"]
    table = rows(invoke("shock", "--offline", "--csv").out)
    assert [r["symbol"] for r in table] == [m["symbol"] for m in moves]
    assert [r["zscore"] for r in table][:2] == [repr(m["zscore"]) for m in moves[:2]]


@pytest.mark.parametrize("name", CSV_COMMANDS)
def test_csv_is_rectangular_and_nothing_else(name: str):
    result = invoke(name, "--offline", "--csv")
    assert (result.code, result.err) == (0, "")
    table = list(csv.reader(io.StringIO(result.out)))
    assert len(table) >= 2 and {len(r) for r in table} == {len(table[0])}


def test_report_csv_is_refused_with_a_usage_error():
    result = invoke("report", "--offline", "--csv")
    assert (result.code, result.out) == (2, "")
    assert "--csv on one of: indices, earnings-capex, labor, crypto, shock" in result.err


def test_report_csv_is_refused_before_an_export_is_written(tmp_path):
    target = tmp_path / "report.svg"
    result = invoke("report", "--offline", "--csv", "--export", str(target))
    assert (result.code, result.out, target.exists()) == (2, "", False)


def test_json_and_csv_together_are_a_usage_error():
    result = invoke("crypto", "--offline", "--json", "--csv")
    assert (result.code, result.out) == (2, "")
    assert "--json and --csv" in result.err


@pytest.mark.parametrize("name", [*CSV_COMMANDS, "report"])
def test_tables_off_a_terminal_have_no_colour_and_no_box_drawing(name: str):
    result = invoke(name, "--offline")  # stdout a pipe, as in a real process: never a terminal
    assert result.code == 0
    assert "\x1b" not in result.out
    assert not BOX_DRAWING.search(result.out)


def test_reader_gone_before_the_output_ends_quietly():
    """The reader closes its end before marketshock writes: a sure broken pipe."""
    proc = subprocess.Popen(
        command("crypto", "--offline", "--json"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=PROJECT,
        env=environ(),
    )
    proc.stdout.close()
    err = proc.stderr.read()
    proc.stderr.close()
    assert (proc.wait(timeout=60), err) == (0, b"")


@pytest.mark.parametrize("args", [("crypto", "--offline", "--json"), ("report", "--offline"), ("schema",)])
def test_piped_into_head_ends_quietly(args: tuple[str, ...]):
    shell = f"set -o pipefail; {' '.join(command(*args))} | head -c 10"
    done = subprocess.run(
        ["bash", "-c", shell], capture_output=True, cwd=PROJECT, env=environ(), timeout=60, check=False
    )
    assert (done.returncode, done.stderr) == (0, b"")
    assert len(done.stdout) == 10
