"""From a parsed command line to output: pick the data source, fix the as-of date, run
the sections concurrently, then print tables or the JSON envelope and return the exit code.

`cli` imports this lazily, so `--help` never pays for pydantic, Rich tables or asyncio.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from marketshock import config, csv_output, output
from marketshock.config import Settings
from marketshock.context import RunContext, error_entry
from marketshock.errors import ExitCode, UnknownSymbolError, UsageError
from marketshock.models.envelope import Envelope, ErrorEntry, WarningEntry
from marketshock.models.results import ReportResult
from marketshock.providers import bundled
from marketshock.providers.base import MarketData, current_section
from marketshock.sections import capex, crypto, indices, labor, report, shock

if TYPE_CHECKING:  # Rich is imported when tables are printed: --json never pays for it
    from rich.console import Console, RenderableType

SectionBuilder = Callable[..., Awaitable[BaseModel]]
SECTIONS: dict[str, SectionBuilder] = {
    "indices": indices.build,
    "earnings-capex": capex.build,
    "labor": labor.build,
    "crypto": crypto.build,
    "shock": shock.build,
}


@dataclass
class Request:
    command: str  # a section name or "report"
    offline: bool = False
    as_of: str | None = None
    json: bool = False
    no_color: bool = False
    quiet: bool = False
    verbose: bool = False
    config_path: str | None = None
    section_options: dict[str, dict[str, Any]] = field(default_factory=dict)  # by section name
    ytd: bool = True  # show the year-to-date columns of the crypto table
    csv: bool = False  # print the main table as CSV (see csv_output)
    refresh: bool = False  # live: skip cache reads (a failed refresh still falls back to the cached value)


def parse_date(text: str) -> dt.date:
    """An --as-of value: exactly YYYY-MM-DD (fromisoformat alone also takes "20260206" and
    "2026-W06-5")."""
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"invalid --as-of {text!r}: expected a date as YYYY-MM-DD") from None


def parse_as_of(text: str | None, default: dt.date, first: dt.date, last: dt.date) -> dt.date:
    if text is None:
        return default
    day = parse_date(text)
    if not first <= day <= last:
        raise UsageError(f"--as-of {day} is outside the bundled data ({first} .. {last})")
    return day


LIVE_FIRST_DAY = dt.date(1970, 1, 1)


def parse_live_as_of(text: str | None, today: dt.date) -> dt.date:
    if text is None:
        return today
    day = parse_date(text)
    if day > today:
        raise UsageError(f"--as-of {day} is in the future (today is {today} UTC)")
    if day < LIVE_FIRST_DAY:
        raise UsageError(f"--as-of {day} is before {LIVE_FIRST_DAY}")
    return day


def data_source(request: Request, settings: Settings) -> tuple[MarketData, dt.date]:
    if request.offline:
        as_of = parse_as_of(request.as_of, bundled.DEFAULT_AS_OF, bundled.FIRST_DAY, bundled.LAST_DAY)
        return bundled.BundledData(), as_of
    from marketshock.providers.live import LiveData  # httpx and friends only when going online

    as_of = parse_live_as_of(request.as_of, dt.datetime.now(dt.UTC).date())
    trace = (lambda line: warn(line)) if request.verbose and not request.quiet else None
    return LiveData(settings, as_of, refresh=request.refresh, trace=trace), as_of


async def _run_section(ctx: RunContext, name: str, options: dict[str, Any]) -> BaseModel | ErrorEntry:
    current_section.set(name)  # this task's own copy: a live source files its notes under it
    try:
        return await SECTIONS[name](ctx, **options)
    except UnknownSymbolError:
        raise
    except Exception as error:  # one failing section must not take the others down
        return error_entry(name, error)


async def _collect(ctx: RunContext, request: Request) -> tuple[BaseModel | None, list[ErrorEntry]]:
    names = list(SECTIONS) if request.command == "report" else [request.command]
    outcomes = await asyncio.gather(*(_run_section(ctx, n, request.section_options.get(n, {})) for n in names))
    errors = [o for o in outcomes if isinstance(o, ErrorEntry)] + ctx.errors
    results = {n: o for n, o in zip(names, outcomes, strict=True) if not isinstance(o, ErrorEntry)}
    if request.command != "report":
        return results.get(request.command), errors
    if not results:
        return None, errors
    rep = ReportResult(
        headlines=[],
        indices=results.get("indices"),
        earnings_capex=results.get("earnings-capex"),
        labor=results.get("labor"),
        crypto=results.get("crypto"),
        shock=results.get("shock"),
    )
    rep.headlines = report.headlines(rep)
    return rep, errors


def console(no_color: bool, file: Any = None) -> Console:
    from rich.console import Console

    file = file or sys.stdout
    is_tty = file.isatty()
    # A pipe or a file gets plain text at a width that keeps table rows on one line.
    width = None if is_tty or os.environ.get("COLUMNS") else 160
    # Rich's no_color drops colours but keeps bold and dim; --no-color and NO_COLOR mean no escape codes.
    plain = no_color or os.environ.get("NO_COLOR", "") != ""
    color_system = None if plain else "auto"
    return Console(
        file=file, no_color=no_color or None, color_system=color_system, highlight=False, width=width, emoji=False
    )


def renderable(result: BaseModel, command: str, out: Console, ytd: bool = True) -> RenderableType:
    """The tables of one command's result, decorated as `out` allows (terminal or not)."""
    from marketshock import render

    if isinstance(result, ReportResult):
        return render.report(result, out)
    if command == "crypto":
        return render.crypto(result, out, ytd=ytd)  # type: ignore[arg-type]
    if command == "indices":
        return render.indices(result, out)  # type: ignore[arg-type]
    if command == "earnings-capex":
        return render.capex(result, out)  # type: ignore[arg-type]
    if command == "labor":
        return render.labor(result, out)  # type: ignore[arg-type]
    if command == "shock":
        return render.shock(result, out)  # type: ignore[arg-type]
    raise ValueError(f"no tables for command {command!r}")


def _render(result: BaseModel, request: Request, out: Console) -> None:
    out.print(renderable(result, request.command, out, ytd=request.ytd))


def warn(message: str) -> None:
    sys.stderr.write(f"marketshock: {message}\n")


def error_lines(errors: list[ErrorEntry]) -> list[str]:
    """One stderr line per distinct failure: sections that share a dataset (the report's
    indices and shock both read SPY) share one line naming them all."""
    sections: dict[str, list[str]] = {}
    for e in errors:
        names = sections.setdefault(e.message, [])
        if e.section not in names:
            names.append(e.section)
    return [f"{', '.join(names)}: {message}" for message, names in sections.items()]


@dataclass
class Outcome:
    """A finished run: what a printer, a snapshot writer or a test needs."""

    command: str
    as_of: dt.date
    source: str
    result: BaseModel | None
    errors: list[ErrorEntry]
    warnings: list[WarningEntry] = field(default_factory=list)

    @property
    def exit_code(self) -> ExitCode:
        if self.result is None:
            return ExitCode.NOTHING
        return ExitCode.PARTIAL if self.errors else ExitCode.OK

    def envelope(self) -> Envelope:
        return output.envelope(self.command, self.as_of, self.source, self.result, self.errors, self.warnings)


def execute(request: Request) -> Outcome:
    """Run one data command (or the report) without printing. Raises UsageError for bad input."""
    settings = config.load(request.config_path).settings
    data, as_of = data_source(request, settings)
    ctx = RunContext(as_of=as_of, data=data)
    try:
        with _spinner(request, data):
            result, errors = asyncio.run(_collect_and_close(ctx, request))
    except UnknownSymbolError as error:
        raise UsageError(error.cause) from None
    # A live source's own notes: stale values it served, extras that failed.
    errors += [e for e in getattr(data, "errors", []) if e not in errors]
    return Outcome(request.command, as_of, data.name, result, errors, ctx.warnings)


async def _collect_and_close(ctx: RunContext, request: Request) -> tuple[BaseModel | None, list[ErrorEntry]]:
    try:
        return await _collect(ctx, request)
    finally:
        # A section that failed early can leave its sibling requests running: end them before the
        # client closes, so no connection is abandoned mid-request.
        current = asyncio.current_task()
        pending = [t for t in asyncio.all_tasks() if t is not current]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        close = getattr(ctx.data, "aclose", None)
        if close is not None:
            await close()


def _spinner(request: Request, data: MarketData) -> Any:
    """A spinner on stderr while requests are out: live data, stderr a terminal, not --quiet."""
    import contextlib

    if data.name == bundled.NAME or request.quiet or request.verbose or not sys.stderr.isatty():
        return contextlib.nullcontext()
    from rich.console import Console

    return Console(file=sys.stderr).status("fetching live data ...", spinner="dots")


def show(outcome: Outcome, request: Request) -> None:
    """Print a finished run: warnings on stderr, then the JSON envelope, the CSV or the tables on stdout."""
    if not request.quiet:
        for line in error_lines(outcome.errors):
            warn(line)
        for w in outcome.warnings:  # a blank figure says why, beside the tables and the JSON
            warn(f"{w.section}: {w.message}")
    if request.json:
        output.write_json(outcome.envelope())
    elif request.csv and outcome.result is not None:
        csv_output.write_result(request.command, outcome.result)
    elif outcome.result is not None:
        _render(outcome.result, request, console(request.no_color))


def run(request: Request) -> int:
    """Run one data command and print it; returns the exit code."""
    if request.csv:
        csv_output.check(request.command, request.json)  # refuse before doing any work
    outcome = execute(request)
    show(outcome, request)
    return outcome.exit_code
