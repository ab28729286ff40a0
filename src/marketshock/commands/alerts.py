"""`alerts`: evaluate the config's `[[alerts]]` rules on the current report or on a snapshot.

Exit 0 when no rule fired, 5 when one did, 3 when a section of the report failed (failures
win over alerts), 2 for a rule that does not parse. `alerts` only reads: it sends no
notification and records nothing; `snapshot` does both, once per rule and as-of date.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer

from marketshock.app import RunOptions, app, build_request, run_options
from marketshock.commands.snapshot import Dir

if TYPE_CHECKING:
    from marketshock.alerts import Evaluation
    from marketshock.models.alerts import AlertsResult


@app.command()
@run_options()
def alerts(
    ctx: typer.Context,
    run: RunOptions,
    snapshot: Annotated[
        str | None,
        typer.Argument(
            metavar="[SNAPSHOT]",
            help="Evaluate on this snapshot (a date YYYY-MM-DD in the snapshot directory, or a file) "
            "instead of the report as of --as-of.",
            show_default=False,
        ),
    ] = None,
    directory: Dir = None,
) -> None:
    """Evaluate the [[alerts]] rules of the config and print which fired (exit 5 when one did, else 0)."""
    from marketshock import alerts as alerting
    from marketshock import config, store
    from marketshock.errors import ExitCode, UsageError

    if run.json and run.csv:
        raise UsageError("--json and --csv exclude each other: pick one")
    request = build_request(ctx, "report", run)
    loaded = config.load(request.config_path)
    rules = alerting.rules(loaded.settings.alerts, str(loaded.path))
    failed = False
    if snapshot is not None:
        from marketshock.commands.snapshot import _resolve

        # Before the "no rules" warning: a snapshot that cannot be read is one line, alone.
        snap = _resolve(ctx, snapshot, directory, loaded.settings)
        as_of, source, file = snap.as_of, snap.source, str(snap.path)
        metrics = store.metrics(snap)
    else:
        from marketshock import runner
        from marketshock.errors import Unavailable
        from marketshock.present import error_lines

        outcome = runner.execute(request)
        if not request.quiet:
            for line in error_lines(outcome.errors):
                alerting_warn(line)
        if outcome.result is None:
            raise Unavailable(f"nothing could be produced as of {outcome.as_of}; no rule evaluated")
        as_of, source, file = outcome.as_of, outcome.source, None
        metrics = store.data_metrics("report", outcome.envelope().data)
        failed = bool(outcome.errors)
    if not rules and not request.quiet:
        alerting_warn(f"no [[alerts]] rules in {loaded.path} (see: marketshock config init)")
    evaluations = alerting.evaluate(rules, metrics)
    if not request.quiet:
        for line in missing_lines(evaluations):
            alerting_warn(line)
    result = _result(evaluations, file)
    _print(result, evaluations, as_of, source, run, request.no_color)
    fired = any(e.fired for e in evaluations)
    raise typer.Exit(ExitCode.PARTIAL if failed else ExitCode.ALERT if fired else ExitCode.OK)


def alerting_warn(message: str) -> None:
    from marketshock.present import warn

    warn(message)


def missing_lines(evaluations: list[Evaluation]) -> list[str]:
    """A rule that reads a metric the report does not hold cannot fire on it: say so (a typo, or no data that day)."""
    return [
        f"alert {e.rule.name}: no {path} in the report (see: marketshock history --list)"
        for e in evaluations
        for path in e.missing
    ]


def _result(evaluations: list[Evaluation], file: str | None) -> AlertsResult:
    from marketshock.models.alerts import AlertRow, AlertsResult

    rows = [
        AlertRow(name=e.rule.name, when=e.rule.when, fired=e.fired, values=e.values, notify=len(e.rule.notify))
        for e in evaluations
    ]
    return AlertsResult(file=file, rules=rows, fired=[e.rule.name for e in evaluations if e.fired])


def _values_text(values: dict[str, Any]) -> str:
    from marketshock.alerts import number_text

    return "; ".join(f"{k} = {number_text(v)}" for k, v in values.items())


def _print(
    result: AlertsResult,
    evaluations: list[Evaluation],
    as_of: dt.date,
    source: str,
    run: RunOptions,
    no_color: bool,
) -> None:
    if run.json:
        from marketshock import output

        output.write_json(output.envelope("alerts", as_of, source, result, []))
        return
    if run.csv:
        from marketshock import csv_output

        csv_output.write(
            ["name", "when", "fired", "values", "notify"],
            [
                [r.name, r.when, csv_output.cell(r.fired), _values_text(r.values), csv_output.cell(r.notify)]
                for r in result.rules
            ],
        )
        return
    from marketshock import present, render

    out = present.console(no_color)
    where = result.file or f"the report ({source})"
    title = f"alerts as of {as_of} on {where}: {len(result.fired)} of {len(result.rules)} rules fired"
    out.print(render.text(title, "bold" if out.is_terminal else ""))
    if not result.rules:
        return
    table = render.titled_table("", out)
    for header in ("rule", "fired", "values", "when"):
        table.add_column(header)
    for e in evaluations:
        table.add_row(
            render.text(e.rule.name),
            render.text("FIRED" if e.fired else "no", "bold red" if e.fired else ""),
            render.text(_values_text(dict(e.values))),
            render.text(e.rule.when),
        )
    out.print(table)
