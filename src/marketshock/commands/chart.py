"""`marketshock chart SERIES`: one series drawn in the terminal, with what the analytics found.

Only Typer is imported here (this module loads with the CLI); the chart code and Rich
load when the command runs.
"""

from __future__ import annotations

from typing import Annotated

import typer

from marketshock.app import Export, RunOptions, app, build_request, run_options


@app.command()
@run_options(csv=False)
def chart(
    ctx: typer.Context,
    run: RunOptions,
    series: Annotated[
        str,
        typer.Argument(
            metavar="SERIES",
            help="A symbol of your watchlist or the instrument table (BTC, KOSPI, SPY, ...; "
            "`marketshock sources` lists them), claims, continuing-claims or job-cuts.",
            show_default=False,
        ),
    ],
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="YYYY-MM-DD",
            help="First day of the chart (default: a year back, or further to show the earlier low; "
            "all of KOSPI's curated closes and of job-cuts).",
            show_default=False,
        ),
    ] = None,
    month: Annotated[
        int | None,
        typer.Option(
            "--month",
            min=1,
            max=12,
            metavar="1-12",
            help="job-cuts: the calendar month to compare across years (default: the latest month's).",
            show_default=False,
        ),
    ] = None,
    width: Annotated[
        int | None,
        typer.Option("--width", metavar="COLUMNS", help="Chart width (default: the terminal's).", show_default=False),
    ] = None,
    height: Annotated[
        int | None,
        typer.Option("--height", metavar="ROWS", help="Plot height in rows (default: 16).", show_default=False),
    ] = None,
    export: Export = None,
) -> None:
    """Draw a series: a line for daily and weekly data, bars for a month across years; the
    lows, highs and ranks the tables report are marked on it."""
    from marketshock import charts

    request = build_request(ctx, "chart", run)
    raise typer.Exit(
        charts.run(request, series, since=since, month=month, width=width, height=height, export_path=export)
    )
