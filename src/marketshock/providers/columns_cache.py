"""A disk cache of bundled daily files parsed into columns.

Parsing is most of what an offline run does: for the nine bundled daily series (54,000 rows
back to 1990) gunzip, splitting the text and converting dates and floats cost about 70 ms of
CPU, every run, to reach the same columns. Read back from here they cost a few milliseconds:
the file's raw bytes are hashed (BLAKE2b), and the entry holds the parsed columns as machine
arrays (`array.array`), which load without parsing anything.

The key is the file's name and the digest of its raw bytes, so an edited `bundled.dir` file or
a new package version misses on its own (no modification times to trust); FORMAT changes with
the layout. Entries live in `<cache root>/columns/<name>.<digest>.cols`, beside the HTTP
cache's provider directories, under the same `cache.dir` and `cache.enabled` settings.

Why not diskcache or pickle: diskcache is SQLite (its import alone costs what a hit saves, for
a handful of keys that never expire), and a pickle or marshal file runs whatever it holds when
loaded. Arrays and a JSON header are data only. An entry names the file and the digest it was
parsed from, so an entry copied or renamed to another key is a miss; one that is truncated,
corrupt, of another format or another machine's byte order, not a regular file, or far larger
than its file could parse into, fails its checks and is a miss too. Like the HTTP cache, every
failure is a miss or a skipped write, never an exception: the cache changes how fast a run is,
never what it shows. Entries are written atomically but without fsync (a write lost in a power
cut is a miss), which keeps a cold run's extra cost to the parse of the whole file.

Layout of an entry: MAGIC, the 32-byte BLAKE2b digest of the rest, a one-line JSON header
(format, byte order, the file's name and digest, row count, where each column with empty cells
has them), then the dates as day ordinals (`array('i')`), each float column (`array('d')`, an
empty cell stored as 0.0), and each column's empty-cell positions (`array('i')`, increasing).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import json
import os
import stat
import sys
import time
from array import array
from pathlib import Path

from marketshock.models.series import Columns

FORMAT = 1
MAGIC = b"marketshock columns\n"
SUBDIR = "columns"
_DIGEST = 32
# An entry holds at most ~44 bytes a row; its file at least ~2 bytes a row even gzipped. Anything
# far larger than its file could parse into is not an entry (a symlink to /dev/zero, a huge file).
_MAX_GROWTH = 64
_MAX_OVERHEAD = 64 * 1024
_STALE_TMP_SECONDS = 600  # a temporary file this old is left by a killed writer
# The float columns in `Columns` order after `dates`; `closes` never holds an empty cell.
_FLOATS = ("opens", "highs", "lows", "closes", "volumes")


def _key(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def _entry(root: Path, name: str, raw: bytes) -> Path:
    return root / SUBDIR / f"{name}.{_key(raw)}.cols"


def get(root: Path | None, name: str, raw: bytes) -> Columns | None:
    """The columns parsed from `raw` (the bundled file `name` as stored on disk), or None: no
    cache (`root` None), no entry, or an entry that is not a regular file, is too large, corrupt,
    truncated, of another format or written for another file."""
    if root is None:
        return None
    data = _read_entry(_entry(root, name, raw), limit=_MAX_GROWTH * len(raw) + _MAX_OVERHEAD)
    if data is None:
        return None
    try:
        return _decode(data, name, _key(raw))
    except (ValueError, KeyError, TypeError, IndexError, OverflowError):
        return None


def _read_entry(path: Path, limit: int) -> bytes | None:
    """The bytes of a regular file of at most `limit` bytes, or None. Opened without blocking, so
    a FIFO in its place is seen for what it is instead of waiting for a writer forever."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(limit + 1)
        return data if len(data) <= limit else None
    except OSError:
        return None
    finally:
        os.close(fd)


def put(root: Path | None, name: str, raw: bytes, columns: Columns) -> bool:
    """Store `columns` as parsed from `raw` (atomically) and remove the entries of the same name
    for other contents, and temporary files a killed writer left. False when there is no cache
    or it cannot be written; never raises."""
    if root is None:
        return False
    from marketshock import files  # tempfile and friends: only on a miss

    path = _entry(root, name, raw)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        files.atomic_write(path, _encode(columns, name, _key(raw)), durable=False)
        for old in path.parent.glob(f"{name}.*.cols"):
            if old.name != path.name:
                old.unlink(missing_ok=True)
        stale = time.time() - _STALE_TMP_SECONDS
        for tmp in path.parent.glob(f".{name}.*.tmp"):
            with contextlib.suppress(OSError):
                if tmp.stat().st_mtime < stale:
                    tmp.unlink()
    except (OSError, ValueError, OverflowError):  # a read-only home, a full disk, a date out of array('i')
        return False
    return True


def _encode(columns: Columns, name: str, key: str) -> bytes:
    body: list[bytes] = [array("i", [d.toordinal() for d in columns.dates]).tobytes()]
    empty: dict[str, list[int]] = {}
    for column in _FLOATS:
        values = getattr(columns, column)
        missing = [i for i, v in enumerate(values) if v is None]
        if missing:
            empty[column] = missing
            values = [0.0 if v is None else v for v in values]
        body.append(array("d", values).tobytes())
    for column in _FLOATS:
        if column in empty:
            body.append(array("i", empty[column]).tobytes())
    header = {
        "format": FORMAT,
        "byteorder": sys.byteorder,
        "int_size": array("i").itemsize,
        "file": name,
        "key": key,
        "rows": len(columns.dates),
        "empty": {column: len(cells) for column, cells in empty.items()},
    }
    payload = json.dumps(header, separators=(",", ":")).encode() + b"\n" + b"".join(body)
    return MAGIC + hashlib.blake2b(payload, digest_size=_DIGEST).digest() + payload


def _decode(data: bytes, name: str, key: str) -> Columns:
    """The columns of an entry written by `_encode` for the file `name` whose bytes have the
    digest `key`. ValueError (or KeyError, TypeError, IndexError) for anything else: another
    format, another machine's layout, another file, lengths that do not add up, an empty-cell
    position outside the rows."""
    if not data.startswith(MAGIC):
        raise ValueError("not a columns entry")
    digest, payload = data[len(MAGIC) : len(MAGIC) + _DIGEST], data[len(MAGIC) + _DIGEST :]
    if hashlib.blake2b(payload, digest_size=_DIGEST).digest() != digest:
        raise ValueError("checksum mismatch")
    line, _, body = payload.partition(b"\n")
    header = json.loads(line)
    ints, floats = array("i"), array("d")
    if (header["format"], header["byteorder"], header["int_size"]) != (FORMAT, sys.byteorder, ints.itemsize):
        raise ValueError("another format")
    if (header["file"], header["key"]) != (name, key):
        raise ValueError("an entry of another file")  # copied or renamed: its key says nothing of it
    rows = header["rows"]
    empty: dict[str, int] = header["empty"]
    if not isinstance(rows, int) or rows < 0 or set(empty) - set(_FLOATS) or "closes" in empty:
        raise ValueError("a header that does not fit")
    if not all(isinstance(n, int) and 0 < n <= rows for n in empty.values()):
        raise ValueError("empty-cell counts that do not fit")
    sizes = [rows * ints.itemsize] + [rows * floats.itemsize] * len(_FLOATS)
    sizes += [empty[column] * ints.itemsize for column in _FLOATS if column in empty]
    if sum(sizes) != len(body):
        raise ValueError("truncated")
    chunks, start = [], 0
    for size in sizes:
        chunks.append(body[start : start + size])
        start += size
    ordinals = array("i")
    ordinals.frombytes(chunks[0])
    dates = tuple(map(dt.date.fromordinal, ordinals))
    columns: dict[str, tuple[float | None, ...]] = {}
    positions = iter(chunks[1 + len(_FLOATS) :])
    for column, chunk in zip(_FLOATS, chunks[1 : 1 + len(_FLOATS)], strict=True):
        values = array("d")
        values.frombytes(chunk)
        if column not in empty:
            columns[column] = tuple(values)
            continue
        cells: list[float | None] = list(values)
        where = array("i")
        where.frombytes(next(positions))
        if where[0] < 0 or where[-1] >= rows or any(a >= b for a, b in itertools.pairwise(where)):
            raise ValueError("empty-cell positions outside the rows")
        for i in where:
            cells[i] = None
        columns[column] = tuple(cells)
    return Columns(dates, columns["opens"], columns["highs"], columns["lows"], columns["closes"], columns["volumes"])  # type: ignore[arg-type]
