"""The one date parser for every date a user types (`--as-of`, `--since`, `--until`, `diff`'s dates)."""

from __future__ import annotations

import datetime as dt
import re

from marketshock.errors import UsageError

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(text: str, option: str = "--as-of") -> dt.date:
    """A calendar day written exactly YYYY-MM-DD (fromisoformat alone also takes "20260206" and
    "2026-W06-5", which a user rarely means). Raises UsageError naming `option`."""
    try:
        if not _ISO_DAY.fullmatch(text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"invalid {option} {text!r}: expected a date as YYYY-MM-DD") from None


def optional_day(text: str | None, option: str) -> dt.date | None:
    """`parse_day`, passing None through (an option left out)."""
    return None if text is None else parse_day(text, option)
