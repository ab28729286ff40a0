"""`schema`: the JSON Schema of every `--json` envelope, generated from the pydantic models."""

from __future__ import annotations

from marketshock.app import app


@app.command()
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of the --json envelope of every command."""
    import json

    import typer

    from marketshock.models.contract import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))
