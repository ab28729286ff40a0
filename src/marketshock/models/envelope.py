"""The `--json` envelope: one shape for every command, versioned."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from marketshock.formatting import safe_text

SCHEMA_VERSION = 1


class ErrorEntry(BaseModel):
    """A section that could not be produced, and why."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    section: str
    provider: str | None = None
    kind: str  # "no-data", "timeout", "network", "http-status", "rate-limited", "bad-response", ...
    message: str

    @field_validator("message")
    @classmethod
    def _inert(cls, message: str) -> str:
        # Every error entry reaches the JSON, a snapshot file or stderr: one line, no escapes, no secret.
        return safe_text(message, one_line=True)


class WarningEntry(BaseModel):
    """A figure left blank (or marked) because of the data under it, though the section was
    produced: a gap in a series that a figure needed, a suspect split. Exit code stays 0."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    section: str
    symbol: str | None = None
    kind: str  # "gap", "suspect-split", ...
    date: dt.date | None = None  # the day (or week ending) the data is missing or suspect
    message: str


class CoverageEntry(BaseModel):
    """A series the data has nothing of on or before the as-of date: where it starts and ends."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    section: str
    symbol: str
    first: dt.date | None  # the first observation in the data (null: the data has none)
    last: dt.date | None
    message: str


class Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    schema_version: int = SCHEMA_VERSION
    command: str
    as_of: dt.date
    generated_at: dt.datetime
    source: str  # "bundled" or "live"
    data: Any
    errors: list[ErrorEntry] = []
    warnings: list[WarningEntry] = []
    coverage: list[CoverageEntry] = []  # series with nothing at the as-of date (not an error: exit 0)
