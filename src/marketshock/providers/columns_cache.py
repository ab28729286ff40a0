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
loaded. Arrays and a JSON header are data only; a file that is truncated, corrupt, of another
format or another machine's byte order fails its checksum or its lengths and is a miss. Like
the HTTP cache, every failure is a miss or a skipped write, never an exception: the cache can
only make a run faster, never change what it shows.

Layout of an entry: MAGIC, the 32-byte BLAKE2b digest of the rest, a one-line JSON header
(format, byte order, row count, where each column with empty cells has them), then the dates
as day ordinals (`array('i')`), each float column (`array('d')`, an empty cell stored as 0.0),
and each column's empty-cell positions (`array('i')`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from array import array
from pathlib import Path

from marketshock.models.series import Columns

FORMAT = 1
MAGIC = b"marketshock columns\n"
SUBDIR = "columns"
_DIGEST = 32
# The float columns in `Columns` order after `dates`; `closes` never holds an empty cell.
_FLOATS = ("opens", "highs", "lows", "closes", "volumes")


def _key(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def _entry(root: Path, name: str, raw: bytes) -> Path:
    return root / SUBDIR / f"{name}.{_key(raw)}.cols"


def get(root: Path | None, name: str, raw: bytes) -> Columns | None:
    """The columns parsed from `raw` (the bundled file `name` as stored on disk), or None: no
    cache (`root` None), no entry, or an entry that is corrupt, truncated or of another format."""
    if root is None:
        return None
    try:
        data = _entry(root, name, raw).read_bytes()
    except OSError:
        return None
    try:
        return _decode(data)
    except (ValueError, KeyError, TypeError, IndexError, OverflowError):
        return None


def put(root: Path | None, name: str, raw: bytes, columns: Columns) -> bool:
    """Store `columns` as parsed from `raw` (atomically) and remove the entries of the same name
    for other contents. False when there is no cache or it cannot be written; never raises."""
    if root is None:
        return False
    from marketshock import files  # tempfile and friends: only on a miss

    path = _entry(root, name, raw)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        files.atomic_write(path, _encode(columns))
        for old in path.parent.glob(f"{name}.*.cols"):
            if old.name != path.name:
                old.unlink(missing_ok=True)
    except (OSError, ValueError, OverflowError):  # a read-only home, a full disk, a date out of array('i')
        return False
    return True


def _encode(columns: Columns) -> bytes:
    body: list[bytes] = [array("i", [d.toordinal() for d in columns.dates]).tobytes()]
    empty: dict[str, list[int]] = {}
    for name in _FLOATS:
        values = getattr(columns, name)
        missing = [i for i, v in enumerate(values) if v is None]
        if missing:
            empty[name] = missing
            values = [0.0 if v is None else v for v in values]
        body.append(array("d", values).tobytes())
    for name in _FLOATS:
        if name in empty:
            body.append(array("i", empty[name]).tobytes())
    header = {
        "format": FORMAT,
        "byteorder": sys.byteorder,
        "int_size": array("i").itemsize,
        "rows": len(columns.dates),
        "empty": {name: len(cells) for name, cells in empty.items()},
    }
    payload = json.dumps(header, separators=(",", ":")).encode() + b"\n" + b"".join(body)
    return MAGIC + hashlib.blake2b(payload, digest_size=_DIGEST).digest() + payload


def _decode(data: bytes) -> Columns:
    """The columns of an entry. ValueError (or KeyError, TypeError) for anything not written
    by `_encode` of this FORMAT on a machine like this one."""
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
    rows: int = header["rows"]
    empty: dict[str, int] = header["empty"]
    if "closes" in empty:
        raise ValueError("an empty close")
    sizes = [rows * ints.itemsize] + [rows * floats.itemsize] * len(_FLOATS)
    sizes += [empty[name] * ints.itemsize for name in _FLOATS if name in empty]
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
    for name, chunk in zip(_FLOATS, chunks[1 : 1 + len(_FLOATS)], strict=True):
        values = array("d")
        values.frombytes(chunk)
        if name not in empty:
            columns[name] = tuple(values)
            continue
        cells: list[float | None] = list(values)
        where = array("i")
        where.frombytes(next(positions))
        for i in where:
            cells[i] = None  # IndexError (a miss) for a position past the rows
        columns[name] = tuple(cells)
    return Columns(dates, columns["opens"], columns["highs"], columns["lows"], columns["closes"], columns["volumes"])  # type: ignore[arg-type]
