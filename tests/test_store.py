"""store.py: atomic writes, the writer lock, pruning, reading back, metric paths, diff."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import pytest

from marketshock import files, store
from marketshock.errors import LockBusy, StoreError

DAY = dt.date(2026, 2, 6)


def envelope(as_of: str = "2026-02-06", command: str = "report", data: dict | None = None, **extra) -> dict:
    return {
        "schema_version": 1,
        "command": command,
        "as_of": as_of,
        "generated_at": "2026-02-06T23:00:00Z",
        "source": "bundled",
        "data": data if data is not None else {"crypto": {"assets": [{"symbol": "BTC", "price": 70555.39}]}},
        "errors": [],
        **extra,
    }


def put(directory: Path, name: str, doc: dict | str) -> Path:
    path = directory / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def report_snapshot(tmp_path_factory: pytest.TempPathFactory) -> store.Snapshot:
    """A real report snapshot of the bundled data as of 2026-02-06."""
    from marketshock import output, runner

    outcome = runner.execute(runner.Request(command="report", offline=True, as_of="2026-02-06"))
    path = tmp_path_factory.mktemp("real") / "2026-02-06.json"
    path.write_text(output.to_json(outcome.envelope()), encoding="utf-8")
    return store.read(path)


# --- writing ---------------------------------------------------------------------


def test_atomic_write_replaces_the_whole_file_and_leaves_no_temporary(tmp_path: Path):
    target = tmp_path / "2026-02-06.json"
    target.write_text("old")
    files.atomic_write(target, b"new contents")
    assert target.read_bytes() == b"new contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-02-06.json"]


def test_atomic_write_that_fails_keeps_the_old_file_and_removes_its_temporary(tmp_path, monkeypatch):
    target = tmp_path / "2026-02-06.json"
    target.write_text("old")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", broken_replace)
    with pytest.raises(OSError):
        files.atomic_write(target, b"new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["2026-02-06.json"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_atomic_write_gives_the_file_the_umask_permissions_not_mkstemps_0600(tmp_path: Path):
    old = os.umask(0o022)
    try:
        files.atomic_write(tmp_path / "a.json", b"{}")
    finally:
        os.umask(old)
    assert (tmp_path / "a.json").stat().st_mode & 0o777 == 0o644


def test_lock_held_by_another_owner_raises_busy_after_the_timeout(tmp_path: Path):
    from filelock import FileLock

    with FileLock(tmp_path / store.LOCK_NAME), pytest.raises(LockBusy, match="another marketshock run"):
        store.write_snapshot(tmp_path, DAY, "{}", lock_timeout=0.05)
    assert not (tmp_path / "2026-02-06.json").exists()


def test_writer_removes_temporaries_left_by_a_killed_run(tmp_path: Path):
    stale = tmp_path / ".2026-02-05.json.abc123.tmp"
    stale.write_text('{"half": ')
    store.write_snapshot(tmp_path, DAY, "{}")
    assert not stale.exists()


def test_no_overwrite_keeps_an_existing_snapshot(tmp_path: Path):
    (tmp_path / "2026-02-06.json").write_text("first")
    result = store.write_snapshot(tmp_path, DAY, "second", overwrite=False)
    assert (result.written, (tmp_path / "2026-02-06.json").read_text()) == (False, "first")


def test_prune_keeps_the_latest_dates_and_never_touches_other_files(tmp_path: Path):
    for day in ("2026-01-30", "2026-02-02", "2026-02-03", "2026-02-04"):
        (tmp_path / f"{day}.json").write_text("{}")
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "2026-02-30.json").write_text("not a date")
    pruned = store.prune(tmp_path, keep=2)
    assert sorted(p.name for p in pruned) == ["2026-01-30.json", "2026-02-02.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "2026-02-03.json",
        "2026-02-04.json",
        "2026-02-30.json",
        "notes.txt",
    ]


def test_snapshot_directory_that_is_a_file_is_a_store_error(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StoreError, match="file"):
        store.write_snapshot(blocker, DAY, "{}")


# --- reading ---------------------------------------------------------------------


def test_scan_returns_snapshots_oldest_first(tmp_path: Path):
    put(tmp_path, "2026-02-06.json", envelope("2026-02-06"))
    put(tmp_path, "2026-02-05.json", envelope("2026-02-05"))
    snapshots, skipped = store.scan(tmp_path)
    assert [s.as_of.isoformat() for s in snapshots] == ["2026-02-05", "2026-02-06"]
    assert skipped == []


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("2026-02-01.json", '{"schema_version": 1, "command": "rep', "not valid JSON"),
        ("2026-02-02.json", "\xff\xfe garbage", "not valid JSON"),
        # Python's json would read these; JSON has no such numbers, and marketshock writes null.
        ("2026-02-08.json", json.dumps(envelope("2026-02-08")).replace("70555.39", "NaN"), "NaN is not a JSON number"),
        ("2026-02-09.json", json.dumps(envelope("2026-02-09")).replace("70555.39", "-Infinity"), "not a JSON number"),
        ("2026-02-03.json", "[1, 2, 3]", "not a marketshock envelope"),
        ("2026-02-04.json", json.dumps({"hello": "world"}), "not a marketshock envelope"),
        ("2026-02-05.json", json.dumps(envelope("2026-02-05", schema_version=99)), "newer than this marketshock"),
        ("2026-02-06.json", json.dumps(envelope("2026-01-01")), "does not match the file name"),
        ("2026-02-07.json", json.dumps(envelope("yesterday")), "not ISO 8601"),
        ("notes.txt", "my notes", "expected YYYY-MM-DD.json"),
    ],
)
def test_scan_skips_a_corrupt_or_foreign_file_and_says_why(tmp_path: Path, name: str, content: str, reason: str):
    put(tmp_path, "2026-01-31.json", envelope("2026-01-31"))
    put(tmp_path, name, content)
    snapshots, skipped = store.scan(tmp_path)
    assert [s.as_of.isoformat() for s in snapshots] == ["2026-01-31"]
    assert [s.path.name for s in skipped] == [name]
    assert reason in skipped[0].reason


def test_scan_ignores_the_lock_and_temporaries_silently(tmp_path: Path):
    put(tmp_path, "2026-02-06.json", envelope())
    put(tmp_path, store.LOCK_NAME, "")
    put(tmp_path, ".2026-02-06.json.x1y2.tmp", '{"par')
    snapshots, skipped = store.scan(tmp_path)
    assert (len(snapshots), skipped) == (1, [])


def test_scan_of_a_missing_directory_is_a_store_error(tmp_path: Path):
    with pytest.raises(StoreError, match="does not exist"):
        store.scan(tmp_path / "nope")


# --- metric paths ------------------------------------------------------------------


def test_report_metrics_are_named_section_row_field(report_snapshot: store.Snapshot):
    m = store.metrics(report_snapshot)
    data = report_snapshot.data
    assert m["crypto.BTC.price"] == data["crypto"]["assets"][0]["price"] == 70555.39
    assert m["crypto.ETH.change_ytd_pct"] == data["crypto"]["assets"][1]["change_ytd_pct"]
    assert m["labor.job_cuts.value"] == 108435
    assert m["labor.claims.initial"] == 231000  # as known on the day: the first print
    assert m["labor.claims_first_print.initial"] == 231000
    assert m["labor.claims_later_revision.initial"] == 230000
    assert m["indices.KOSPI.last"] == 5089.14
    assert m["earnings-capex.AMZN.reaction_pct"] == -11.0
    assert m["crypto.market_cap.CoinMarketCap.value_usd"] == 2.26e12
    moves = {row["symbol"]: row for row in data["shock"]["moves"]}
    assert m["shock.moves.BTC.zscore"] == moves["BTC"]["zscore"]


def test_a_metric_is_a_finite_number_a_float_can_hold():
    # Every figure is shown, charted and compared as a float; an int keeps its digits where printed.
    data = {"assets": [{"symbol": "BTC", "price": float("nan"), "low": float("inf"), "high": 10**400, "close": 2**70}]}
    assert store.data_metrics("crypto", data) == {"crypto.BTC.close": 2**70}


def test_metrics_are_numbers_only_never_flags_lists_or_text(report_snapshot: store.Snapshot):
    m = store.metrics(report_snapshot)
    assert all(isinstance(v, int | float) and not isinstance(v, bool) for v in m.values())
    assert not [p for p in m if "recent_closes" in p or p.endswith((".reported", ".partial", ".name"))]
    assert not [p for p in m if p.startswith(("report.", "headlines"))]


def test_a_single_section_envelope_uses_its_command_as_the_section(tmp_path: Path):
    path = put(tmp_path, "crypto.json", envelope(command="crypto", data={"assets": [{"symbol": "BTC", "price": 1.5}]}))
    assert store.metrics(store.read(path)) == {"crypto.BTC.price": 1.5}


def test_row_names_with_dots_or_spaces_become_one_path_segment(tmp_path: Path):
    data = {"crypto": {"market_cap": [{"provider": "Coin Market.Cap", "value_usd": 1.0}]}}
    path = put(tmp_path, "2026-02-06.json", envelope(data=data))
    assert store.metrics(store.read(path)) == {"crypto.market_cap.Coin-Market-Cap.value_usd": 1.0}


# --- diff ----------------------------------------------------------------------------


def _snap(tmp_path: Path, day: str, values: dict) -> store.Snapshot:
    labor = {"claims": values}
    return store.read(put(tmp_path, f"{day}.json", envelope(day, data={"labor": labor})))


def test_diff_reports_old_new_change_and_percent_of_the_old_magnitude(tmp_path: Path):
    old = _snap(tmp_path, "2026-02-05", {"initial": 200000, "net_usd": -4, "gone": 1, "same": 7})
    new = _snap(tmp_path, "2026-02-06", {"initial": 230000, "net_usd": -2, "added": 3, "same": 7})
    by_metric = {c.metric: c for c in store.diff(old, new)}
    assert (by_metric["labor.claims.initial"].change, by_metric["labor.claims.initial"].change_pct) == (30000, 15.0)
    # -4 -> -2 is a rise: the percent says so (relative to |old|)
    assert by_metric["labor.claims.net_usd"].change_pct == 50.0
    assert (by_metric["labor.claims.gone"].new, by_metric["labor.claims.gone"].change) == (None, None)
    assert (by_metric["labor.claims.added"].old, by_metric["labor.claims.added"].change_pct) == (None, None)
    assert "labor.claims.same" not in by_metric


def test_diff_with_unchanged_lists_every_metric_and_no_percent_from_zero(tmp_path: Path):
    old = _snap(tmp_path, "2026-02-05", {"zero": 0, "same": 7})
    new = _snap(tmp_path, "2026-02-06", {"zero": 5, "same": 7})
    changes = {c.metric: c for c in store.diff(old, new, include_unchanged=True)}
    assert sorted(changes) == ["labor.claims.same", "labor.claims.zero"]
    assert (changes["labor.claims.zero"].change, changes["labor.claims.zero"].change_pct) == (5, None)
