"""The data commands: one per section of the registry (`indices`, `earnings-capex`, `labor`,
`crypto`, `shock`), built from its row (name, help, own options), and `report`.
`run_options` adds the options they all share. A new section is a registry row, not code here.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any

import typer

from marketshock.app import Export, RunOptions, app, parse_symbols, run_command, run_options
from marketshock.sections.registry import SECTIONS, Option, Section


def _parameter(option: Option) -> inspect.Parameter:
    """The Typer parameter of one registry option."""
    kind: Any = {"symbols": str | None, "flag": bool, "int": int, "text": str | None}[option.type]
    info = typer.Option(
        *option.flags,
        help=option.help,
        metavar=option.metavar,
        min=option.min,
        max=option.max,
        show_default=option.type not in ("symbols", "text"),
    )
    return inspect.Parameter(
        option.name, inspect.Parameter.KEYWORD_ONLY, default=option.default, annotation=Annotated[kind, info]
    )


def _command(section: Section) -> Callable[..., None]:
    """A Typer command for `section`: its own options, then the shared ones."""

    def command(ctx: typer.Context, run: RunOptions, **given: Any) -> None:
        build: dict[str, Any] = {}
        ytd = False
        for option in section.options:
            value = given.get(option.name)
            if option.target == "universe":
                symbols = parse_symbols(value, option.flags[0].lstrip("-"))
                if symbols:
                    build["symbols"] = symbols
            elif option.target == "build":
                build[option.name] = value
            else:
                ytd = bool(value)
        run_command(ctx, section.name, run, section_options={section.name: build} if build else {}, ytd=ytd)

    own = [_parameter(option) for option in section.options]
    context = inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)
    shared = inspect.Parameter("run", inspect.Parameter.KEYWORD_ONLY, annotation=RunOptions)
    command.__signature__ = inspect.Signature([context, *own, shared])  # type: ignore[attr-defined]  # inspect reads it
    command.__annotations__ = {p.name: p.annotation for p in (context, *own, shared)}
    command.__name__ = section.name.replace("-", "_")
    command.__doc__ = section.help
    return run_options()(command)


for _section in SECTIONS:
    app.command(_section.name, help=_section.help)(_command(_section))


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
    run = run._replace(csv=csv)
    run_command(ctx, "report", run, ytd=True, export=export, brief=brief, pager=not no_pager)
