"""The on-disk response cache: one JSON file per request, one subdirectory per provider.

Why a small layer on files and not hishel: hishel caches by RFC 9111, which follows the
server's headers (Yahoo and CoinGecko send `no-cache` or nothing useful), while marketshock
needs a time to live per *dataset* (quotes minutes, daily closes until the next close,
claims weekly, filings days) and a "last good value" that outlives its TTL, served marked
stale when the provider fails. That is a key-value store with two timestamps; files keep it
inspectable (`sources` reads the newest file's age in each provider's directory) and safe
between processes without a lock:

- a write goes to a temporary file in the same directory, then `os.replace` (atomic on
  POSIX and Windows), so a reader sees the old file or the new one, never half of one;
  two processes writing the same key both succeed and the last one wins;
- every failure (missing or read-only directory, a corrupt or truncated file, a file of an
  older format, a full disk) is a miss or a skipped write, never an exception.

Only bodies that parsed are stored, so the cache never holds an error page. Secrets are
never stored: the key and the recorded URL are built from the request with secret
parameters removed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from marketshock import files

if TYPE_CHECKING:
    from marketshock.config import CacheSettings

FORMAT = 1


class Entry(NamedTuple):
    """A stored response body and when it was fetched and goes stale."""

    body: str
    fetched_at: dt.datetime
    expires_at: dt.datetime

    def fresh(self, now: dt.datetime) -> bool:
        return now < self.expires_at


def cache_key(provider: str, dataset: str, url: str, params: dict[str, str]) -> str:
    """A stable key for provider + dataset + request (params in sorted order)."""
    material = json.dumps([provider, dataset, url, sorted(params.items())], separators=(",", ":"))
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def default_dir() -> Path:
    from platformdirs import user_cache_path

    return user_cache_path("marketshock")


def cache_dir(settings: CacheSettings) -> Path:
    """Where the cache lives, enabled or not: `cache.dir`, else the platform's user cache directory."""
    return Path(settings.dir).expanduser() if settings.dir else default_dir()


def cache_root(settings: CacheSettings) -> Path | None:
    """`cache_dir`, or None when `cache.enabled` is false. Each provider's answers are in
    `<root>/<provider>/`, the parsed bundled files in `<root>/columns/`."""
    return cache_dir(settings) if settings.enabled else None


class Cache:
    """Files under `root/<provider>/<key>.json`. `root=None` disables the cache."""

    def __init__(self, root: Path | None) -> None:
        self.root = root

    def _path(self, provider: str, key: str) -> Path | None:
        if self.root is None:
            return None
        return self.root / provider / f"{key}.json"

    def get(self, provider: str, key: str) -> Entry | None:
        path = self._path(provider, key)
        if path is None:
            return None
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            if record.get("format") != FORMAT:
                return None
            return Entry(
                body=record["body"],
                fetched_at=dt.datetime.fromisoformat(record["fetched_at"]),
                expires_at=dt.datetime.fromisoformat(record["expires_at"]),
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            # Missing, unreadable, truncated by a crash, or written by something else: a miss.
            return None

    def put(self, provider: str, key: str, entry: Entry, *, url: str, dataset: str) -> bool:
        """Store atomically; False when the cache cannot be written (never raises)."""
        path = self._path(provider, key)
        if path is None:
            return False
        record = {
            "format": FORMAT,
            "provider": provider,
            "dataset": dataset,
            "url": url,
            "fetched_at": entry.fetched_at.isoformat(),
            "expires_at": entry.expires_at.isoformat(),
            "body": entry.body,
        }
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            files.atomic_write(path, json.dumps(record, separators=(",", ":")).encode("utf-8"))
            return True
        except OSError:
            return False
