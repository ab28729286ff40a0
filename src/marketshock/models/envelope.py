"""The `--json` envelope: one shape for every command, versioned."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from marketshock.formatting import safe_text

SCHEMA_VERSION = 1


class ErrorEntry(BaseModel):
    """A section that could not be produced, and why."""

    model_config = ConfigDict(extra="forbid")

    section: str
    provider: str | None = None
    kind: str  # "no-data", "timeout", "network", "http-status", "rate-limited", "bad-response", ...
    message: str

    @field_validator("message")
    @classmethod
    def _inert(cls, message: str) -> str:
        # Every error entry reaches the JSON, a snapshot file or stderr: one line, no escapes, no secret.
        return safe_text(message, one_line=True)


class Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: int = SCHEMA_VERSION
    command: str
    as_of: dt.date
    generated_at: dt.datetime
    source: str  # "bundled" or "live"
    data: Any
    errors: list[ErrorEntry] = []
