"""From a parsed command line to output: pick the data source, fix the as-of date, run
the sections concurrently, then print tables or the JSON envelope and return the exit code.

`cli` imports this lazily, so `--help` never pays for pydantic, Rich tables or asyncio.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from marketshock import aio, config, instruments
from marketshock.config import LoadedSettings, Settings
from marketshock.context import RunContext
from marketshock.dates import parse_day
from marketshock.errors import ExitCode, NotCovered, UnknownSymbolError, UsageError
from marketshock.models.envelope import CoverageEntry, Envelope, ErrorEntry, WarningEntry
from marketshock.notes import collecting, entry
from marketshock.providers import bundled
from marketshock.providers.base import MarketData
from marketshock.sections import registry

if TYPE_CHECKING:
    from marketshock.sections.report import Rules


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
    brief: bool = False  # report: the header line and the headlines only
    pager: bool = True  # report on a terminal: page output taller than the screen


def parse_as_of(text: str | None, default: dt.date, first: dt.date, last: dt.date) -> dt.date:
    if text is None:
        return default
    day = parse_day(text)
    if not first <= day <= last:
        raise UsageError(f"--as-of {day} is outside the bundled data ({first} .. {last})")
    return day


LIVE_FIRST_DAY = dt.date(1970, 1, 1)


def parse_live_as_of(text: str | None, today: dt.date) -> dt.date:
    if text is None:
        return today
    day = parse_day(text)
    if day > today:
        raise UsageError(f"--as-of {day} is in the future (today is {today} UTC)")
    if day < LIVE_FIRST_DAY:
        raise UsageError(f"--as-of {day} is before {LIVE_FIRST_DAY}")
    return day


def data_source(
    request: Request, settings: Settings, universe: instruments.Universe | None = None
) -> tuple[MarketData, dt.date]:
    """The run's source (bundled or live) and its as-of date. Raises UsageError for a bad date."""
    if request.offline:
        as_of = parse_as_of(request.as_of, bundled.DEFAULT_AS_OF, bundled.FIRST_DAY, bundled.LAST_DAY)
        from marketshock.providers.cache import cache_root

        return bundled.BundledData(settings.bundled.dir, cache_root(settings.cache)), as_of
    from marketshock.providers.live import LiveData  # httpx and friends only when going online

    as_of = parse_live_as_of(request.as_of, dt.datetime.now(dt.UTC).date())
    trace = (lambda line: warn(line)) if request.verbose and not request.quiet else None
    table = universe.table if universe is not None else instruments.load(settings.bundled.dir)
    return LiveData(settings, as_of, table=table, refresh=request.refresh, trace=trace), as_of


def run_universe(loaded: LoadedSettings, request: Request) -> tuple[instruments.Universe, list[str]]:
    """The run's universe: the watchlist (the instrument table's defaults for a group the user
    did not set), then any -s/-t of this run. Offline, the defaults are the bundled rows and a
    watchlist symbol without bundled data is left out with a warning (for the groups this
    command shows). Raises UsageError."""
    settings = loaded.settings
    table = instruments.load(settings.bundled.dir)
    chosen: dict[str, tuple[str, ...] | None] = {}
    for group in instruments.GROUPS:
        value = getattr(settings.watchlist, group)
        chosen[group] = tuple(value) if value is not None else None
    section = registry.BY_NAME.get(request.command)
    used = section.groups if section is not None else tuple(instruments.GROUPS)
    universe, warnings = instruments.universe(table, chosen, bundled_only=request.offline, used=used)
    overrides: dict[str, tuple[str, ...]] = {}
    for name, options in request.section_options.items():
        given = options.get("symbols")
        groups = registry.get(name).groups if name in registry.BY_NAME else ()
        if given and groups:
            # -s names every row of the section for this run: its first group takes them all
            # (indices -s N225,SPY: indices and ETFs alike), the others are emptied.
            first, *rest = groups
            overrides[first] = tuple(given)
            overrides.update({group: () for group in rest})
    if overrides:
        universe = universe.override(overrides)
    return universe, warnings


@dataclass
class SectionRun:
    """One section's outcome: its result (None when it failed), and the notes filed while it ran
    (the failure itself first, when there is one)."""

    name: str
    result: BaseModel | None
    notes: list[ErrorEntry]
    warnings: list[WarningEntry] = field(default_factory=list)
    coverage: list[CoverageEntry] = field(default_factory=list)


def _build_options(name: str, options: dict[str, Any]) -> dict[str, Any]:
    """A section's own options: the symbol options became the run's universe."""
    return {k: v for k, v in options.items() if k != "symbols"}


async def _run_section(ctx: RunContext, name: str, options: dict[str, Any]) -> SectionRun:
    with collecting(name) as notes:
        try:
            result = await registry.get(name).builder()(ctx, **_build_options(name, options))
            from marketshock.sections import freshness

            freshness.stamp(result, ctx.as_of)  # age_days and out_of_date on every row
        except (UnknownSymbolError, UsageError):
            raise  # bad input (a symbol no provider knows, a broken bundled.dir file): exit 2
        except NotCovered:
            # Nothing at this date (BTC in 2008): not produced, and listed in `coverage`, not `errors`.
            return SectionRun(name, None, notes.entries, [], notes.coverage)
        except Exception as error:  # one failing section must not take the others down
            failure = entry(name, error)
            return SectionRun(name, None, [failure, *(e for e in notes.entries if e != failure)])
    return SectionRun(name, result, notes.entries, notes.warnings, notes.coverage)


@dataclass
class Collected:
    """What the sections of a run produced: the result, and what the envelope lists beside it."""

    result: BaseModel | None
    errors: list[ErrorEntry]
    warnings: list[WarningEntry]
    coverage: list[CoverageEntry]


async def _collect(ctx: RunContext, request: Request, rules: Rules | None = None) -> Collected:
    names = [s.name for s in registry.REPORT_SECTIONS] if request.command == "report" else [request.command]
    runs = await asyncio.gather(*(_run_section(ctx, n, request.section_options.get(n, {})) for n in names))
    # Failures first (in section order), then the notes of sections that did produce. A section
    # with nothing at the date failed nothing: its coverage says why it is absent.
    failed = [run for run in runs if run.result is None and run.notes]
    errors = [run.notes[0] for run in failed]
    errors += [e for run in runs for e in (run.notes[1:] if run in failed else run.notes)]
    results = {run.name: run.result for run in runs if run.result is not None}
    warnings = [w for run in runs if run.result is not None for w in run.warnings]
    coverage = [c for run in runs for c in run.coverage]
    if request.command != "report":
        return Collected(results.get(request.command), errors, warnings, coverage)
    if not results:
        return Collected(None, errors, warnings, coverage)
    from marketshock.models.results.report import ReportResult
    from marketshock.sections import report

    # Validated, not constructed: the registry types each section's result only as a BaseModel.
    rep = ReportResult.model_validate(
        {"headlines": [], **{s.field: results.get(s.name) for s in registry.REPORT_SECTIONS}}
    )
    rep.headlines = report.headlines(rep, rules)
    return Collected(rep, errors, warnings, coverage)


def warn(message: str) -> None:
    from marketshock.present import warn as say

    say(message)


@dataclass
class Outcome:
    """A finished run: what a printer, a snapshot writer or a test needs."""

    command: str
    as_of: dt.date
    source: str
    result: BaseModel | None
    errors: list[ErrorEntry]
    warnings: list[WarningEntry] = field(default_factory=list)  # figures a gap left blank
    coverage: list[CoverageEntry] = field(default_factory=list)  # series with nothing at the as-of date
    # Live runs where no provider answered at all (every request failed to connect or resolve):
    # the providers tried. Then nothing is shown as today's, and stderr gets one line.
    unreachable: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> ExitCode:
        if self.result is None:
            return ExitCode.NOTHING
        return ExitCode.PARTIAL if self.errors else ExitCode.OK

    def envelope(self) -> Envelope:
        from marketshock import output

        return output.envelope(
            self.command, self.as_of, self.source, self.result, self.errors, self.warnings, self.coverage
        )


def execute(request: Request) -> Outcome:
    """Run one data command (or the report) without printing. Raises UsageError for bad input."""
    loaded = config.load(request.config_path)
    universe, warnings = run_universe(loaded, request)
    if not request.quiet:
        for line in warnings:
            warn(line)
    data, as_of = data_source(request, loaded.settings, universe)
    ctx = RunContext(as_of=as_of, data=data, universe=universe)
    rules = None
    if request.command == "report":  # the headline rules, and move statistics with them, only for the report
        from marketshock.sections.report import Rules

        rules = Rules.of(loaded.settings.report)
    try:
        with _spinner(request, data):
            collected = aio.run(_collect_and_close(ctx, request, rules))
    except UnknownSymbolError as error:
        raise UsageError(error.cause) from None
    c = collected
    down = unreachable_providers(data)
    if down:
        # Curated rows alone are not a snapshot of the day: nothing was produced.
        return Outcome(request.command, as_of, data.name, None, c.errors, c.warnings, c.coverage, unreachable=down)
    return Outcome(request.command, as_of, data.name, c.result, c.errors, c.warnings, c.coverage)


def unreachable_providers(data: MarketData) -> list[str]:
    """The providers tried when none answered (every request failed to connect or resolve and
    nothing came from the cache either); empty when any answered, or when nothing was asked.
    One provider alone failing says nothing of the network: that is a provider failure (exit 3
    where a curated fallback produced something), so it takes two or more."""
    http = getattr(data, "http", None)
    if http is None or http.answered or len(http.unreachable) < 2:
        return []
    return sorted(http.unreachable)


async def _collect_and_close(ctx: RunContext, request: Request, rules: Rules | None = None) -> Collected:
    try:
        return await _collect(ctx, request, rules)
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


def run(request: Request) -> int:
    """Run one data command and print it; returns the exit code."""
    from marketshock import present

    if request.csv:
        present.check_csv(request.command, request.json)  # refuse before doing any work
    outcome = execute(request)
    present.show(outcome, request)
    return outcome.exit_code
