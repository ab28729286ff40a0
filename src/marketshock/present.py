"""The presenter: one place that picks JSON, CSV or tables for a finished run, and the one
console factory every command prints tables through.

stdout is data, stderr is talk: warnings and errors go to stderr (one line each), the
JSON envelope, the CSV or the tables to stdout. Rich is imported only when tables are
printed, so `--json` and `--csv` never pay for it.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from marketshock.errors import UsageError
from marketshock.models.envelope import ErrorEntry
from marketshock.sections import registry

if TYPE_CHECKING:
    from pydantic import BaseModel
    from rich.console import Console, RenderableType

    from marketshock.runner import Outcome, Request


FALLBACK_WIDTH = 80  # a terminal that reports no width (0 columns: some CI runners and containers)


def usable_width(file: Any, is_tty: bool, pipe_width: int) -> int | None:
    """The width to lay out for, or None to let Rich follow the terminal: COLUMNS when it is a
    positive number (0, empty or text is ignored: Rich would lay out nothing at 0 columns and print
    nothing at all), a terminal's own width, FALLBACK_WIDTH for a terminal that reports 0 columns,
    and `pipe_width` for a pipe or a file."""
    raw = os.environ.get("COLUMNS", "").strip()
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    if not is_tty:
        return pipe_width
    try:
        columns = os.get_terminal_size(file.fileno()).columns
    except (AttributeError, OSError, ValueError):
        columns = 0
    if columns <= 0:
        return FALLBACK_WIDTH
    return None if raw == "" else columns  # None: Rich follows the terminal as it resizes


def console(no_color: bool, file: Any = None, width: int | None = None, pipe_width: int = 160) -> Console:
    """stdout (or `file`) as Rich sees it. A terminal gets its own width and colours; a pipe or a
    file gets plain text `pipe_width` wide, wide enough to keep table rows on one line (COLUMNS
    or `width` win).
    --no-color and NO_COLOR mean no escape codes at all (Rich's no_color alone keeps bold and dim)."""
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            # Rich's own handler exits 1; a reader that stopped early (`| head`) is no error:
            # raise it to cli.main, which ends the run quietly with exit 0.
            raise BrokenPipeError

    file = file or sys.stdout
    is_tty = file.isatty()
    if width is None:
        width = usable_width(file, is_tty, pipe_width)
    plain = no_color or os.environ.get("NO_COLOR", "") != ""
    return _Console(
        file=file,
        no_color=no_color or None,
        color_system=None if plain else "auto",
        highlight=False,
        width=width,
        emoji=False,
    )


def renderable(
    result: BaseModel, command: str, out: Console, ytd: bool = True, verbose: bool = False
) -> RenderableType:
    """The tables of one command's result (the registry's renderer), decorated as `out` allows;
    `verbose` lists every source in full (URLs, commits, notes) instead of one compact line each."""
    from marketshock import render
    from marketshock.models.results.report import ReportResult

    if isinstance(result, ReportResult):
        return render.report(result, out, verbose=verbose)
    if command not in registry.BY_NAME:
        raise ValueError(f"no tables for command {command!r}")
    draw = registry.get(command).renderer()
    drawn: RenderableType = (
        draw(result, out, ytd=ytd, verbose=verbose) if command == "crypto" else draw(result, out, verbose=verbose)
    )
    return drawn


def warn(message: str) -> None:
    from marketshock.formatting import safe_text  # messages quote providers and echo user arguments

    sys.stderr.write(f"marketshock: {safe_text(message, one_line=True)}\n")


def error_lines(errors: list[ErrorEntry]) -> list[str]:
    """One stderr line per distinct cause: sections that share a dataset (the report's indices
    and shock both read SPY) share one line naming them all, and the datasets of one provider
    failing the same way ("yahoo: BTC price history: connection refused (host)", then ETH's)
    share one line naming them all ("yahoo: BTC price history, ETH price history: connection
    refused (host)"). The JSON's `errors` keeps one entry per dataset."""
    causes: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    for e in errors:
        parts = e.message.split(": ", 2)
        # "provider: dataset: cause" groups by (provider, cause); any other message stands alone.
        key, dataset = ((f"{parts[0]}: ", parts[2]), parts[1]) if len(parts) == 3 else (("", e.message), "")
        sections, datasets = causes.setdefault(key, ([], []))
        if e.section not in sections:
            sections.append(e.section)
        if dataset and dataset not in datasets:
            datasets.append(dataset)
    lines = []
    for (provider, cause), (sections, datasets) in causes.items():
        named = f"{provider}{', '.join(datasets)}: " if datasets else provider
        lines.append(f"{', '.join(sections)}: {named}{cause}")
    return lines


def check_csv(command: str, json: bool) -> None:
    """Refuse what has no CSV before any work is done (UsageError)."""
    if json:
        raise UsageError("--json and --csv exclude each other: pick one")
    if command not in registry.BY_NAME:
        raise UsageError(
            f"{command} has several tables of different shapes and no single CSV; "
            f"use --json, or --csv on one of: {', '.join(registry.NAMES)}"
        )


def show(outcome: Outcome, request: Request) -> None:
    """Print a finished run: warnings on stderr, then the JSON envelope, the CSV or the tables on stdout."""
    if outcome.unreachable:
        # Nothing answered: one line (even with --quiet: it is why nothing was produced), the
        # failures behind it only with --verbose.
        tried = len(outcome.unreachable)
        warn(f"no provider reachable ({tried} tried): check the network, or use --offline")
        if request.verbose:
            for line in error_lines(outcome.errors):
                warn(line)
    elif not request.quiet:
        for line in error_lines(outcome.errors):
            warn(line)
        for w in outcome.warnings:  # a blank figure says why, beside the tables and the JSON
            warn(f"{w.section}: {w.message}")
        for c in outcome.coverage:  # what the data does not cover at this date: one line each
            warn(f"{c.section}: {c.message}")
    if request.json:
        from marketshock import output

        output.write_json(outcome.envelope())
    elif outcome.result is None:
        return
    elif request.csv:
        from marketshock import csv_output

        csv_output.write_result(request.command, outcome.result)
    else:
        _print(outcome, request, console(request.no_color))


def header_line(outcome: Outcome) -> str:
    """What the tables show and when: 'marketshock report: as of 2026-02-06, bundled dataset (--offline)'."""
    source = "bundled dataset (--offline)" if outcome.source == "bundled" else f"{outcome.source} data"
    line = f"marketshock {outcome.command}: as of {outcome.as_of}, {source}"
    if outcome.result is not None:
        from marketshock.export import sources_of
        from marketshock.sections import freshness

        stale = sum(1 for s in sources_of(outcome.result) if s.stale)
        if stale:
            line += f"; {stale} source{'s' if stale > 1 else ''} stale (cached after a failed fetch)"
        old = freshness.count(outcome.result)
        if old:  # none: every figure is of its cadence's latest day, and the line says nothing more
            line += f"; {old} figure{'s' if old > 1 else ''} out of date"
    return line


def _render(outcome: Outcome, request: Request, out: Console) -> None:
    """The header line, then the tables. A pipe gets each headline on one line (never hard-wrapped,
    so grep finds it whole); `--brief` stops after the headlines."""
    from rich.text import Text

    from marketshock import render
    from marketshock.models.results.report import ReportResult

    result = outcome.result
    assert result is not None
    one_line = not out.is_terminal
    out.print(render.text(header_line(outcome), "bold" if out.is_terminal else ""), soft_wrap=one_line)
    if isinstance(result, ReportResult):
        out.print(render.headlines(result.headlines, out), soft_wrap=one_line)
        if request.brief:
            return
        out.print(Text(""))
        out.print(render.report(result, out, verbose=request.verbose, with_headlines=False))
        return
    out.print(renderable(result, request.command, out, ytd=request.ytd, verbose=request.verbose))


def pager_command() -> str:
    """The pager, chosen the way git chooses it: $MARKETSHOCK_PAGER, then $PAGER, then less."""
    return os.environ.get("MARKETSHOCK_PAGER") or os.environ.get("PAGER") or "less -FRX"


def _page(text: str) -> None:
    """Show `text` through the pager; when there is none to run, print it."""
    import subprocess

    from marketshock.entry import child_environment

    command = pager_command().strip()
    if command in ("", "cat"):
        sys.stdout.write(text)
        return
    try:
        # The user's own command, as git does, in the user's own environment.
        proc = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=child_environment())
    except OSError:
        sys.stdout.write(text)
        return
    assert proc.stdin is not None
    try:
        proc.stdin.write(text.encode("utf-8"))
        proc.stdin.close()
    except BrokenPipeError:  # the reader quit the pager early
        pass
    proc.wait()


def _print(outcome: Outcome, request: Request, out: Console) -> None:
    """Print the tables in one write (a reader that quits early, `| head`, sees a plain broken
    pipe); on a terminal, a report taller than the screen goes through the pager."""
    with out.capture() as captured:
        _render(outcome, request, out)
    text = captured.get()
    if request.command == "report" and request.pager and out.is_terminal and text.count("\n") >= out.size.height:
        _page(text)
        return
    out.file.write(text)
    out.file.flush()
