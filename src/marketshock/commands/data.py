"""The data commands: one a section of the registry (`indices`, `earnings-capex`, `labor`,
`crypto`, `shock`) and `report`. Each declares only its own options; `run_options` adds
the ones they share, and the registry gives each its help."""

from __future__ import annotations

from typing import Annotated

import typer

from marketshock.app import Export, RunOptions, Symbols, app, run_command, run_options, section_options
from marketshock.sections.registry import get

# The same bounds as sections.shock.DEFAULT_WINDOW / MAX_WINDOW (a test keeps them equal);
# repeated here so `--help` does not import the section.
DEFAULT_WINDOW = 10
MAX_WINDOW = 260


@app.command(help=get("indices").help)
@run_options()
def indices(ctx: typer.Context, run: RunOptions, symbols: Symbols = None) -> None:
    run_command(ctx, "indices", run, section_options=section_options("indices", "symbols", symbols))


@app.command("earnings-capex", help=get("earnings-capex").help)
@run_options()
def earnings_capex(
    ctx: typer.Context,
    run: RunOptions,
    tickers: Annotated[
        str | None, typer.Option("--tickers", "-t", metavar="A,B", help="Comma-separated tickers.", show_default=False)
    ] = None,
) -> None:
    run_command(ctx, "earnings-capex", run, section_options=section_options("earnings-capex", "tickers", tickers))


@app.command(help=get("labor").help)
@run_options()
def labor(ctx: typer.Context, run: RunOptions) -> None:
    run_command(ctx, "labor", run)


@app.command(help=get("crypto").help)
@run_options()
def crypto(
    ctx: typer.Context,
    run: RunOptions,
    ytd: Annotated[bool, typer.Option("--ytd", help="Show year-to-date columns (close and day's low).")] = False,
    symbols: Symbols = None,
) -> None:
    run_command(ctx, "crypto", run, section_options=section_options("crypto", "symbols", symbols), ytd=ytd)


@app.command(help=get("shock").help)
@run_options()
def shock(
    ctx: typer.Context,
    run: RunOptions,
    window: Annotated[
        int,
        typer.Option(
            "--window",
            "-w",
            metavar="N",
            min=1,
            max=MAX_WINDOW,
            help="Shock window: the last N sessions up to as-of, for the side-by-side changes.",
        ),
    ] = DEFAULT_WINDOW,
) -> None:
    run_command(ctx, "shock", run, section_options={"shock": {"window": window}})


@app.command()
@run_options(csv=False)
def report(
    ctx: typer.Context,
    run: RunOptions,
    export: Export = None,
    csv: Annotated[
        bool, typer.Option("--csv", help="Refused: the report has several tables; use --csv on one section's command.")
    ] = False,
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
    run = RunOptions(**{**run.__dict__, "csv": csv})
    run_command(ctx, "report", run, ytd=True, export=export, brief=brief, pager=not no_pager)
