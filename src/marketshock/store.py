"""Snapshots on disk: one `<as_of>.json` report envelope a day, written so that a reader
or a killed run never sees a partial file, and two overlapping runs never collide.

Layout of a snapshot directory::

    2026-02-05.json          the `report --json` envelope computed as of that day
    2026-02-06.json
    .marketshock.lock        the lock writers take (filelock); never read as a snapshot
    .marketshock-index.sqlite  the metrics index `history` reads (metrics_index.py): a cache of the files
    .2026-02-06.json.*.tmp   a write in progress (or left by a killed run; the next writer removes it)

A write goes to a temporary file in the same directory, is flushed and fsynced, then
`os.replace`d over the target (atomic on POSIX and Windows), and the directory is
fsynced so the rename survives a power cut. Writers hold the directory's lock while
they write and prune (and bring the metrics index in step), so at most one temporary
file exists at a time.

Readers take no lock: thanks to the atomic replace every `<date>.json` they see is
whole. Files that are not snapshots (corrupt, foreign, from a newer marketshock) are
reported back as `Skipped`, never raised, so `history` can warn and go on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marketshock import files
from marketshock.config import APP_NAME, Settings
from marketshock.errors import LockBusy, StoreError

LOCK_NAME = ".marketshock.lock"
SNAPSHOT_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})\.json$")
# Pictures of a snapshot (`snapshot --export`) sit beside it as <date>.png, .svg, .pdf, .html,
# .term.svg, .term.html or .txt.
PICTURE_SUFFIXES = (".png", ".svg", ".pdf", ".html", ".term.svg", ".term.html", ".txt")
PICTURE_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}\.(png|svg|pdf|html|term\.svg|term\.html|txt)$")
TEMP_NAME = re.compile(r"^\.(\d{4}-\d{2}-\d{2}\.(json|svg|html|txt)|marketshock-index\.sqlite)\..+\.tmp$")
DEFAULT_LOCK_TIMEOUT = 30.0  # seconds; writes take milliseconds, so waiting this long means a stuck writer


# --- where -------------------------------------------------------------------


def default_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME) / "snapshots"


def snapshot_dir(settings: Settings, explicit: str | Path | None = None) -> Path:
    """--out/--dir, else `snapshot.dir` (config or MARKETSHOCK_SNAPSHOT_DIR; empty or blank there
    means not set, as for the other directories), else the user data dir. Raises PathError (exit
    2) for an empty --dir/--out, a NUL character, or `~user` of a user with no home directory."""
    from marketshock.errors import PathError, shown_path

    if explicit is not None and not str(explicit).strip():
        raise PathError("--dir/--out: the path is empty")  # not "the default directory" by accident
    chosen = str(explicit) if explicit is not None else (settings.snapshot.dir or "").strip()
    if not chosen:
        return default_dir()
    if "\0" in chosen:
        raise PathError(f"snapshot directory {shown_path(chosen)!r}: a path cannot hold a NUL character")
    try:
        return Path(chosen).expanduser()
    except RuntimeError:  # pathlib's "Could not determine home directory"
        user = chosen.split("/")[0]
        raise PathError(f"snapshot directory {shown_path(chosen)}: no home directory for {user}") from None


def in_the_way(directory: Path) -> str | None:
    """What stops `directory` from being a snapshot directory, in words for a PathError, if
    anything: itself or its nearest existing parent when that is not a directory (a file, a
    FIFO), or a symbolic link to nothing (a broken or looping link) on the way."""
    from marketshock.errors import shown_path

    for path in (directory, *directory.parents):
        if path.exists() and path.is_dir():
            return None
        if path.exists() or path.is_symlink():  # a file, or a link pointing nowhere
            what = "not a directory" if path.exists() else "a symbolic link to nothing"
            where = "" if path == directory else f": {shown_path(path)}"
            return f"snapshot directory {shown_path(directory)}{where} is {what}"
    return None


def snapshot_path(directory: Path, as_of: dt.date) -> Path:
    return directory / f"{as_of.isoformat()}.json"


# --- writing -----------------------------------------------------------------


@contextlib.contextmanager
def locked(directory: Path, timeout: float = DEFAULT_LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the directory's writer lock; raise LockBusy after `timeout` seconds.

    filelock takes an OS lock (flock/fcntl, LockFileEx) on `.marketshock.lock`, so a
    run killed while holding it releases it with its process: no stale lock to clean.
    """
    from filelock import FileLock, Timeout

    lock = FileLock(directory / LOCK_NAME, timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise LockBusy(
            f"another marketshock run is writing to {directory} (waited {timeout:g}s for {directory / LOCK_NAME})"
        ) from None
    try:
        yield
    finally:
        lock.release()


def remove_stale_temporaries(directory: Path) -> list[Path]:
    """Temporary files left by killed runs. Call with the lock held: then none is live."""
    removed = []
    for entry in directory.iterdir():
        if TEMP_NAME.match(entry.name):
            with contextlib.suppress(OSError):
                entry.unlink()
                removed.append(entry)
    return removed


def snapshot_files(directory: Path) -> list[tuple[dt.date, Path]]:
    """`<date>.json` files in the directory, oldest first (by the date in the name)."""
    found = []
    for entry in directory.iterdir():
        m = SNAPSHOT_NAME.match(entry.name)
        if m and entry.is_file():
            try:
                found.append((dt.date.fromisoformat(m.group(1)), entry))
            except ValueError:  # 2026-02-30.json: not a snapshot name
                continue
    return sorted(found)


def prune(directory: Path, keep: int, protect: Path | None = None) -> list[Path]:
    """Delete all but the `keep` latest snapshot dates, with the pictures exported beside
    them. `protect` (the snapshot a run just wrote) is never deleted, even when it is older
    than the `keep` latest. Other files are never touched."""
    if keep < 1:
        raise ValueError("keep must be at least 1")
    doomed = []
    for _, path in snapshot_files(directory)[:-keep]:
        if protect is not None and path.name == protect.name:
            continue
        doomed += [path, *(p for p in (path.with_suffix(s) for s in PICTURE_SUFFIXES) if p.exists())]
    for path in doomed:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    return doomed


@dataclass
class WriteResult:
    path: Path
    written: bool  # false: --no-overwrite kept an existing file
    pruned: list[Path] = field(default_factory=list)
    pictures: list[Path] = field(default_factory=list)  # written beside the snapshot
    index_error: str | None = None  # the metrics index could not be brought in step (readers rebuild it)


def update_index(directory: Path) -> str | None:
    """Bring the metrics index in step after a write or a prune; call it with the lock held.
    The snapshot files are the truth and the index a cache of them, so a failure is not fatal:
    the index is removed (the next reader rebuilds it) and the reason returned."""
    import sqlite3

    from marketshock import metrics_index

    try:
        metrics_index.update(directory)
    except (OSError, sqlite3.Error) as error:
        with contextlib.suppress(OSError):
            metrics_index.index_path(directory).unlink()
        return f"metrics index not updated ({error}); history will rebuild it"
    return None


def write_snapshot(
    directory: Path,
    as_of: dt.date,
    content: str,
    *,
    overwrite: bool = True,
    keep: int | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    pictures: dict[str, str | bytes] | None = None,
) -> WriteResult:
    """Write `content` (an envelope's JSON) as the snapshot of `as_of`, under the lock, and
    each of `pictures` (suffix -> content, e.g. ".svg") beside it as `<as_of><suffix>`."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"cannot create snapshot directory {directory}: {error.strerror or error}") from None
    if not directory.is_dir():
        raise StoreError(f"snapshot directory {directory} is not a directory")
    path = snapshot_path(directory, as_of)
    try:
        with locked(directory, lock_timeout):
            remove_stale_temporaries(directory)
            written = overwrite or not path.exists()
            beside = []
            if written:
                files.atomic_write(path, content.encode("utf-8"))
                for suffix, picture in (pictures or {}).items():
                    beside.append(path.with_suffix(suffix))
                    files.atomic_write(beside[-1], picture.encode("utf-8") if isinstance(picture, str) else picture)
            pruned = prune(directory, keep, protect=path) if keep else []
            index_error = update_index(directory) if written or pruned else None
    except OSError as error:
        raise StoreError(f"cannot write snapshot in {directory}: {error.strerror or error}") from None
    return WriteResult(path=path, written=written, pruned=pruned, pictures=beside, index_error=index_error)


# --- reading -----------------------------------------------------------------


@dataclass
class Snapshot:
    path: Path
    as_of: dt.date
    generated_at: dt.datetime
    source: str
    command: str
    data: dict[str, Any] | None
    errors: list[dict[str, Any]]


@dataclass
class Skipped:
    path: Path
    reason: str
    foreign: bool = False  # not named like a snapshot at all (a broken `<date>.json` is not foreign)


def _not_a_json_number(name: str) -> None:
    # Python's json reads NaN and Infinity, which JSON has not (marketshock writes null for a
    # figure it has not): a file holding one was not written by marketshock, and its "figure"
    # would pass for a number in every history and diff.
    raise ValueError(f"{name} is not a JSON number")


def read(path: Path) -> Snapshot:
    """Read one snapshot file; StoreError (naming what is wrong) for anything else."""
    from marketshock.models.envelope import SCHEMA_VERSION  # the models only when a file is read

    try:
        raw = path.read_bytes()
    except OSError as error:
        raise StoreError(f"cannot read: {error.strerror or error}") from None
    try:
        doc = json.loads(raw.decode("utf-8"), parse_constant=_not_a_json_number)
    except (UnicodeDecodeError, ValueError) as error:  # JSONDecodeError is a ValueError
        raise StoreError(f"not valid JSON ({error})") from None
    if not isinstance(doc, dict) or "schema_version" not in doc or "command" not in doc:
        raise StoreError("not a marketshock envelope (no schema_version/command)")
    version = doc["schema_version"]
    if not isinstance(version, int) or isinstance(version, bool):
        raise StoreError(f"schema_version {version!r} is not an integer")
    if version > SCHEMA_VERSION:
        raise StoreError(f"schema_version {version} is newer than this marketshock reads ({SCHEMA_VERSION})")
    try:
        as_of = dt.date.fromisoformat(doc["as_of"])
        generated_at = dt.datetime.fromisoformat(doc["generated_at"])
    except (KeyError, TypeError, ValueError):
        raise StoreError("as_of or generated_at missing or not ISO 8601") from None
    data = doc.get("data")
    errors = doc.get("errors", [])
    if not isinstance(doc["command"], str) or not (data is None or isinstance(data, dict)):
        raise StoreError("not a marketshock envelope (command or data of the wrong type)")
    if not isinstance(errors, list):
        raise StoreError("errors is not a list")
    name = SNAPSHOT_NAME.match(path.name)
    if name and name.group(1) != as_of.isoformat():
        raise StoreError(f"as_of {as_of} does not match the file name")
    return Snapshot(
        path=path,
        as_of=as_of,
        generated_at=generated_at,
        source=str(doc.get("source", "")),
        command=doc["command"],
        data=data,
        errors=errors,
    )


def scan(directory: Path) -> tuple[list[Snapshot], list[Skipped]]:
    """Every snapshot in the directory (oldest first) and every file that is not one.

    Hidden files (the lock, temporaries, the alert state) and the pictures `snapshot --export`
    writes beside a snapshot (`<date>.svg`, `.html`, `.txt`) are ours and silently ignored;
    anything else that is not a readable `<date>.json` envelope is returned as Skipped, with why.
    """
    if not directory.is_dir():
        raise StoreError(f"snapshot directory {directory} does not exist")
    snapshots: list[Snapshot] = []
    skipped: list[Skipped] = []
    for entry in sorted(directory.iterdir()):
        if entry.name.startswith(".") or (PICTURE_NAME.match(entry.name) and entry.is_file()):
            continue
        if not SNAPSHOT_NAME.match(entry.name) or not entry.is_file():
            skipped.append(Skipped(entry, "not a snapshot (expected YYYY-MM-DD.json)", foreign=True))
            continue
        try:
            snapshots.append(read(entry))
        except StoreError as error:
            skipped.append(Skipped(entry, str(error)))
    snapshots.sort(key=lambda s: s.as_of)
    return snapshots, skipped


# --- metrics -----------------------------------------------------------------


# Lists of rows inside a section's data, keyed by the field that names a row. "collapse"
# drops the list's own name from the path: crypto.assets[BTC].price -> crypto.BTC.price.
def _keyed_lists() -> dict[tuple[str, str], tuple[str, bool]]:
    """Lists of rows inside a section's data, keyed by the field that names a row (the registry's
    `metric_rows`)."""
    from marketshock.sections import registry

    return {(s.name, key): keyed for s in registry.SECTIONS for key, keyed in s.metric_rows.items()}


_LARGEST_FLOAT = int(sys.float_info.max)


def _is_number(value: Any) -> bool:
    """A finite number a float can hold: every figure is shown, charted and compared as one
    (an int keeps its digits in --csv and --json)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) <= _LARGEST_FLOAT
    return isinstance(value, float) and math.isfinite(value)


def _segment(text: str) -> str:
    """A path segment from a data value: dots would split the path, spaces are awkward in shells."""
    return re.sub(r"[^A-Za-z0-9_\-]+", "-", text).strip("-") or "_"


# Numbers that are not figures of the market: a row's age grows by one every day (issue 12).
NOT_METRICS = frozenset({"age_days"})


def _walk(node: Any, path: str, out: dict[str, int | float]) -> None:
    if _is_number(node):
        out[path] = node
    elif isinstance(node, dict):
        for key, value in node.items():
            if key not in NOT_METRICS:
                _walk(value, f"{path}.{key}", out)
    # Lists of numbers (sparkline closes) and lists of unkeyed rows are not metrics.


def section_metrics(section: str, data: dict[str, Any]) -> dict[str, int | float]:
    out: dict[str, int | float] = {}
    for key, value in data.items():
        keyed = _keyed_lists().get((section, key))
        if keyed and isinstance(value, list):
            name_field, collapse = keyed
            base = section if collapse else f"{section}.{key}"
            for row in value:
                if isinstance(row, dict) and isinstance(row.get(name_field), str):
                    _walk({k: v for k, v in row.items() if k != name_field}, f"{base}.{_segment(row[name_field])}", out)
        else:
            _walk(value, f"{section}.{key}", out)
    return out


def metrics(snapshot: Snapshot) -> dict[str, int | float]:
    """Every numeric figure of a snapshot by its path, e.g. `crypto.BTC.price`, `labor.claims.initial`.

    A report snapshot's sections are the first segment; a single-section envelope
    (say, a saved `crypto --json`) uses its command name the same way.
    """
    return data_metrics(snapshot.command, snapshot.data)


def data_metrics(command: str, data: dict[str, Any] | None) -> dict[str, int | float]:
    """`metrics` of an envelope's `data` (a report's, or one section command's)."""
    if not data:
        return {}
    if command == "report":
        from marketshock.sections import registry

        sections = {s.name: data.get(s.name) for s in registry.REPORT_SECTIONS}
    else:
        sections = {command: data}
    out: dict[str, int | float] = {}
    for name, data in sections.items():
        if isinstance(data, dict):
            out.update(section_metrics(name, data))
    return out


def metric_history(snapshots: list[Snapshot], metric: str) -> list[tuple[Snapshot, int | float]]:
    return [(s, value) for s in snapshots if (value := metrics(s).get(metric)) is not None]


# Metrics whose change in percent means nothing, by the last segment of their path: percentages
# (they change in percentage points), z-scores and percentiles, counts, streaks, ranks, years,
# month counts and differences. Their change is `new - old` only.
_NO_RELATIVE_CHANGE = re.compile(
    r"(_pct|percentile|zscore|streak|observations|sessions|rank|_year|_years|years_since|_since|_months|^change)$"
)


def relative_change_applies(metric: str) -> bool:
    """Whether a change of `metric` in percent of its old value means something (a price, a level, USD)."""
    return not _NO_RELATIVE_CHANGE.search(metric.rsplit(".", 1)[-1])


@dataclass
class Change:
    metric: str
    old: int | float | None
    new: int | float | None

    @property
    def change(self) -> float | None:
        if self.old is None or self.new is None:
            return None
        return self.new - self.old

    @property
    def change_pct(self) -> float | None:
        """Relative to |old|, so the sign always says the direction of the move; None for a metric
        where a percent change means nothing (a `*_pct` changes in percentage points, see
        `relative_change_applies`)."""
        if self.change is None or not self.old or not relative_change_applies(self.metric):
            return None
        return self.change / abs(self.old) * 100


def diff(old: Snapshot, new: Snapshot, include_unchanged: bool = False) -> list[Change]:
    a, b = metrics(old), metrics(new)
    changes = [Change(m, a.get(m), b.get(m)) for m in sorted(a.keys() | b.keys())]
    return changes if include_unchanged else [c for c in changes if c.old != c.new]
