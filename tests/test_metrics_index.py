"""The metrics index beside the snapshots: written with every write and prune, read by
`history`, rebuilt from the JSON files (the truth) when missing, corrupt or out of step."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import sqlite3
from pathlib import Path

import pytest
from filelock import FileLock

from harness import invoke
from marketshock import metrics_index, store

DAYS = [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(6)]


def envelope(day: dt.date, price: float | int, **extra: object) -> str:
    """A saved `crypto --json` envelope: its metrics are crypto.<symbol>.<field>."""
    assets = [{"symbol": "BTC", "price": price, **extra}, {"symbol": "ETH", "price": 3000 + day.day}]
    return json.dumps(
        {
            "schema_version": 1,
            "command": "crypto",
            "as_of": day.isoformat(),
            "generated_at": f"{day.isoformat()}T23:30:00Z",
            "source": "bundled",
            "data": {"assets": assets},
            "errors": [],
        }
    )


def price(day: dt.date) -> float:
    return 90000.5 + day.day


@pytest.fixture
def snapshots(tmp_path: Path) -> Path:
    out = tmp_path / "snapshots"
    for day in DAYS:
        assert store.write_snapshot(out, day, envelope(day, price(day))).index_error is None
    return out


def indexed(directory: Path, metric: str) -> list[tuple[str, object]]:
    with sqlite3.connect(directory / metrics_index.INDEX_NAME) as conn:
        rows = conn.execute("SELECT as_of, value FROM metric_values WHERE path = ? ORDER BY as_of", (metric,))
        return list(rows)


def history_csv(directory: Path, *args: str) -> list[str]:
    result = invoke("history", *args, "--dir", str(directory), "--csv")
    assert result.code == 0, result.err
    return result.out.splitlines()[1:]


def expected_csv(days: list[dt.date]) -> list[str]:
    return [f"{d.isoformat()},{price(d)}" for d in days]


def test_every_write_puts_one_row_per_date_metric_and_value_in_the_index(snapshots: Path):
    assert indexed(snapshots, "crypto.BTC.price") == [(d.isoformat(), price(d)) for d in DAYS]
    assert indexed(snapshots, "crypto.ETH.price") == [(d.isoformat(), 3000 + d.day) for d in DAYS]


def test_the_real_snapshot_command_indexes_the_report(tmp_path: Path):
    assert invoke("snapshot", "--offline", "--out", str(tmp_path)).code == 0
    assert indexed(tmp_path, "crypto.BTC.price") == [("2026-02-06", 70555.39)]
    assert indexed(tmp_path, "labor.claims.initial") == [("2026-02-06", 231000)]  # an int stays an int


def test_history_in_step_reads_the_index_and_parses_no_json_file(snapshots: Path, monkeypatch):
    def no_reading(path: Path) -> store.Snapshot:
        raise AssertionError(f"read {path}")

    monkeypatch.setattr(store, "read", no_reading)
    assert history_csv(snapshots, "crypto.BTC.price") == expected_csv(DAYS)
    assert "crypto.ETH.price" in invoke("history", "--list", "--dir", str(snapshots)).out.splitlines()


def test_a_corrupt_index_is_rebuilt_from_the_json_files(snapshots: Path):
    index = snapshots / metrics_index.INDEX_NAME
    index.write_bytes(b"SQLite format 3\x00" + os.urandom(3000))
    assert history_csv(snapshots, "crypto.BTC.price") == expected_csv(DAYS)
    assert indexed(snapshots, "crypto.BTC.price") == [(d.isoformat(), price(d)) for d in DAYS]  # sound again


def test_an_index_damaged_inside_is_rebuilt_too(snapshots: Path):
    index = snapshots / metrics_index.INDEX_NAME
    raw = bytearray(index.read_bytes())
    raw[4096:] = b"\xff" * (len(raw) - 4096)  # every page but the first one spoilt
    index.write_bytes(bytes(raw))
    assert history_csv(snapshots, "crypto.BTC.price") == expected_csv(DAYS)
    assert indexed(snapshots, "crypto.BTC.price") == [(d.isoformat(), price(d)) for d in DAYS]


def test_a_missing_index_is_built_by_the_first_reader(snapshots: Path):
    (snapshots / metrics_index.INDEX_NAME).unlink()
    assert history_csv(snapshots, "crypto.BTC.price") == expected_csv(DAYS)
    assert (snapshots / metrics_index.INDEX_NAME).is_file()


def test_an_index_out_of_step_with_the_files_is_brought_in_step(snapshots: Path):
    (snapshots / f"{DAYS[0]}.json").unlink()  # deleted by hand
    (snapshots / f"{DAYS[1]}.json").write_text(envelope(DAYS[1], 1.25))  # edited by hand
    extra = dt.date(2026, 1, 20)
    (snapshots / f"{extra}.json").write_text(envelope(extra, price(extra)))  # copied in by hand
    assert history_csv(snapshots, "crypto.BTC.price") == [
        f"{DAYS[1]},1.25",
        *expected_csv(DAYS[2:]),
        *expected_csv([extra]),
    ]
    assert [d for d, _ in indexed(snapshots, "crypto.ETH.price")] == [d.isoformat() for d in [*DAYS[1:], extra]]


def test_a_file_spoilt_after_indexing_is_warned_about_and_left_out(snapshots: Path):
    (snapshots / f"{DAYS[2]}.json").write_text('{"schema_version": 1, "comm')
    result = invoke("history", "crypto.BTC.price", "--dir", str(snapshots), "--csv")
    assert result.out.splitlines()[1:] == expected_csv(DAYS[:2] + DAYS[3:])
    assert result.err.startswith(f"marketshock: skipped {snapshots / f'{DAYS[2]}.json'}: not valid JSON")


def test_keep_prunes_the_index_with_the_files(snapshots: Path):
    last = dt.date(2026, 1, 31)
    store.write_snapshot(snapshots, last, envelope(last, price(last)), keep=2)
    assert [d for d, _ in indexed(snapshots, "crypto.BTC.price")] == [DAYS[-1].isoformat(), last.isoformat()]


def test_reindex_alone_rebuilds_the_index_and_prints_nothing_on_stdout(snapshots: Path):
    (snapshots / metrics_index.INDEX_NAME).write_text("not a database")
    result = invoke("history", "--reindex", "--dir", str(snapshots))
    assert (result.code, result.out) == (0, "")
    assert result.err == f"marketshock: reindexed {len(DAYS)} snapshots in {snapshots}\n"
    assert len(indexed(snapshots, "crypto.BTC.price")) == len(DAYS)


def read_only(monkeypatch) -> None:
    """Writing the index fails as on a read-only mount (chmod does not stop root, who runs CI)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(metrics_index, "refresh", refuse)


def test_reindex_alone_that_cannot_write_the_index_says_so_and_exits_2(snapshots: Path, monkeypatch):
    read_only(monkeypatch)
    result = invoke("history", "--reindex", "--dir", str(snapshots))
    index = snapshots / metrics_index.INDEX_NAME
    assert (result.code, result.err) == (
        2,
        f"marketshock: error: metrics index not rebuilt: cannot write {index}: Read-only file system\n",
    )


def test_reindex_with_a_metric_that_cannot_write_the_index_answers_and_warns(snapshots: Path, monkeypatch):
    read_only(monkeypatch)
    result = invoke("history", "crypto.BTC.price", "--reindex", "--dir", str(snapshots), "--csv")
    assert result.code == 0 and result.out.splitlines()[1:] == expected_csv(DAYS)
    assert "metrics index not rebuilt: cannot write" in result.err and "answering from the snapshot files" in result.err


def test_reindex_with_a_metric_answers_from_the_rebuilt_index(snapshots: Path):
    assert history_csv(snapshots, "crypto.BTC.price", "--reindex") == expected_csv(DAYS)


def test_a_reader_that_cannot_take_the_lock_answers_from_an_index_in_memory(snapshots: Path, monkeypatch):
    (snapshots / f"{DAYS[0]}.json").unlink()
    monkeypatch.setattr(metrics_index, "READER_LOCK_TIMEOUT", 0.05)
    with FileLock(snapshots / store.LOCK_NAME):
        assert history_csv(snapshots, "crypto.BTC.price") == expected_csv(DAYS[1:])
    assert len(indexed(snapshots, "crypto.BTC.price")) == len(DAYS)  # left for the writer (or the next reader)


def test_ints_beyond_64_bits_keep_their_value(tmp_path: Path):
    day = DAYS[0]
    (tmp_path / f"{day}.json").write_text(envelope(day, 2**70, supply=21_000_000))
    assert history_csv(tmp_path, "crypto.BTC.price") == [f"{day},{2**70}"]
    assert history_csv(tmp_path, "crypto.BTC.supply") == [f"{day},21000000"]


def test_a_snapshot_holding_nan_is_skipped_and_named_not_indexed(tmp_path: Path):
    # NaN and Infinity are not JSON (marketshock writes null): such a file was not written by
    # marketshock, and its "figures" would crash a sparkline or pass for numbers.
    good, bad = DAYS[0], DAYS[1]
    (tmp_path / f"{good}.json").write_text(envelope(good, price(good)))
    (tmp_path / f"{bad}.json").write_text(envelope(bad, float("nan")))
    result = invoke("history", "crypto.BTC.price", "--dir", str(tmp_path))
    assert result.code == 0, result.err
    assert f"skipped {tmp_path / f'{bad}.json'}: not valid JSON (NaN is not a JSON number)" in result.err
    assert "1 snapshots" in result.out and str(bad) not in result.out


def test_a_number_no_float_can_hold_is_not_a_figure_and_breaks_no_table(tmp_path: Path):
    # A hand-edited 10**400 has no place in a sparkline, a change or a diff.
    huge, fine = DAYS[0], DAYS[1]
    (tmp_path / f"{huge}.json").write_text(envelope(huge, 10**400))
    (tmp_path / f"{fine}.json").write_text(envelope(fine, price(fine)))
    table = invoke("history", "crypto.BTC.price", "--dir", str(tmp_path))
    assert table.code == 0 and "1 snapshots" in table.out and str(huge) not in table.out
    diff = invoke("diff", str(huge), str(fine), "--dir", str(tmp_path))
    assert diff.code == 0, diff.err


def test_an_index_of_the_old_format_that_held_nan_is_rebuilt(snapshots: Path):
    with sqlite3.connect(snapshots / metrics_index.INDEX_NAME) as conn:
        conn.execute("UPDATE meta SET value = 'format 1' WHERE key = 'fingerprint'")
        conn.execute("UPDATE metrics SET value = 'NaN'")  # what a NaN left in an index of format 1
    assert history_csv(snapshots, "crypto.BTC.price") == expected_csv(DAYS)


def test_an_index_written_under_other_metric_rules_is_rebuilt(snapshots: Path):
    with sqlite3.connect(snapshots / metrics_index.INDEX_NAME) as conn:
        conn.execute("UPDATE meta SET value = 'older rules' WHERE key = 'fingerprint'")
        conn.execute("DELETE FROM metrics")
    assert history_csv(snapshots, "crypto.BTC.price") == expected_csv(DAYS)


@pytest.mark.slow
def test_the_history_benchmark_runs_and_reports_every_case():
    import re
    import sys

    from harness import PROJECT, process

    bench = [sys.executable, str(PROJECT / "bench" / "history.py"), "--runs", "1", "--sizes", "3,6"]
    run = process(argv=bench, timeout=300)
    assert run.code == 0, run.err
    for size in (3, 6):
        assert re.search(rf"^{size} snapshots .*history --reindex \d+\.\d+ s CPU", run.out, re.MULTILINE), run.out
    for case in ("history crypto.BTC.price", "history --list", r"JSON scan \(no index\), 1 run"):
        assert len(re.findall(rf"^  {case} +\d+\.\d ms CPU", run.out, re.MULTILINE)) == 2, run.out
