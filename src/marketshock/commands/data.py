"""The data commands: one a section (`indices`, `earnings-capex`, `labor`, `crypto`) and `report`."""

from __future__ import annotations

from typing import Annotated

import typer

from marketshock.app import (
    AsOf,
    Csv,
    Export,
    Json,
    NoColor,
    Offline,
    Refresh,
    Symbols,
    app,
    run_command,
    section_options,
)


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
    run_command(
        ctx,
        "crypto",
        offline=offline,
        as_of=as_of,
        no_color=no_color,
        json=json,
        csv=csv,
        section_options=section_options("crypto", "symbols", symbols),
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
    run_command(
        ctx,
        "indices",
        offline=offline,
        as_of=as_of,
        no_color=no_color,
        json=json,
        csv=csv,
        section_options=section_options("indices", "symbols", symbols),
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
    run_command(
        ctx,
        "earnings-capex",
        offline=offline,
        as_of=as_of,
        no_color=no_color,
        json=json,
        csv=csv,
        section_options=section_options("earnings-capex", "tickers", tickers),
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
    run_command(ctx, "labor", offline=offline, as_of=as_of, no_color=no_color, json=json, csv=csv, refresh=refresh)


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
    brief: Annotated[
        bool, typer.Option("--brief", help="Only the header line and the headlines: a glance, a cron mail.")
    ] = False,
    no_pager: Annotated[
        bool,
        typer.Option(
            "--no-pager",
            help="Never page. On a terminal, a report taller than the screen goes through "
            "$MARKETSHOCK_PAGER, else $PAGER, else 'less -FRX'.",
        ),
    ] = False,
) -> None:
    """Every section on one screen, headline facts on top."""
    run_command(
        ctx,
        "report",
        offline=offline,
        as_of=as_of,
        no_color=no_color,
        json=json,
        csv=csv,
        ytd=True,
        export=export,
        refresh=refresh,
        brief=brief,
        pager=not no_pager,
    )
