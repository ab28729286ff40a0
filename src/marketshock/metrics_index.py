"""The metrics index: an SQLite database beside the snapshots, so `history` reads one metric
of years of snapshots without parsing a single JSON file.

    <dir>/.marketshock-index.sqlite

One row per as-of date, metric path and value (the view `metric_values`; the table
`metrics` stores the path as a number, `paths` names it), and one row per `<date>.json`
file with the size, modification time and inode it had when it was indexed (`files`; a
file that is not a readable snapshot is kept there with the reason, so `history` can still
warn about it). The JSON files stay the source of truth: the index is a cache of them.

- Writers (`snapshot`, `--keep`) bring it in step under the snapshot directory's lock,
  after every write and prune: only the files whose size, time or inode changed are read.
- Readers check it is in step (one `stat` a file, no reading); when it is not, or it is
  missing, corrupt or written by another version of the metric rules, they take the lock
  and bring it in step (or rebuild it), and when they cannot (a read-only directory, a
  writer holding the lock) they build a private copy in memory and answer from that.
- A rebuild is made in memory and written with the one atomic-write helper, so a killed
  run leaves the old index or the new one; an update is one SQLite transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from marketshock import files, store
from marketshock.errors import LockBusy, StoreError

INDEX_NAME = ".marketshock-index.sqlite"
FORMAT = 3  # bump when the schema or the way metrics are read from a file changes (3: a metric is a finite float)
READER_LOCK_TIMEOUT = 5.0  # a reader waits this long to refresh the index, then builds it in memory

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files(
    name TEXT PRIMARY KEY,   -- 2026-02-06.json
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    inode INTEGER NOT NULL,
    as_of TEXT,              -- NULL: not a readable snapshot
    reason TEXT              -- why not
);
CREATE TABLE paths(id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE);
CREATE TABLE metrics(
    path_id INTEGER NOT NULL REFERENCES paths(id),
    as_of TEXT NOT NULL,     -- ISO date
    value,                   -- no type: an int stays an int, a float a float
    PRIMARY KEY (path_id, as_of)
) WITHOUT ROWID;
CREATE VIEW metric_values AS
    SELECT m.as_of AS as_of, p.path AS path, m.value AS value FROM metrics m JOIN paths p ON p.id = m.path_id;
"""

Stat = tuple[int, int, int]  # size, mtime_ns, inode


def index_path(directory: Path) -> Path:
    return directory / INDEX_NAME


def fingerprint() -> str:
    """The index format and the rules that name metrics (the registry's sections and keyed rows):
    an index written under other rules is rebuilt."""
    from marketshock.sections import registry

    rules = repr((FORMAT, list(registry.NAMES), sorted(store._keyed_lists().items())))
    return hashlib.sha256(rules.encode()).hexdigest()[:16]


# --- the directory as it is ----------------------------------------------------------------


@dataclass
class Listing:
    snapshots: dict[str, Stat]  # `<date>.json` name -> its stat
    foreign: list[Path]  # files that are not named like a snapshot (not ours)


def listing(directory: Path) -> Listing:
    """What `store.scan` would look at, without reading a file: hidden files and exported
    pictures are ignored, `<date>.json` files are candidates, anything else is foreign."""
    snapshots: dict[str, Stat] = {}
    foreign: list[Path] = []
    with os.scandir(directory) as entries:
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            is_file = entry.is_file()
            if is_file and store.PICTURE_NAME.match(name):
                continue
            if not is_file or not store.SNAPSHOT_NAME.match(name):
                foreign.append(Path(entry.path))
                continue
            st = entry.stat()
            snapshots[name] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return Listing(snapshots, sorted(foreign))


# --- values --------------------------------------------------------------------------------

_INT64 = 2**63


def _encode(value: int | float) -> int | float | str:
    """SQLite holds 64-bit integers: a larger int is kept as text (a metric is never NaN, see
    `store._is_number`)."""
    if isinstance(value, int) and not -_INT64 <= value < _INT64:
        return str(value)
    return value


def _decode(value: int | float | str) -> int | float:
    return int(value) if isinstance(value, str) else value


# --- building and refreshing ---------------------------------------------------------------


def _create(conn: sqlite3.Connection) -> None:
    conn.executescript(_SCHEMA)
    conn.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (fingerprint(),))


def _path_ids(conn: sqlite3.Connection) -> dict[str, int]:
    return {path: id_ for id_, path in conn.execute("SELECT id, path FROM paths")}


def _add(conn: sqlite3.Connection, directory: Path, name: str, stat: Stat, ids: dict[str, int]) -> None:
    try:
        snap = store.read(directory / name)
    except StoreError as error:
        conn.execute("INSERT INTO files VALUES (?, ?, ?, ?, NULL, ?)", (name, *stat, str(error)))
        return
    as_of = snap.as_of.isoformat()
    conn.execute("INSERT INTO files VALUES (?, ?, ?, ?, ?, NULL)", (name, *stat, as_of))
    rows = []
    for path, value in store.metrics(snap).items():
        if path not in ids:
            ids[path] = conn.execute("INSERT INTO paths(path) VALUES (?)", (path,)).lastrowid or 0
        rows.append((ids[path], as_of, _encode(value)))
    conn.executemany("INSERT OR REPLACE INTO metrics VALUES (?, ?, ?)", rows)


def _indexed(conn: sqlite3.Connection) -> dict[str, tuple[Stat, str | None]]:
    return {
        name: ((size, mtime, inode), as_of)
        for name, size, mtime, inode, as_of in conn.execute("SELECT name, size, mtime_ns, inode, as_of FROM files")
    }


def _in_step(conn: sqlite3.Connection, seen: Listing) -> bool:
    row = conn.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
    if row is None or row[0] != fingerprint():
        return False
    return {name: stat for name, (stat, _) in _indexed(conn).items()} == seen.snapshots


def _sync(conn: sqlite3.Connection, directory: Path, seen: Listing) -> int:
    """Bring the index in step with the listing, in one transaction; returns the files read."""
    indexed = _indexed(conn)
    stale = [name for name, (stat, _) in indexed.items() if seen.snapshots.get(name) != stat]
    fresh = [name for name, stat in seen.snapshots.items() if indexed.get(name, (None,))[0] != stat]
    if not stale and not fresh:
        return 0
    with conn:
        for name in stale:
            as_of = indexed[name][1]
            if as_of is not None:
                conn.execute("DELETE FROM metrics WHERE as_of = ?", (as_of,))
            conn.execute("DELETE FROM files WHERE name = ?", (name,))
        ids = _path_ids(conn)
        for name in sorted(fresh):
            _add(conn, directory, name, seen.snapshots[name], ids)
    return len(fresh)


def build_in_memory(directory: Path, seen: Listing | None = None) -> sqlite3.Connection:
    """A private index of the directory, read from every JSON file (nothing written)."""
    conn = sqlite3.connect(":memory:")
    _create(conn)
    _sync(conn, directory, seen or listing(directory))
    return conn


def _remove_journals(path: Path) -> None:
    """A journal left by a killed update belongs to the file it updated: never let it roll back a new one."""
    for suffix in ("-journal", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


def rebuild(directory: Path, seen: Listing | None = None) -> sqlite3.Connection:
    """Build the index from the JSON files and replace the one on disk atomically. Call it with
    the directory's lock held. Returns a connection to the new index."""
    memory = build_in_memory(directory, seen)
    path = index_path(directory)
    data = memory.serialize()
    memory.close()
    _remove_journals(path)
    files.atomic_write(path, data)
    return sqlite3.connect(path)


def _open(path: Path, readonly: bool) -> sqlite3.Connection:
    if readonly:
        return sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    return sqlite3.connect(path)


def refresh(directory: Path, seen: Listing | None = None, *, force: bool = False) -> sqlite3.Connection:
    """Bring the index in step, with the lock held: an update when it is sound, else a rebuild."""
    seen = seen or listing(directory)
    path = index_path(directory)
    if not force and path.is_file():
        conn = _open(path, readonly=False)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
            if row is not None and row[0] == fingerprint():
                _sync(conn, directory, seen)
                return conn
        except sqlite3.DatabaseError:  # not a database, or a damaged page: rebuild
            pass
        conn.close()
    return rebuild(directory, seen)


def update(directory: Path) -> None:
    """After a write or a prune, with the lock held. Raises OSError or sqlite3.Error."""
    refresh(directory).close()


# --- reading -------------------------------------------------------------------------------


class Point(NamedTuple):
    """One snapshot's value of a metric. `file` is the snapshot's path as text: a `Path` joined
    for each of thousands of points was the slowest part of reading a history."""

    as_of: dt.date
    file: str
    value: int | float


class Index:
    """The index of one directory, in step with its files when it was opened."""

    def __init__(
        self, directory: Path, conn: sqlite3.Connection, seen: Listing, how: str, unsaved: Exception | None = None
    ) -> None:
        self.directory = directory
        self.conn = conn
        self.seen = seen
        self.how = how  # "read", "updated", "rebuilt", "in memory (<why>)"
        # Why the index on disk could not be brought in step (a busy lock, a read-only directory):
        # this one was built in memory from the files instead. None: the file is in step.
        self.unsaved = unsaved

    def close(self) -> None:
        self.conn.close()

    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM files WHERE as_of IS NOT NULL").fetchone()[0])

    def skipped(self) -> list[store.Skipped]:
        """Broken `<date>.json` files (with why) and foreign files, by name, as `store.scan` lists them."""
        broken = [
            store.Skipped(self.directory / name, reason)
            for name, reason in self.conn.execute("SELECT name, reason FROM files WHERE as_of IS NULL")
        ]
        why = "not a snapshot (expected YYYY-MM-DD.json)"
        foreign = [store.Skipped(p, why, foreign=True) for p in self.seen.foreign]
        return sorted(broken + foreign, key=lambda s: s.path.name)

    def has(self, metric: str) -> bool:
        return (
            self.conn.execute(
                "SELECT 1 FROM metrics WHERE path_id = (SELECT id FROM paths WHERE path = ?) LIMIT 1", (metric,)
            ).fetchone()
            is not None
        )

    def paths(self, first: dt.date | None = None, last: dt.date | None = None) -> list[str]:
        """Every metric path some snapshot between `first` and `last` holds, sorted."""
        low, high = (first.isoformat() if first else ""), (last.isoformat() if last else "9999-99-99")
        rows = self.conn.execute(
            "SELECT path FROM paths p WHERE EXISTS "
            "(SELECT 1 FROM metrics m WHERE m.path_id = p.id AND m.as_of BETWEEN ? AND ?)",
            (low, high),
        )
        return sorted(path for (path,) in rows)

    def history(self, metric: str, first: dt.date | None = None, last: dt.date | None = None) -> list[Point]:
        low, high = (first.isoformat() if first else ""), (last.isoformat() if last else "9999-99-99")
        rows = self.conn.execute(
            "SELECT as_of, value FROM metrics WHERE path_id = (SELECT id FROM paths WHERE path = ?) "
            "AND as_of BETWEEN ? AND ? ORDER BY as_of",
            (metric, low, high),
        )
        prefix = str(self.directory / "_")[:-1]  # the directory as Path writes it before a file name
        return [Point(dt.date.fromisoformat(as_of), f"{prefix}{as_of}.json", _decode(value)) for as_of, value in rows]


def open_index(directory: Path, *, reindex: bool = False, lock_timeout: float | None = None) -> Index:
    """The directory's index, in step with its JSON files (see the module's docstring)."""
    lock_timeout = READER_LOCK_TIMEOUT if lock_timeout is None else lock_timeout
    seen = listing(directory)
    path = index_path(directory)
    if not reindex and path.is_file():
        conn: sqlite3.Connection | None = None
        try:
            conn = _open(path, readonly=True)
            if _in_step(conn, seen):
                return Index(directory, conn, seen, "read")
        except sqlite3.Error:
            pass
        if conn is not None:
            conn.close()
    if not seen.snapshots and not path.is_file():
        return Index(directory, build_in_memory(directory, seen), seen, "in memory (no snapshots)")
    try:
        with store.locked(directory, lock_timeout):
            seen = listing(directory)  # a writer may have run while we waited
            existed = path.is_file()
            conn = refresh(directory, seen, force=reindex)
            return Index(directory, conn, seen, "rebuilt" if reindex or not existed else "updated")
    except (LockBusy, OSError, sqlite3.Error) as error:
        why = str(error) if isinstance(error, LockBusy) else f"cannot write {path}: {error}"
        return Index(directory, build_in_memory(directory, seen), seen, f"in memory ({why})", unsaved=error)


@contextlib.contextmanager
def opened(directory: Path, *, reindex: bool = False) -> Iterator[Index]:
    index = open_index(directory, reindex=reindex)
    try:
        yield index
    finally:
        index.close()
