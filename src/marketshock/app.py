"""The Typer app, the options every command shares, and the step from options to a run.

Only Typer is imported here at start-up; everything heavier (pydantic models, Rich
tables, asyncio, providers) is imported inside the function that needs it, so
`marketshock --help` starts as fast as a bare Typer app. Commands live in
`marketshock.commands.*` and register on `app`; `cli` imports them and runs the app.
"""

from __future__ import annotations

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


def build_request(
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
    brief: bool = False,
    pager: bool = True,
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
        brief=brief,
        pager=pager,
    )


def run_command(
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
    brief: bool = False,
    pager: bool = True,
) -> None:
    from marketshock.runner import run

    request = build_request(
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
        brief=brief,
        pager=pager,
    )
    if csv:
        from marketshock import csv_output

        csv_output.check(command, json)  # before --export too: report has no CSV
    if export is not None:
        from marketshock import export as exporting

        raise typer.Exit(exporting.run(request, export))
    raise typer.Exit(run(request))


def parse_symbols(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    return tuple(s.strip().upper() for s in text.split(",") if s.strip())


def section_options(name: str, key: str, text: str | None) -> dict:
    symbols = parse_symbols(text)
    return {name: {key: symbols}} if symbols else {}
