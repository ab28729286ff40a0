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


def console(no_color: bool, file: Any = None, width: int | None = None, pipe_width: int = 160) -> Console:
    """stdout (or `file`) as Rich sees it. A terminal gets its own width and colours; a pipe or a
    file gets plain text `pipe_width` wide, wide enough to keep table rows on one line (COLUMNS
    or `width` win).
    --no-color and NO_COLOR mean no escape codes at all (Rich's no_color alone keeps bold and dim)."""
    from rich.console import Console

    file = file or sys.stdout
    is_tty = file.isatty()
    if width is None and not is_tty and not os.environ.get("COLUMNS"):
        width = pipe_width
    plain = no_color or os.environ.get("NO_COLOR", "") != ""
    return Console(
        file=file,
        no_color=no_color or None,
        color_system=None if plain else "auto",
        highlight=False,
        width=width,
        emoji=False,
    )


def renderable(result: BaseModel, command: str, out: Console, ytd: bool = True) -> RenderableType:
    """The tables of one command's result (the registry's renderer), decorated as `out` allows."""
    from marketshock import render
    from marketshock.models.results import ReportResult

    if isinstance(result, ReportResult):
        return render.report(result, out)
    if command not in registry.BY_NAME:
        raise ValueError(f"no tables for command {command!r}")
    draw = registry.get(command).renderer()
    return draw(result, out, ytd=ytd) if command == "crypto" else draw(result, out)


def warn(message: str) -> None:
    from marketshock.formatting import safe_text  # messages quote providers and echo user arguments

    sys.stderr.write(f"marketshock: {safe_text(message, one_line=True)}\n")


def error_lines(errors: list[ErrorEntry]) -> list[str]:
    """One stderr line per distinct failure: sections that share a dataset (the report's
    indices and shock both read SPY) share one line naming them all."""
    sections: dict[str, list[str]] = {}
    for e in errors:
        names = sections.setdefault(e.message, [])
        if e.section not in names:
            names.append(e.section)
    return [f"{', '.join(names)}: {message}" for message, names in sections.items()]


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
    if not request.quiet:
        for line in error_lines(outcome.errors):
            warn(line)
    if request.json:
        from marketshock import output

        output.write_json(outcome.envelope())
    elif outcome.result is None:
        return
    elif request.csv:
        from marketshock import csv_output

        csv_output.write_result(request.command, outcome.result)
    else:
        out = console(request.no_color)
        out.print(renderable(outcome.result, request.command, out, ytd=request.ytd))
