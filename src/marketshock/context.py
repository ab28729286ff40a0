"""The run context: what a section needs to know about this run, and nothing about the CLI."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from marketshock.errors import ProviderError
from marketshock.models.envelope import ErrorEntry, WarningEntry
from marketshock.providers.base import MarketData


@dataclass
class RunContext:
    as_of: dt.date  # figures use data known at the end of this day, never later
    data: MarketData
    # Parts of a section that failed while the rest of it was produced.
    errors: list[ErrorEntry] = field(default_factory=list)
    # Figures left blank for the data under them (a gap a figure needed): the section stands.
    warnings: list[WarningEntry] = field(default_factory=list)

    def record(self, section: str, error: ProviderError) -> None:
        self.errors.append(error_entry(section, error))

    def warn(self, entry: WarningEntry) -> None:
        if entry not in self.warnings:  # the report's sections share series: one warning each
            self.warnings.append(entry)


def error_entry(section: str, error: Exception) -> ErrorEntry:
    if isinstance(error, ProviderError):
        return ErrorEntry(section=section, provider=error.provider, kind=error.kind, message=str(error))
    return ErrorEntry(section=section, kind="internal", message=f"{type(error).__name__}: {error}")
