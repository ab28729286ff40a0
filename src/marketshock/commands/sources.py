"""`sources`: where each dataset comes from, whether credentials are set, how old the cache is.

Credentials are reported as set or not set, never shown. The cache's age is the age
of the newest file under `<cache dir>/<provider>/`, the layout the HTTP cache uses.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from marketshock.app import NoColor, also_after, app

if TYPE_CHECKING:
    from marketshock.config import Settings

# What each live provider serves (the mission's provider table) and what it needs.
LIVE_PROVIDERS: dict[str, str] = {
    "yahoo": "index levels, stock and ETF prices, after-hours moves, crypto daily history (BTC-USD, ETH-USD)",
    "coingecko": "total crypto market value, current crypto quotes",
    "coinbase": "crypto daily candles (alternative to Yahoo)",
    "fred": "weekly jobless claims (ICSA, CCSA, IC4WSA)",
    "sec": "capex actuals (EDGAR XBRL company concepts)",
    "stooq": "index levels and stock prices as CSV (alternative to Yahoo)",
}


def cache_dir(settings: Settings) -> Path:
    from platformdirs import user_cache_path

    from marketshock.config import APP_NAME

    return Path(settings.cache.dir).expanduser() if settings.cache.dir else user_cache_path(APP_NAME)


def newest_file_time(directory: Path) -> dt.datetime | None:
    """Modification time of the newest file under `directory` (any depth); None when there is none."""
    newest: float | None = None
    if not directory.is_dir():
        return None
    for path in directory.rglob("*"):
        try:
            if path.is_file():
                mtime = path.stat().st_mtime
                newest = mtime if newest is None or mtime > newest else newest
        except OSError:  # removed while we looked: another process pruning the cache
            continue
    return None if newest is None else dt.datetime.fromtimestamp(newest, dt.UTC)


def age_text(then: dt.datetime | None, now: dt.datetime) -> str:
    if then is None:
        return "empty"
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 60:
        return f"{seconds}s old"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes}m old"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h {minutes:02d}m old"
    return f"{hours // 24}d old"


def credentials(provider: str, settings: Settings) -> str:
    """Whether what a provider needs is configured: never the value itself."""
    if provider == "fred":
        return "API key set" if settings.fred.api_key else "no API key (keyless fredgraph.csv)"
    if provider == "sec":
        return "User-Agent set" if settings.sec.user_agent else "no User-Agent (required by the SEC)"
    return "none needed"


def bundled_datasets(directory: str | None = None) -> str:
    from marketshock import instruments
    from marketshock.providers import bundled

    table = instruments.load(directory)
    daily, sessions, moves = (", ".join(r.symbol for r in table.bundled(form)) for form in instruments.FORMS)
    capex = ", ".join(bundled.load_capex(directory))
    return (
        f"daily prices ({daily}); index closes ({sessions}); index moves ({moves}); "
        f"claims ({', '.join(bundled.CLAIMS)}); "
        f"capex ({capex}); Challenger job cuts; ETF flows; crypto market value; "
        f"{bundled.FIRST_DAY} .. {bundled.LAST_DAY}"
    )


@app.command()
@also_after("config", "quiet", "verbose")
def sources(ctx: typer.Context, no_color: NoColor = None) -> None:
    """Each provider: its base URL, the datasets it serves, credentials set or not, the cache's age."""
    from marketshock import config, present, render, runner

    top = ctx.obj or {}
    loaded = config.load(top.get("config"))
    settings = loaded.settings
    out = present.console(bool(no_color if no_color is not None else top.get("no_color")))
    universe, _ = runner.run_universe(loaded, runner.Request(command="sources"))
    for group in ("crypto", "indices", "etfs", "companies"):
        origin = "default" if group in universe.from_defaults else "watchlist"
        symbols = ", ".join(universe.symbols(group)) or "(none)"
        out.print(render.text(f"universe {group} ({origin}): {symbols}"))
    cache = cache_dir(settings)
    now = dt.datetime.now(dt.UTC)
    out.print(render.text(f"HTTP cache: {cache}{'' if settings.cache.enabled else ' (disabled)'}"))
    table = render.titled_table("", out)
    for header in ("provider", "base URL", "serves", "credentials", "cache"):
        table.add_column(header, overflow="fold")
    # Every provider the config knows, so one added there shows here too.
    for name in type(settings.providers).model_fields:
        serves = LIVE_PROVIDERS.get(name, "")
        base_url = getattr(settings.providers, name).base_url
        age = age_text(newest_file_time(cache / name), now) if settings.cache.enabled else "disabled"
        table.add_row(
            render.text(name),
            render.text(base_url),
            render.text(serves),
            render.text(credentials(name, settings)),
            render.text(age),
        )
    table.add_row(
        render.text("bundled"),
        render.text("package data (--offline)"),
        render.text(bundled_datasets(settings.bundled.dir)),
        render.text("none needed"),
        render.text("n/a"),
    )
    out.print(table)
