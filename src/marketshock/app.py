"""The Typer app, the options every command shares, and the step from options to a run.

Only Typer is imported here at start-up; everything heavier (pydantic models, Rich
tables, asyncio, providers) is imported inside the function that needs it, so
`marketshock --help` starts as fast as a bare Typer app. Commands live in
`marketshock.commands.*` and register on `app`; `cli` imports them and runs the app.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

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


ConfigPath = Annotated[
    str | None,
    typer.Option(
        "--config",
        metavar="PATH",
        help="Config file (default: the platform's config dir; MARKETSHOCK_CONFIG).",
        show_default=False,
    ),
]
Quiet = Annotated[bool | None, typer.Option("--quiet", "-q", help="Print no warnings on stderr.", show_default=False)]
Verbose = Annotated[
    bool | None, typer.Option("--verbose", "-v", help="Say more on stderr (never secrets).", show_default=False)
]


class RunOptions(NamedTuple):
    """The options every data command shares, as given after the command (None: not given,
    so the same option given before the command applies). A NamedTuple, as the other records
    on the start-up path are: creating a frozen dataclass costs about 1 ms a class."""

    json: bool = False
    csv: bool = False
    offline: bool | None = None
    as_of: str | None = None
    no_color: bool | None = None
    refresh: bool | None = None
    config: str | None = None
    quiet: bool | None = None
    verbose: bool | None = None


# name -> (annotation, default): the parameters `run_options` adds to a command, in `--help` order.
_SHARED: dict[str, tuple[Any, Any]] = {
    "json": (Json, False),
    "csv": (Csv, False),
    "offline": (Offline, None),
    "as_of": (AsOf, None),
    "no_color": (NoColor, None),
    "refresh": (Refresh, None),
    "config": (ConfigPath, None),
    "quiet": (Quiet, None),
    "verbose": (Verbose, None),
}


def run_options(*, csv: bool = True) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Declare the shared data-command options once: the decorated command takes `run: RunOptions`
    in their place, and Typer sees every one of them after the command's own options.
    `csv=False` leaves `--csv` out (a command that declares its own)."""

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        own = inspect.signature(command, eval_str=True)
        hints = typing.get_type_hints(command, include_extras=True)
        params = [p for name, p in own.parameters.items() if name != "run"]
        annotations = {p.name: hints.get(p.name, p.annotation) for p in params}
        shared = {k: v for k, v in _SHARED.items() if csv or k != "csv"}
        for name, (annotation, default) in shared.items():
            keyword = inspect.Parameter.KEYWORD_ONLY
            params.append(inspect.Parameter(name, keyword, default=default, annotation=annotation))
            annotations[name] = annotation

        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> None:
            given = {name: kwargs.pop(name) for name in shared if name in kwargs}
            command(*args, run=RunOptions(**given), **kwargs)

        wrapper.__signature__ = own.replace(parameters=params)  # type: ignore[attr-defined]  # typeshed has no function __signature__; inspect reads it
        wrapper.__annotations__ = annotations
        del wrapper.__wrapped__  # Typer must read the new signature, not the command's own
        return wrapper

    return decorate


GLOBAL_NAMES = ("offline", "as_of", "no_color", "refresh", "config", "quiet", "verbose")


def also_after(*names: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Accept these global options after the command too (`history X -v`, `config show --config F`):
    given there, they win over the same option given before the command. They are merged into the
    context's `obj`, where the command reads the global options anyway. A name the command
    declares itself is left to the command."""
    unknown = set(names) - set(GLOBAL_NAMES)
    if unknown:
        raise ValueError(f"not a global option: {sorted(unknown)}")

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        own = inspect.signature(command, eval_str=True)
        hints = typing.get_type_hints(command, include_extras=True)
        params = list(own.parameters.values())
        annotations = {p.name: hints.get(p.name, p.annotation) for p in params}
        if "ctx" not in own.parameters:
            raise TypeError(f"{command.__name__} needs a `ctx: typer.Context` parameter for also_after")
        added = [n for n in names if n not in own.parameters]
        for name in added:
            annotation, default = _SHARED[name]
            keyword = inspect.Parameter.KEYWORD_ONLY
            params.append(inspect.Parameter(name, keyword, default=default, annotation=annotation))
            annotations[name] = annotation

        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> None:
            given = {name: value for name in added if (value := kwargs.pop(name, None)) is not None}
            if given:
                ctx = kwargs.get("ctx") or next(a for a in args if isinstance(a, typer.Context))
                root = ctx.find_root()
                if root.obj is None:
                    root.obj = {}
                root.obj.update(given)  # subcommands' contexts share this dict
            command(*args, **kwargs)

        wrapper.__signature__ = own.replace(parameters=params)  # type: ignore[attr-defined]  # as in run_options
        wrapper.__annotations__ = annotations
        del wrapper.__wrapped__
        return wrapper

    return decorate


def build_request(
    ctx: typer.Context,
    command: str,
    run: RunOptions,
    *,
    section_options: dict[str, dict[str, Any]] | None = None,
    ytd: bool = True,
    brief: bool = False,
    pager: bool = True,
) -> Request:
    """A run request from a command's options, falling back to the ones given before the command."""
    from marketshock.runner import Request

    top = ctx.obj or {}

    def pick(name: str) -> Any:
        value = getattr(run, name)
        return value if value is not None else top.get(name)

    return Request(
        command=command,
        offline=bool(pick("offline")),
        as_of=pick("as_of"),
        no_color=bool(pick("no_color")),
        quiet=bool(pick("quiet")),
        verbose=bool(pick("verbose")),
        config_path=pick("config"),
        json=run.json,
        section_options=section_options or {},
        ytd=ytd,
        csv=run.csv,
        refresh=bool(pick("refresh")),
        brief=brief,
        pager=pager,
    )


def run_command(
    ctx: typer.Context,
    command: str,
    run: RunOptions,
    *,
    section_options: dict[str, dict[str, Any]] | None = None,
    ytd: bool = True,
    export: str | None = None,
    brief: bool = False,
    pager: bool = True,
) -> None:
    """Run a data command (or the report) and exit with its code."""
    from marketshock.runner import run as run_request

    request = build_request(ctx, command, run, section_options=section_options, ytd=ytd, brief=brief, pager=pager)
    if run.csv:
        from marketshock import present

        present.check_csv(command, run.json)  # before --export too: report has no CSV
    if export is not None:
        from marketshock import export as exporting

        raise typer.Exit(exporting.run(request, export))
    raise typer.Exit(run_request(request))


def parse_symbols(text: str | None, option: str = "symbols") -> tuple[str, ...] | None:
    """'btc, eth' -> ('BTC', 'ETH'); None when the option was not given. UsageError (exit 2) when
    it was given and names no symbol (`-t ''`, `-s ,`): that is no request for the default list."""
    if text is None:
        return None
    symbols = tuple(s.strip().upper() for s in text.split(",") if s.strip())
    if not symbols:
        from marketshock.errors import UsageError

        raise UsageError(f"--{option} {text!r} names no symbol: give a comma-separated list such as BTC,ETH")
    return symbols


def section_options(name: str, key: str, text: str | None) -> dict[str, dict[str, Any]]:
    symbols = parse_symbols(text)
    return {name: {key: symbols}} if symbols else {}
