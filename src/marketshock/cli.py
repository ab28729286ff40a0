"""The command line: options -> a run request -> `runner` -> exit code.

Only Typer is imported at start-up; everything heavier (pydantic models, Rich
tables, asyncio, providers) is imported inside the command that needs it, so
`marketshock --help` starts as fast as a bare Typer app.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from marketshock import __version__

if TYPE_CHECKING:
    from marketshock.runner import Request

app = typer.Typer(
    name="marketshock",
    help="One trustworthy snapshot of a market shock: indices, big-tech capex, US labor data and crypto.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

Offline = Annotated[
    bool | None,
    typer.Option("--offline", help="Use the bundled February 2026 dataset (no network).", show_default=False),
]
AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="Compute as of this day, from data known then (default: today in UTC; --offline: 2026-02-06).",
        show_default=False,
    ),
]
NoColor = Annotated[
    bool | None, typer.Option("--no-color", help="No colour (NO_COLOR is honoured too).", show_default=False)
]
Refresh = Annotated[
    bool | None,
    typer.Option(
        "--refresh",
        help="Live data: skip the cache (a failed refresh still shows the cached value, marked stale).",
        show_default=False,
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print the JSON envelope on stdout instead of tables.")]
Export = Annotated[
    str | None,
    typer.Option(
        "--export",
        metavar="FILE",
        help="Also save what the terminal shows as a picture: FILE.svg, FILE.html or FILE.txt "
        "(colours included unless --no-color).",
        show_default=False,
    ),
]
Csv = Annotated[bool, typer.Option("--csv", help="Print the main table as CSV (raw numbers) instead of tables.")]
Symbols = Annotated[
    str | None, typer.Option("--symbols", "-s", metavar="A,B", help="Comma-separated symbols.", show_default=False)
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"marketshock {__version__}")
        raise typer.Exit()


@app.callback()
def global_options(
    ctx: typer.Context,
    offline: Offline = None,
    as_of: AsOf = None,
    no_color: NoColor = None,
    refresh: Refresh = None,
    config: Annotated[
        str | None,
        typer.Option(
            "--config",
            metavar="PATH",
            help="Config file (default: the platform's config dir; MARKETSHOCK_CONFIG).",
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print no warnings on stderr.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Say more on stderr (never secrets).")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Options given before the command apply to it; the same options after it win."""
    ctx.obj = {
        "offline": offline,
        "as_of": as_of,
        "no_color": no_color,
        "quiet": quiet,
        "verbose": verbose,
        "config": config,
        "refresh": refresh,
    }


def _request(
    ctx: typer.Context,
    command: str,
    *,
    offline: bool | None,
    as_of: str | None,
    no_color: bool | None,
    json: bool,
    section_options: dict | None = None,
    ytd: bool = True,
    csv: bool = False,
    refresh: bool | None = None,
) -> Request:
    """A run request from a command's options, falling back to the global ones."""
    from marketshock.runner import Request

    top = ctx.obj or {}
    return Request(
        command=command,
        offline=bool(offline if offline is not None else top.get("offline")),
        as_of=as_of if as_of is not None else top.get("as_of"),
        no_color=bool(no_color if no_color is not None else top.get("no_color")),
        quiet=bool(top.get("quiet")),
        verbose=bool(top.get("verbose")),
        config_path=top.get("config"),
        json=json,
        section_options=section_options or {},
        ytd=ytd,
        csv=csv,
        refresh=bool(refresh if refresh is not None else top.get("refresh")),
    )


def _run(
    ctx: typer.Context,
    command: str,
    *,
    offline: bool | None,
    as_of: str | None,
    no_color: bool | None,
    json: bool,
    section_options: dict | None = None,
    ytd: bool = True,
    export: str | None = None,
    csv: bool = False,
    refresh: bool | None = None,
) -> None:
    from marketshock.runner import run

    request = _request(
        ctx,
        command,
        offline=offline,
        as_of=as_of,
        no_color=no_color,
        json=json,
        section_options=section_options,
        ytd=ytd,
        csv=csv,
        refresh=refresh,
    )
    if csv:
        from marketshock import csv_output

        csv_output.check(command, json)  # before --export too: report has no CSV
    if export is not None:
        from marketshock import export as exporting

        raise typer.Exit(exporting.run(request, export))
    raise typer.Exit(run(request))


def _symbols(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    return tuple(s.strip().upper() for s in text.split(",") if s.strip())


def _options(name: str, key: str, text: str | None) -> dict:
    symbols = _symbols(text)
    return {name: {key: symbols}} if symbols else {}


@app.command()
def crypto(
    ctx: typer.Context,
    ytd: Annotated[bool, typer.Option("--ytd", help="Show year-to-date columns (close and day's low).")] = False,
    symbols: Symbols = None,
    json: Json = False,
    csv: Csv = False,
    offline: Offline = None,
    as_of: AsOf = None,
    no_color: NoColor = None,
    refresh: Refresh = None,
) -> None:
    """Crypto prices, 1d/7d/YTD change, "lowest since", drawdown, market value, ETF flows."""
    _run(
        ctx,
        "crypto",
        offline=offline,
        as_of=as_of,
        no_color=no_color,
        json=json,
        csv=csv,
        section_options=_options("crypto", "symbols", symbols),
        ytd=ytd,
        refresh=refresh,
    )


@app.command()
def indices(
    ctx: typer.Context,
    symbols: Symbols = None,
    json: Json = False,
    csv: Csv = False,
    offline: Offline = None,
    as_of: AsOf = None,
    no_color: NoColor = None,
    refresh: Refresh = None,
) -> None:
    """Index levels, day and 5-day change, streaks, sidecar and circuit-breaker notes."""
    _run(
        ctx,
        "indices",
        offline=offline,
        as_of=as_of,
        no_color=no_color,
        json=json,
        csv=csv,
        section_options=_options("indices", "symbols", symbols),
        refresh=refresh,
    )


@app.command("earnings-capex")
def earnings_capex(
    ctx: typer.Context,
    tickers: Annotated[
        str | None, typer.Option("--tickers", "-t", metavar="A,B", help="Comma-separated tickers.", show_default=False)
    ] = None,
    json: Json = False,
    csv: Csv = False,
    offline: Offline = None,
    as_of: AsOf = None,
    no_color: NoColor = None,
    refresh: Refresh = None,
) -> None:
    """Last fiscal year's capex, next year's guidance, growth, and the stock's reaction."""
    _run(
        ctx,
        "earnings-capex",
        offline=offline,
        as_of=as_of,
        no_color=no_color,
        json=json,
        csv=csv,
        section_options=_options("earnings-capex", "tickers", tickers),
        refresh=refresh,
    )


@app.command()
def labor(
    ctx: typer.Context,
    json: Json = False,
    csv: Csv = False,
    offline: Offline = None,
    as_of: AsOf = None,
    no_color: NoColor = None,
    refresh: Refresh = None,
) -> None:
    """Challenger job cuts and their rank; weekly jobless claims, revised and first printed."""
    _run(ctx, "labor", offline=offline, as_of=as_of, no_color=no_color, json=json, csv=csv)
    _run(ctx, "labor", offline=offline, as_of=as_of, no_color=no_color, json=json, refresh=refresh)


@app.command()
def report(
    ctx: typer.Context,
    json: Json = False,
    export: Export = None,
    csv: Annotated[
        bool, typer.Option("--csv", help="Refused: the report has several tables; use --csv on one section's command.")
    ] = False,
    offline: Offline = None,
    as_of: AsOf = None,
    no_color: NoColor = None,
    refresh: Refresh = None,
) -> None:
    """Every section on one screen, headline facts on top."""
    _run(ctx, "report", offline=offline, as_of=as_of, no_color=no_color, json=json, csv=csv, ytd=True, export=export)
    _run(
        ctx,
        "report",
        offline=offline,
        as_of=as_of,
        no_color=no_color,
        json=json,
        ytd=True,
        export=export,
        refresh=refresh,
    )


# Commands that live in their own modules (marketshock.commands.*) register on `app`
# when imported here; each module keeps its heavy imports inside its functions.
from marketshock.commands import chart as _chart  # noqa: E402, F401
from marketshock.commands import config_cmd as _config_cmd  # noqa: E402, F401  (config init|show|path)
from marketshock.commands import schema as _schema  # noqa: E402, F401
from marketshock.commands import shock as _shock  # noqa: E402, F401
from marketshock.commands import snapshot as _snapshot  # noqa: E402, F401  (snapshot, history, diff)
from marketshock.commands import sources as _sources  # noqa: E402, F401


def main() -> None:
    """Entry point: every failure ends as one line on stderr and a documented exit code."""
    from marketshock.errors import ExitCode, UsageError

    try:
        code = app(standalone_mode=False)
    except UsageError as error:
        _fail(str(error), error.exit_code)
    except typer.TyperException as error:  # Typer's usage errors: unknown option, missing value, ...
        if type(error).__name__ == "NoArgsIsHelpError":  # a bare `marketshock`: the usage, as Click prints it
            # (matched by name, as Typer's own rich_utils does: the class lives in a private module)
            sys.stderr.write(error.format_message().rstrip("\n") + "\n")
            sys.exit(ExitCode.USAGE)
        command = getattr(getattr(error, "ctx", None), "command_path", "marketshock")
        _fail(f"{error.format_message()} (see: {command} --help)", getattr(error, "exit_code", ExitCode.USAGE))
    except typer.Abort:
        _fail("interrupted", 130)
    except BrokenPipeError:
        _quiet_broken_pipe()
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except SystemExit:
        if _typer_saw_broken_pipe():
            _quiet_broken_pipe()
        raise
    else:
        _exit(code if isinstance(code, int) else 0)


def _exit(code: int) -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_broken_pipe()
    sys.exit(code)


def _typer_saw_broken_pipe() -> bool:
    """Typer catches EPIPE itself and exits 1 after wrapping stdout in click's PacifyFlushWrapper;
    that wrapper is the only trace. Without this, `| head` would exit 0 or 1 depending on timing."""
    return type(sys.stdout).__name__ == "PacifyFlushWrapper"


def _quiet_broken_pipe() -> None:
    """A reader that stopped early (`| head`) is not an error: exit without a traceback."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(0)


def _fail(message: str, code: int) -> None:
    sys.stderr.write(f"marketshock: error: {message}\n")
    sys.exit(code)
