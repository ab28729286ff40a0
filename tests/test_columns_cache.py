"""The disk cache of parsed bundled columns: it may only make a run faster, never change a
figure. An entry reads back exactly the columns it was written from; anything else (another
content, a corrupt, truncated or foreign file, no writable directory) is a miss."""

from __future__ import annotations

import datetime as dt
import gzip
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness import dataset_copy, home_dir, invoke, process
from marketshock.models.series import Columns
from marketshock.providers import bundled, columns_cache

BTC = "btc_usd_daily_yahoo.csv.gz"


def entries(root: Path) -> list[Path]:
    return sorted((root / columns_cache.SUBDIR).glob("*.cols"))


def columns_of(n: int, empty_at: tuple[int, ...] = ()) -> Columns:
    dates = tuple(dt.date(2020, 1, 1) + dt.timedelta(days=i) for i in range(n))
    values = tuple(100.0 + i / 7 for i in range(n))
    holes = tuple(None if i in empty_at else v for i, v in enumerate(values))
    return Columns(dates, holes, values, values, values, holes)


def test_an_entry_reads_back_the_columns_it_was_written_from(tmp_path):
    raw = b"the file's bytes"
    written = columns_of(50, empty_at=(0, 7, 49))
    assert columns_cache.put(tmp_path, "x.csv.gz", raw, written)
    assert columns_cache.get(tmp_path, "x.csv.gz", raw) == written


@given(
    st.lists(
        st.tuples(
            st.dates(min_value=dt.date(1900, 1, 1)),
            *[st.none() | st.floats(allow_nan=False)] * 3,
            st.floats(allow_nan=False),
            st.none() | st.floats(allow_nan=False),
        ),
        max_size=40,
    )
)
def test_any_columns_round_trip_bit_for_bit(tmp_path_factory, rows):
    root = tmp_path_factory.mktemp("cache")
    written = Columns.of_bars(rows)
    assert columns_cache.put(root, "f.csv", b"raw", written)
    read = columns_cache.get(root, "f.csv", b"raw")
    assert read == written
    assert read is not None
    assert [math.copysign(1, c) for c in read.closes] == [math.copysign(1, c) for c in written.closes]  # -0.0 too


def test_a_nan_cell_stays_a_nan_and_is_never_read_as_an_empty_cell(tmp_path):
    nan = float("nan")
    written = Columns((dt.date(2020, 1, 1),), (nan,), (None,), (1.0,), (nan,), (None,))
    columns_cache.put(tmp_path, "f.csv", b"raw", written)
    read = columns_cache.get(tmp_path, "f.csv", b"raw")
    assert read is not None
    assert math.isnan(read.opens[0]) and read.highs[0] is None and math.isnan(read.closes[0])  # type: ignore[arg-type]


def test_other_bytes_under_the_same_name_are_a_miss(tmp_path):
    columns_cache.put(tmp_path, "f.csv", b"version one", columns_of(5))
    assert columns_cache.get(tmp_path, "f.csv", b"version two") is None


def test_a_new_entry_replaces_the_entries_of_older_contents_of_its_file(tmp_path):
    columns_cache.put(tmp_path, "f.csv", b"version one", columns_of(5))
    columns_cache.put(tmp_path, "g.csv", b"version one", columns_of(5))
    columns_cache.put(tmp_path, "f.csv", b"version two", columns_of(6))
    names = [p.name.split(".")[0] for p in entries(tmp_path)]
    assert sorted(names) == ["f", "g"]
    assert columns_cache.get(tmp_path, "f.csv", b"version two") == columns_of(6)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # a write cut short (not through atomic_write)
        lambda data: data[:-1],
        lambda data: data + b"\0",
        lambda data: data[:-9] + bytes([data[-9] ^ 1]) + data[-8:],  # one bit flipped in a value
        lambda data: b"",
        lambda data: b"not an entry at all",
        lambda data: data.replace(b'"format":1', b'"format":9'),
    ],
    ids=["half", "one byte short", "one byte long", "a flipped bit", "empty", "garbage", "another format"],
)
def test_a_damaged_entry_is_a_miss(tmp_path, damage):
    columns_cache.put(tmp_path, "f.csv", b"raw", columns_of(20, empty_at=(3,)))
    [entry] = entries(tmp_path)
    entry.write_bytes(damage(entry.read_bytes()))
    assert columns_cache.get(tmp_path, "f.csv", b"raw") is None


def test_a_cache_that_cannot_be_written_is_no_cache(tmp_path):
    root = tmp_path / "a file, not a directory"
    root.write_text("")
    assert not columns_cache.put(root, "f.csv", b"raw", columns_of(3))
    assert columns_cache.get(root, "f.csv", b"raw") is None


def test_no_cache_root_reads_and_writes_nothing(tmp_path):
    assert not columns_cache.put(None, "f.csv", b"raw", columns_of(3))
    assert columns_cache.get(None, "f.csv", b"raw") is None


def test_a_bundled_file_parsed_through_the_cache_is_the_file_parsed_without_it(tmp_path):
    (tmp_path / "data").mkdir()
    directory = dataset_copy(tmp_path / "data")
    root = tmp_path / "cache"
    parsed = bundled._columns(BTC, str(directory), None)
    assert bundled._columns(BTC, str(directory), root) == parsed  # a miss: parsed and stored
    assert len(entries(root)) == 1
    assert bundled._columns(BTC, str(directory), root) == parsed  # a hit


def test_a_run_keeps_the_parsed_files_in_the_user_cache_and_a_second_run_shows_the_same():
    first = process("crypto", "--offline", "--json")
    cached = entries(home_dir() / "cache" / "marketshock")
    second = process("crypto", "--offline", "--json")
    assert first.code == second.code == 0
    assert {p.name.split(".csv.gz")[0] for p in cached} >= {"btc_usd_daily_yahoo", "eth_usd_daily_yahoo"}
    assert _without_clock(second.out) == _without_clock(first.out)


def test_cache_enabled_false_writes_no_parsed_file():
    run = process("crypto", "--offline", "--json", env={"MARKETSHOCK_CACHE_ENABLED": "false"})
    assert run.code == 0
    assert entries(home_dir() / "cache" / "marketshock") == []


def test_an_edited_bundled_dir_file_is_read_anew_not_from_the_cache(tmp_path):
    directory = dataset_copy(tmp_path)
    env = {"MARKETSHOCK_BUNDLED_DIR": str(directory)}
    before = process("crypto", "--offline", "-s", "BTC", "--json", env=env)
    text = gzip.decompress((directory / BTC).read_bytes()).decode()
    lines = text.rstrip("\n").split("\n")
    day = "2026-02-06"
    [row] = [i for i, line in enumerate(lines) if line.startswith(day)]
    cells = lines[row].split(",")
    cells[4] = "12345.0"  # the close of the as-of day
    lines[row] = ",".join(cells)
    (directory / BTC).write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    after = process("crypto", "--offline", "-s", "BTC", "--json", env=env)
    assert before.code == after.code == 0
    assert _btc_price(before.json()) != 12345.0
    assert _btc_price(after.json()) == 12345.0


def _btc_price(envelope: dict) -> float:
    [btc] = [a for a in envelope["data"]["assets"] if a["symbol"] == "BTC"]
    return btc["price"]


def _without_clock(out: str) -> str:
    return "\n".join(line for line in out.splitlines() if '"generated_at"' not in line)


def test_a_bad_cell_the_closes_do_not_need_fails_a_closes_figure_neither_with_nor_without_the_cache(tmp_path):
    spy = "etf_spy_daily_yahoo.csv.gz"
    directory = dataset_copy(tmp_path)
    lines = gzip.decompress((directory / spy).read_bytes()).decode().rstrip("\n").split("\n")
    cells = lines[5].split(",")
    cells[1] = "not a number"  # an open, years before the as-of date
    lines[5] = ",".join(cells)
    (directory / spy).write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    env = {"MARKETSHOCK_BUNDLED_DIR": str(directory)}
    cached = invoke("shock", "--offline", "--json", env=env)  # SPY among the rest
    uncached = invoke("shock", "--offline", "--json", env={**env, "MARKETSHOCK_CACHE_ENABLED": "false"})
    assert cached.code == uncached.code == 0
    assert cached.json()["data"] == uncached.json()["data"]


def _reseal(data: bytes, **header: object) -> bytes:
    """An entry with header fields changed and its checksum made right again, as only a
    deliberate forger would: what the structural checks alone must catch."""
    import hashlib
    import json

    payload = data[len(columns_cache.MAGIC) + 32 :]
    line, _, body = payload.partition(b"\n")
    fields = {**json.loads(line), **header}
    payload = json.dumps(fields, separators=(",", ":")).encode() + b"\n" + body
    return columns_cache.MAGIC + hashlib.blake2b(payload, digest_size=32).digest() + payload


def test_an_entry_copied_over_another_files_entry_is_a_miss(tmp_path):
    columns_cache.put(tmp_path, "smh.csv.gz", b"smh bytes", columns_of(5))
    columns_cache.put(tmp_path, "slv.csv.gz", b"slv bytes", columns_of(9))
    smh = columns_cache._entry(tmp_path, "smh.csv.gz", b"smh bytes")
    slv = columns_cache._entry(tmp_path, "slv.csv.gz", b"slv bytes")
    slv.write_bytes(smh.read_bytes())
    assert columns_cache.get(tmp_path, "slv.csv.gz", b"slv bytes") is None


def test_an_entry_moved_to_another_content_of_its_file_is_a_miss(tmp_path):
    columns_cache.put(tmp_path, "f.csv", b"old bytes", columns_of(5))
    old = columns_cache._entry(tmp_path, "f.csv", b"old bytes")
    old.rename(columns_cache._entry(tmp_path, "f.csv", b"new bytes"))
    assert columns_cache.get(tmp_path, "f.csv", b"new bytes") is None


@pytest.mark.parametrize(
    "header",
    [{"rows": -1, "empty": {"opens": 1}}, {"rows": 0}, {"empty": {"closes": 1}}, {"empty": {"opens": 0}}],
    ids=["negative rows", "rows that do not add up", "an empty close", "zero empty cells"],
)
def test_a_resealed_entry_whose_header_does_not_fit_its_body_is_a_miss(tmp_path, header):
    columns_cache.put(tmp_path, "f.csv", b"raw", columns_of(4, empty_at=(1,)))
    [entry] = entries(tmp_path)
    entry.write_bytes(_reseal(entry.read_bytes(), **header))
    assert columns_cache.get(tmp_path, "f.csv", b"raw") is None


@pytest.mark.parametrize("position", [7, -1], ids=["past the rows", "negative: the last row, silently"])
def test_a_resealed_entry_with_an_empty_cell_outside_its_rows_is_a_miss(tmp_path, position):
    from array import array

    columns_cache.put(tmp_path, "f.csv", b"raw", columns_of(4, empty_at=(1,)))
    [entry] = entries(tmp_path)
    data = entry.read_bytes()
    forged = data[: -array("i").itemsize] + array("i", [position]).tobytes()  # the volumes' one empty cell
    entry.write_bytes(_reseal(forged))
    assert columns_cache.get(tmp_path, "f.csv", b"raw") is None


def test_an_entry_that_is_a_fifo_is_a_miss_without_waiting_for_a_writer(tmp_path):
    import os
    import threading

    path = columns_cache._entry(tmp_path, "f.csv", b"raw")
    path.parent.mkdir(parents=True)
    os.mkfifo(path)
    found: list[object] = []
    reader = threading.Thread(target=lambda: found.append(columns_cache.get(tmp_path, "f.csv", b"raw")), daemon=True)
    reader.start()
    reader.join(timeout=5)
    assert not reader.is_alive() and found == [None]


def test_an_entry_that_is_a_device_or_far_larger_than_its_file_could_parse_into_is_a_miss(tmp_path):
    path = columns_cache._entry(tmp_path, "f.csv", b"raw")
    path.parent.mkdir(parents=True)
    path.symlink_to("/dev/zero")
    assert columns_cache.get(tmp_path, "f.csv", b"raw") is None
    path.unlink()
    with path.open("wb") as sparse:
        sparse.truncate(64 * 1024 * 1024)  # 64 MiB of nothing for a 3-byte file
    assert columns_cache.get(tmp_path, "f.csv", b"raw") is None


def test_a_write_removes_the_temporary_files_a_killed_writer_left_long_ago_only(tmp_path):
    import os
    import time

    folder = tmp_path / columns_cache.SUBDIR
    folder.mkdir()
    old, fresh = folder / ".f.csv.abc.tmp", folder / ".f.csv.def.tmp"  # fresh: maybe a writer at work
    old.write_bytes(b"half")
    fresh.write_bytes(b"half")
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    columns_cache.put(tmp_path, "f.csv", b"raw", columns_of(3))
    assert not old.exists() and fresh.exists()


def test_a_cache_write_does_not_wait_for_the_disk(tmp_path, monkeypatch):
    import os

    synced: list[int] = []
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd))
    assert columns_cache.put(tmp_path, "f.csv", b"raw", columns_of(3))
    assert synced == []  # a write lost in a power cut is a miss, not a wrong figure
