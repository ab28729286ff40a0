"""`marketshock shock`: how unusual each of the day's moves is, ranked, and the cross-asset view.

Imported by `cli` at start-up, so it imports nothing beyond Typer and `cli` itself; the
statistics load inside the command, through the runner.
"""

from __future__ import annotations

from typing import Annotated

import typer

from marketshock.app import AsOf, Csv, Json, NoColor, Offline, Refresh, app, run_command

# The same bounds as sections.shock.DEFAULT_WINDOW / MAX_WINDOW (a test keeps them equal);
# repeated here so `--help` does not import the section.
DEFAULT_WINDOW = 10
MAX_WINDOW = 260


@app.command()
def shock(
    ctx: typer.Context,
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
    json: Json = False,
    csv: Csv = False,
    offline: Offline = None,
    as_of: AsOf = None,
    no_color: NoColor = None,
    refresh: Refresh = None,
) -> None:
    """How unusual each move is: z-scores, "largest fall since", worst week, volatility; cross-asset view."""
    run_command(
        ctx,
        "shock",
        offline=offline,
        as_of=as_of,
        no_color=no_color,
        json=json,
        csv=csv,
        section_options={"shock": {"window": window}},
        refresh=refresh,
    )
