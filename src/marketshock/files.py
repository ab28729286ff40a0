"""Writing a file so that a reader, or a run killed half-way, never sees half of it.

The one atomic-write helper: snapshots, exported pictures, the HTTP cache, the parsed-columns
cache and `config init` all go through it. The data goes to a temporary file in the same
directory (same file system, so the rename is atomic on POSIX and Windows), is flushed and
fsynced, then `os.replace`d over the target, and the directory is fsynced so the rename
survives a crash (the fsyncs are skipped for a cache: `durable=False`).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path

# Test hook: seconds to pause in the middle of writing the temporary file and again between
# its fsync and the rename, so a test can SIGKILL a run inside the write. Never set it in production.
SLOW_WRITE_ENV = "MARKETSHOCK_TEST_SLOW_WRITE"


def _slow_write_pause() -> float:
    try:
        return max(0.0, float(os.environ.get(SLOW_WRITE_ENV, "0")))
    except ValueError:
        return 0.0


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_dir(directory: Path) -> None:
    """Make a rename in `directory` durable. Not possible (nor needed) on Windows."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, mode: int | None = None, *, durable: bool = True) -> None:
    """Replace `path` with `data` so that any reader sees the old file or the new one, whole.
    The temporary file is `.<name>.<random>.tmp` beside it. Raises OSError (the caller says
    what the file was for).

    `mode` defaults to 0o666 minus the umask, like a file opened for writing
    (mkstemp alone would leave 0o600). `durable=False` skips the fsyncs: for a cache whose
    entries check themselves, where a write lost in a power cut is only a miss.
    """
    pause = _slow_write_pause()
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            if hasattr(os, "fchmod"):  # POSIX; Windows has no modes to set
                os.fchmod(handle.fileno(), mode if mode is not None else 0o666 & ~_umask())
            if pause:
                half = len(data) // 2
                handle.write(data[:half])
                handle.flush()
                time.sleep(pause)
                handle.write(data[half:])
            else:
                handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        if pause:
            time.sleep(pause)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    if durable:
        _fsync_dir(path.parent)
