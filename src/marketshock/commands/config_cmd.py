"""`config init | show | path`: write, inspect and locate the config file.

The global `--config PATH` (or MARKETSHOCK_CONFIG) picks the file for all three.
"""

from __future__ import annotations

from typing import Annotated

import typer

from marketshock.app import NoColor, also_after, app

config_app = typer.Typer(
    name="config",
    help="Write, inspect and locate the config file (the global --config PATH picks another file).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(config_app)


def _explicit(ctx: typer.Context) -> str | None:
    top = ctx.find_root().obj or {}
    return top.get("config")


@config_app.command()
@also_after("config", "quiet", "verbose")
def path(ctx: typer.Context) -> None:
    """Print the config file marketshock reads (whether or not it exists)."""
    from marketshock import config

    typer.echo(str(config.config_path(_explicit(ctx))))


@config_app.command()
@also_after("config", "quiet", "verbose")
def init(
    ctx: typer.Context,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing config file.")] = False,
) -> None:
    """Write a commented config holding every default; print its path."""
    from marketshock import config, files
    from marketshock.errors import Unavailable, UsageError

    target = config.config_path(_explicit(ctx))
    if target.exists() and not force:
        raise UsageError(f"{target} exists; pass --force to replace it with the defaults")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # 0600: the file is where a FRED API key goes.
        files.atomic_write(target, config.template().encode("utf-8"), mode=0o600)
    except OSError as error:
        raise Unavailable(f"cannot write {target}: {error.strerror or error}") from None
    typer.echo(str(target))


def _display(key: str, value: object) -> str:
    from marketshock import config

    if key in config.SECRET_KEYS:
        return "(set, hidden)" if value is not None else "(not set)"
    if value is None:
        return "(not set)"
    if key == "alerts" and isinstance(value, list):
        # Notification URLs can hold tokens: show how many, never the URLs.
        rules = [f"{a['name']}: {a['when']} (notify: {len(a['notify'])})" for a in value]
        return "; ".join(rules) if rules else "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _default_dirs() -> dict[str, str]:
    """Where an unset directory key points: the platform default the code falls back to."""
    from marketshock import store
    from marketshock.config import Settings
    from marketshock.providers.cache import cache_dir

    return {"snapshot.dir": str(store.default_dir()), "cache.dir": str(cache_dir(Settings().cache))}


@config_app.command()
@also_after("config", "quiet", "verbose")
def show(ctx: typer.Context, no_color: NoColor = None) -> None:
    """Print the effective settings and where each came from (default, file, environment).

    Secrets are never printed: a key shows only whether it is set.
    """
    from marketshock import config, present, render

    loaded = config.load(_explicit(ctx))
    top = ctx.find_root().obj or {}
    out = present.console(bool(no_color if no_color is not None else top.get("no_color")))
    state = "found" if loaded.file_exists else "not found, defaults apply"
    out.print(render.text(f"config file: {loaded.path} ({state})"))
    table = render.titled_table("", out)
    for header in ("key", "value", "origin"):
        table.add_column(header, overflow="fold")  # a long path wraps, never loses its end
    # Python-mode dump keeps SecretStr wrapped, so no secret value is even formatted here.
    values = config._leaves(loaded.settings.model_dump())
    defaults = _default_dirs()
    for key, value in values.items():
        origin = loaded.origins.get(key, "default")
        if origin == "environment":
            origin = f"environment ({config.ENVIRONMENT[key]})"
        shown = _display(key, value)
        if value is None and key in defaults:
            shown = defaults[key]
        elif value is None and key.startswith("watchlist."):
            from marketshock import instruments

            listed = instruments.load(loaded.settings.bundled.dir)
            shown = "the instrument table's defaults: " + ", ".join(listed.defaults(key.partition(".")[2]))
        table.add_row(render.text(key), render.text(shown), render.text(origin))
    out.print(table)
