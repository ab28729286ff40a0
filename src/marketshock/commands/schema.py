"""`schema`: the JSON Schema of every `--json` envelope, generated from the pydantic models."""

from __future__ import annotations

import typer

from marketshock.app import also_after, app


@app.command()
@also_after("offline", "config", "quiet", "verbose")
def schema(ctx: typer.Context) -> None:
    """Print the JSON Schema (draft 2020-12) of the --json envelope of every command; the
    symbols of your watchlist are its examples."""
    import json

    from marketshock import config, runner
    from marketshock.models.contract import json_schema

    top = ctx.obj or {}
    loaded = config.load(top.get("config"))
    universe, _ = runner.run_universe(loaded, runner.Request(command="schema", offline=bool(top.get("offline"))))
    typer.echo(json.dumps(json_schema(universe), indent=2))
