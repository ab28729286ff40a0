"""The `--json` envelope on stdout: one object, numbers as numbers, nothing else."""

from __future__ import annotations

import datetime as dt
import sys

from pydantic import BaseModel

from marketshock.models.envelope import CoverageEntry, Envelope, ErrorEntry, WarningEntry


def envelope(
    command: str,
    as_of: dt.date,
    source: str,
    data: BaseModel | None,
    errors: list[ErrorEntry],
    warnings: list[WarningEntry] | None = None,
    coverage: list[CoverageEntry] | None = None,
) -> Envelope:
    return Envelope(
        command=command,
        as_of=as_of,
        generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        source=source,
        data=data.model_dump(mode="json", by_alias=True) if data is not None else None,
        errors=errors,
        warnings=warnings or [],
        coverage=coverage or [],
    )


def to_json(env: Envelope) -> str:
    return env.model_dump_json(indent=2)


def write_json(env: Envelope) -> None:
    sys.stdout.write(to_json(env) + "\n")
    sys.stdout.flush()
