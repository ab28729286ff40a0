"""`marketshock snapshot`: one dated report file, atomic, locked, safe to repeat and to overlap."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from importlib import resources
from pathlib import Path

import pytest

from harness import assert_valid_envelope, command, home_dir, invoke
from marketshock import files, metrics_index, store
from marketshock.errors import NoDataError
from marketshock.sections import registry


def snapshot(out: Path, *args: str):
    return invoke("snapshot", "--offline", "--out", str(out), *args)


def test_snapshot_prints_only_the_path_of_the_report_it_wrote(tmp_path: Path):
    result = snapshot(tmp_path, "--as-of", "2026-02-06")
    path = tmp_path / "2026-02-06.json"
    assert (result.code, result.out, result.err) == (0, f"{path.absolute()}\n", "")
    doc = json.loads(path.read_text())
    assert (doc["command"], doc["as_of"], doc["source"], doc["errors"]) == ("report", "2026-02-06", "bundled", [])
    assert doc["data"]["crypto"]["assets"][0]["price"] == 70555.39
    assert_valid_envelope(doc)


def test_global_offline_and_as_of_before_the_command_work_too(tmp_path: Path):
    result = invoke("--offline", "--as-of", "2026-01-15", "snapshot", "--out", str(tmp_path))
    assert result.code == 0
    assert [p.name for p in tmp_path.glob("*.json")] == ["2026-01-15.json"]


def test_default_directory_is_the_user_data_dir():
    home = home_dir()
    result = invoke("snapshot", "--offline")
    expected = home / "data" / "marketshock" / "snapshots" / "2026-02-06.json"
    assert (result.code, result.out.strip()) == (0, str(expected))
    assert expected.is_file()


def test_environment_variable_sets_the_directory(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("MARKETSHOCK_SNAPSHOT_DIR", str(tmp_path / "from-env"))
    assert invoke("snapshot", "--offline").code == 0
    assert (tmp_path / "from-env" / "2026-02-06.json").is_file()


@pytest.mark.parametrize("blank", ["", "  "])
def test_a_blank_directory_variable_means_not_set(blank: str, monkeypatch):
    # As for the other directories: never a directory named " " in the current one.
    monkeypatch.setenv("MARKETSHOCK_SNAPSHOT_DIR", blank)
    result = invoke("snapshot", "--offline")
    default = home_dir() / "data" / "marketshock" / "snapshots"
    assert (result.code, result.out.strip()) == (0, str(default / "2026-02-06.json"))


def test_config_file_sets_the_directory_and_out_overrides_it(tmp_path: Path):
    config = tmp_path / "config.toml"
    config.write_text(f'[snapshot]\ndir = "{(tmp_path / "from-config").as_posix()}"\n')
    assert invoke("--config", str(config), "snapshot", "--offline").code == 0
    assert (tmp_path / "from-config" / "2026-02-06.json").is_file()
    assert invoke("--config", str(config), "snapshot", "--offline", "--out", str(tmp_path / "out")).code == 0
    assert (tmp_path / "out" / "2026-02-06.json").is_file()


def test_rerun_on_the_same_day_replaces_the_file(tmp_path: Path):
    path = tmp_path / "2026-02-06.json"
    path.write_text("stale")
    assert snapshot(tmp_path).code == 0
    assert json.loads(path.read_text())["command"] == "report"


def test_no_overwrite_keeps_the_existing_file_and_says_so_on_stderr(tmp_path: Path):
    path = tmp_path / "2026-02-06.json"
    path.write_text("mine")
    result = snapshot(tmp_path, "--no-overwrite")
    assert (result.code, result.out.strip(), path.read_text()) == (0, str(path.absolute()), "mine")
    assert "kept" in result.err


def test_no_overwrite_writes_a_missing_day(tmp_path: Path):
    assert snapshot(tmp_path, "--no-overwrite").code == 0
    assert json.loads((tmp_path / "2026-02-06.json").read_text())["as_of"] == "2026-02-06"


def test_keep_prunes_all_but_the_latest_dates(tmp_path: Path):
    for day in ("2026-02-02", "2026-02-03", "2026-02-04"):
        assert snapshot(tmp_path, "--as-of", day).code == 0
    result = snapshot(tmp_path, "--as-of", "2026-02-05", "--keep", "2")
    assert result.code == 0
    assert sorted(p.name for p in tmp_path.glob("*.json")) == ["2026-02-04.json", "2026-02-05.json"]


def test_export_writes_the_report_pictures_beside_the_json_and_prints_every_path(tmp_path: Path):
    result = snapshot(tmp_path, "--as-of", "2026-02-06", "--export", "term.svg", "--export", "html", "--export", "png")
    written = [tmp_path / f"2026-02-06.{ext}" for ext in ("json", "term.svg", "html", "png")]
    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines() == [str(p.absolute()) for p in written]
    svg, page = written[1].read_text(), written[2].read_text()
    assert svg.startswith("<svg") and "2026-02-06" in svg
    assert "Bitcoin touched $60,074" in page and "<script" not in page
    assert written[3].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"  # the summary card


def test_keep_prunes_the_pictures_of_a_pruned_date_too(tmp_path: Path):
    assert snapshot(tmp_path, "--as-of", "2026-02-05", "--export", "txt").code == 0
    assert snapshot(tmp_path, "--as-of", "2026-02-06", "--export", "txt", "--keep", "1").code == 0
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
        "2026-02-06.json",
        "2026-02-06.txt",
    ]


def test_an_unknown_export_format_is_a_usage_error_before_any_work(tmp_path: Path):
    result = snapshot(tmp_path, "--export", "gif")
    assert result.code == 2
    assert result.err == "marketshock: error: --export 'gif': choose png, svg, pdf, html, term.svg, term.html or txt\n"
    assert list(tmp_path.iterdir()) == []


def test_keep_must_be_positive(tmp_path: Path):
    result = snapshot(tmp_path, "--keep", "0")
    assert result.code == 2
    assert "--keep" in result.err


def test_a_failed_section_exits_3_and_the_file_still_records_it(tmp_path: Path, monkeypatch):
    async def broken(ctx, **options):
        raise NoDataError("bundled", "job cuts", "file missing")

    monkeypatch.setitem(registry.BY_NAME, "labor", registry.get("labor")._replace(build=broken))
    result = snapshot(tmp_path)
    assert (result.code, result.out.strip()) == (3, str((tmp_path / "2026-02-06.json").absolute()))
    doc = json.loads((tmp_path / "2026-02-06.json").read_text())
    assert [(e["section"], e["kind"]) for e in doc["errors"]] == [("labor", "no-data")]
    assert doc["data"]["labor"] is None and doc["data"]["crypto"] is not None
    assert "labor: bundled: job cuts: file missing" in result.err
    assert_valid_envelope(doc)


def test_failures_with_one_cause_are_one_stderr_line_as_in_the_report(tmp_path: Path, monkeypatch):
    async def broken(ctx, **options):
        raise NoDataError("bundled", "closes", "file missing")

    for name in ("labor", "earnings-capex"):
        monkeypatch.setitem(registry.BY_NAME, name, registry.get(name)._replace(build=broken))
    result = snapshot(tmp_path)
    assert result.code == 3
    assert result.err_lines == ["marketshock: earnings-capex, labor: bundled: closes: file missing"]


def test_nothing_produced_exits_1_and_keeps_the_previous_file(tmp_path: Path, monkeypatch):
    async def broken(ctx, **options):
        raise NoDataError("bundled", "everything", "gone")

    for name in registry.NAMES:
        monkeypatch.setitem(registry.BY_NAME, name, registry.get(name)._replace(build=broken))
    (tmp_path / "2026-02-06.json").write_text("yesterday's good run")
    result = snapshot(tmp_path)
    assert (result.code, result.out) == (1, "")
    assert "no snapshot written" in result.err
    assert (tmp_path / "2026-02-06.json").read_text() == "yesterday's good run"


def test_a_lock_held_past_the_timeout_exits_4_and_writes_nothing(tmp_path: Path):
    from filelock import FileLock

    with FileLock(tmp_path / store.LOCK_NAME):
        result = snapshot(tmp_path, "--lock-timeout", "0.1")
    assert (result.code, result.out) == (4, "")
    assert result.err.startswith("marketshock: error: another marketshock run is writing to")
    assert result.err.count("\n") == 1
    assert not list(tmp_path.glob("*.json"))


def test_an_out_path_that_is_a_file_is_one_line_and_exit_2_before_any_work(tmp_path: Path, monkeypatch):
    # A path that cannot be used is bad input (README's exit codes), as `history --dir` says it.
    from marketshock import runner

    def no_run(*args: object) -> None:
        raise AssertionError("the report was computed for a directory that cannot take it")

    monkeypatch.setattr(runner, "execute", no_run)
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    result = snapshot(blocker)
    assert (result.code, result.err) == (2, f"marketshock: error: snapshot directory {blocker} is not a directory\n")


def test_an_out_path_below_a_file_names_the_file(tmp_path: Path):
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    result = snapshot(blocker / "daily")
    assert result.code == 2
    assert result.err == f"marketshock: error: snapshot directory {blocker / 'daily'}: {blocker} is not a directory\n"


def test_an_out_directory_that_cannot_be_written_is_exit_2(tmp_path: Path, monkeypatch):
    # As on a read-only mount (permission bits do not stop root, who runs CI).
    daily = tmp_path / "daily"
    daily.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: False if Path(path) == daily else real_access(path, mode))
    result = snapshot(daily)
    assert (result.code, result.err) == (2, f"marketshock: error: snapshot directory {daily} is not writable\n")


def test_an_out_directory_that_cannot_be_made_is_exit_2(tmp_path: Path):
    result = snapshot(Path("/proc/marketshock-snapshots"))
    assert result.code == 2
    assert result.err.startswith("marketshock: error: cannot create snapshot directory /proc/marketshock-snapshots: ")


@pytest.mark.parametrize("link", ["dangling", "looping"])
def test_an_out_path_through_a_link_to_nothing_is_exit_2(tmp_path: Path, link: str):
    target = tmp_path / link
    target.symlink_to(tmp_path / "nowhere" if link == "dangling" else target)
    result = snapshot(target / "daily")
    assert result.code == 2
    said = f"snapshot directory {target / 'daily'}: {target} is a symbolic link to nothing"
    assert result.err == f"marketshock: error: {said}\n"


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("~nosuchuser-marketshock/daily", "no home directory for ~nosuchuser-marketshock"),
        ("a\0b", "a path cannot hold a NUL character"),
    ],
    ids=["unknown user", "NUL"],
)
def test_a_path_no_system_call_can_take_is_one_line_and_exit_2(given: str, said: str):
    for args in (("snapshot", "--offline", "--out", given), ("history", "--list", "--dir", given)):
        result = invoke(*args)
        assert result.code == 2 and result.err.startswith("marketshock: error: snapshot directory ")
        assert result.err.endswith(f"{said}\n") and result.err.count("\n") == 1


def test_an_empty_out_or_dir_is_a_usage_error_not_the_default_directory(tmp_path: Path):
    assert invoke("snapshot", "--offline", "--out", "").code == 2
    result = invoke("history", "--list", "--dir", "")
    assert (result.code, result.err) == (2, "marketshock: error: --dir/--out: the path is empty\n")


def test_an_as_of_outside_the_bundled_data_is_a_usage_error(tmp_path: Path):
    result = snapshot(tmp_path, "--as-of", "1966-06-01")
    assert result.code == 2
    assert "outside the bundled data" in result.err
    assert not tmp_path.exists() or not list(tmp_path.iterdir())


# --- the Done-when proofs ------------------------------------------------------------


@pytest.mark.slow
def test_twenty_overlapping_runs_leave_one_valid_file_per_date_and_no_temporaries(tmp_path: Path):
    days = ["2026-02-03", "2026-02-04", "2026-02-05", "2026-02-06"]
    out = tmp_path / "snapshots"
    procs = [
        subprocess.Popen(
            command("snapshot", "--offline", "--as-of", days[i % len(days)], "--out", str(out)),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(20)
    ]
    results = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert [code for code, _, _ in results] == [0] * 20, [err for _, _, err in results if err]
    assert {out_.strip() for _, out_, _ in results} == {str((out / f"{d}.json").absolute()) for d in days}
    # The lock, the metrics index (no journal left behind) and one file a date.
    assert sorted(p.name for p in out.iterdir()) == [metrics_index.INDEX_NAME, store.LOCK_NAME] + [
        f"{d}.json" for d in days
    ]
    with sqlite3.connect(out / metrics_index.INDEX_NAME) as index:
        assert sorted(d for (d,) in index.execute("SELECT as_of FROM files")) == days
    for day in days:
        doc = json.loads((out / f"{day}.json").read_text())
        assert doc["as_of"] == day
        assert_valid_envelope(doc)


@pytest.mark.slow
def test_sigkill_at_random_moments_of_the_write_leaves_the_old_file_or_the_new_never_a_partial(tmp_path: Path):
    """MARKETSHOCK_TEST_SLOW_WRITE makes the write pause half-way through the temporary file
    and again between its fsync and the rename; each run is killed at a random moment from
    the first sight of its temporary file to a little after the rename."""
    out = tmp_path / "snapshots"
    assert snapshot(out).code == 0
    target = out / "2026-02-06.json"
    old = json.loads(target.read_text())
    old["generated_at"] = "2000-01-01T00:00:00Z"  # tells the old file from any new one
    old_bytes = json.dumps(old, indent=2).encode()
    pause = 0.15
    env = {**os.environ, files.SLOW_WRITE_ENV: str(pause)}
    rng = random.Random(20260206)
    outcomes = {"old": 0, "new": 0}
    for _ in range(16):
        target.write_bytes(old_bytes)
        left_before = set(out.glob(".*.tmp"))  # by earlier kills; this run's writer removes them
        proc = subprocess.Popen(
            command("snapshot", "--offline", "--out", str(out)),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while not set(out.glob(".*.tmp")) - left_before and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 3 * pause))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        raw = target.read_bytes()
        if raw == old_bytes:
            outcomes["old"] += 1
            continue
        doc = json.loads(raw)  # a partial file fails here
        assert doc["generated_at"] != old["generated_at"]
        assert_valid_envelope(doc)
        outcomes["new"] += 1
    # Kills before the rename must have happened (a kill within the first pause always is):
    # otherwise this test proved nothing about a write cut short.
    assert outcomes["old"] > 0, outcomes
    print(f"SIGKILL outcomes: {outcomes}")
    # A run left alone replaces the file, and cleans up what the killed runs left behind.
    assert snapshot(out).code == 0
    assert json.loads(target.read_text())["generated_at"] != old["generated_at"]
    assert not list(out.glob(".*.tmp"))
    # And the metrics index, whatever the kills left of it, answers with the file's figures.
    history = invoke("history", "crypto.BTC.price", "--dir", str(out), "--json")
    assert history.code == 0, history.err
    [point] = history.json()["data"]["points"]
    assert point["value"] == json.loads(target.read_text())["data"]["crypto"]["assets"][0]["price"]


def _bundled_btc_closes() -> dict[str, float]:
    """Read the bundled CSV directly, not through marketshock's loader."""
    raw = resources.files("marketshock.data").joinpath("btc_usd_daily_yahoo.csv.gz").read_bytes()
    rows = csv.DictReader(gzip.decompress(raw).decode().splitlines())
    return {r["date"]: round(float(r["close"]), 2) for r in rows}


@pytest.mark.slow
def test_backfilling_january_2026_gives_history_the_bundled_btc_closes(tmp_path: Path):
    out = tmp_path / "snapshots"
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(31)]
    for day in days:
        assert snapshot(out, "--as-of", day.isoformat()).code == 0
    result = invoke("history", "crypto.BTC.price", "--dir", str(out), "--json")
    assert result.code == 0, result.err
    points = result.json()["data"]["points"]
    closes = _bundled_btc_closes()
    assert [p["date"] for p in points] == [d.isoformat() for d in days]
    assert [p["value"] for p in points] == [closes[d.isoformat()] for d in days]
    assert closes["2026-01-31"] == points[-1]["value"]


def test_no_overwrite_still_prunes_with_keep(tmp_path: Path):
    for day in ("2026-02-04", "2026-02-05", "2026-02-06"):
        (tmp_path / f"{day}.json").write_text("{}")
    result = snapshot(tmp_path, "--no-overwrite", "--keep", "1")
    assert result.code == 0
    assert [p.name for p in tmp_path.glob("*.json")] == ["2026-02-06.json"]
