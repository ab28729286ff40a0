"""Notes: the parts of a section that failed while the rest of it was produced.

A section that cannot be produced at all raises (an `errors.ProviderError`); a section
that shows its prices but not its ETF flows, or a live source that served a cached value
after a failed refresh, files a note instead. Notes are collected per section: the runner
opens `collecting(section)` around each section's task, and every `note()` made in that
task (by the section or by a provider it asked) lands in that section's list, which the
runner puts beside the result. One channel, no side lists read back later.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from marketshock.errors import NotCovered, ProviderError
from marketshock.models.envelope import CoverageEntry, ErrorEntry, WarningEntry


@dataclass
class Notes:
    """The notes of one section's run, in the order they were filed, without repeats: partial
    failures (`entries`, the envelope's `errors`) and figures left blank for the data under
    them, a gap or a suspect split (`warnings`, the envelope's `warnings`; exit code 0)."""

    section: str
    entries: list[ErrorEntry] = field(default_factory=list)
    warnings: list[WarningEntry] = field(default_factory=list)
    coverage: list[CoverageEntry] = field(default_factory=list)  # series with nothing at the as-of date

    def add(self, entry: ErrorEntry) -> None:
        if entry not in self.entries:
            self.entries.append(entry)


_current: ContextVar[Notes | None] = ContextVar("marketshock_notes", default=None)


@contextmanager
def collecting(section: str) -> Iterator[Notes]:
    """Collect the notes filed in this task (and tasks it starts) under `section`."""
    notes = Notes(section)
    token = _current.set(notes)
    try:
        yield notes
    finally:
        _current.reset(token)


def entry(section: str, error: Exception, suffix: str = "") -> ErrorEntry:
    """An `errors[]` entry for a failure: its provider and kind when it is a ProviderError."""
    message = str(error) + (f"; {suffix}" if suffix else "")
    if isinstance(error, ProviderError):
        return ErrorEntry(section=section, provider=error.provider, kind=error.kind, message=message)
    return ErrorEntry(section=section, kind="internal", message=f"{type(error).__name__}: {message}")


def note(error: ProviderError, suffix: str = "") -> None:
    """File a partial failure under the running section. Outside any section (a chart, a
    test calling a provider directly) there is no one to tell, and the note is dropped:
    the value it qualifies still carries its own `stale` flag and fetch time."""
    notes = _current.get()
    if notes is not None:
        notes.add(entry(notes.section, error, suffix))


def not_covered(error: NotCovered) -> None:
    """File a series the data has nothing of at the as-of date under the running section."""
    notes = _current.get()
    if notes is None:
        return
    item = CoverageEntry(
        section=notes.section, symbol=error.symbol, first=error.first, last=error.last, message=error.cause
    )
    if item not in notes.coverage:
        notes.coverage.append(item)


def warn(warning: WarningEntry) -> None:
    """File a warning (a figure a gap left blank) under the running section; outside any
    section it is dropped, the figure itself being null."""
    notes = _current.get()
    if notes is not None and warning not in notes.warnings:
        notes.warnings.append(warning)
