"""`snapshot`, `history`, `diff`: daily report files for cron, and reading them back.

Only Typer is imported at module level (this module is imported by cli at start-up);
the store, the runner and Rich are imported inside the commands.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from marketshock.app import AsOf, Csv, Json, NoColor, Offline, also_after, app
from marketshock.errors import LockBusy, StoreError

if TYPE_CHECKING:
    from pydantic import BaseModel

    from marketshock.alerts import Rule
    from marketshock.config import Settings
    from marketshock.metrics_index import Index as MetricsIndex
    from marketshock.metrics_index import Point
    from marketshock.models.envelope import Envelope
    from marketshock.store import Skipped, Snapshot

Dir = Annotated[
    str | None,
    typer.Option(
        "--dir",
        metavar="DIR",
        help="Snapshot directory (default: snapshot.dir in the config, MARKETSHOCK_SNAPSHOT_DIR, "
        "else the platform's user data dir).",
        show_default=False,
    ),
]
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
HISTORY_TABLE_ROWS = 200  # rows of the `history` table; --csv and --json have every point


def _top(ctx: typer.Context) -> dict[str, Any]:
    return ctx.obj or {}


def _settings(ctx: typer.Context) -> Settings:
    from marketshock import config

    return config.load(_top(ctx).get("config")).settings


def _warn(ctx: typer.Context, message: str) -> None:
    from marketshock.runner import warn

    if not _top(ctx).get("quiet"):
        warn(message)


def _date_option(text: str | None, option: str) -> dt.date | None:
    from marketshock.dates import optional_day

    return optional_day(text, option)


@app.command()
@also_after("no_color", "refresh", "config", "quiet", "verbose")
def snapshot(
    ctx: typer.Context,
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            metavar="DIR",
            help="Write here (default: snapshot.dir in the config, MARKETSHOCK_SNAPSHOT_DIR, "
            "else the platform's user data dir).",
            show_default=False,
        ),
    ] = None,
    keep: Annotated[
        int | None,
        typer.Option("--keep", metavar="N", min=1, help="Then delete all but the N latest snapshot dates."),
    ] = None,
    no_overwrite: Annotated[
        bool, typer.Option("--no-overwrite", help="Keep an existing snapshot of the same day (default: replace it).")
    ] = False,
    lock_timeout: Annotated[
        float,
        typer.Option(
            "--lock-timeout",
            metavar="SECONDS",
            min=0,
            help="Wait this long for another run writing to the same directory, then exit 4.",
        ),
    ] = 30.0,
    export: Annotated[
        list[str] | None,
        typer.Option(
            "--export",
            metavar="FORMAT",
            help="Also write the report beside the JSON: png, svg or pdf (a summary card), html (the page), "
            "term.svg, term.html or txt (what the terminal shows); repeatable.",
            show_default=False,
        ),
    ] = None,
    offline: Offline = None,
    as_of: AsOf = None,
) -> None:
    """Write the report to <dir>/<as_of>.json, atomically, and print the path.

    Exit 0 when written, 3 when a section failed (the file is still written, its `errors`
    say what failed) or an alert's notification failed, 1 when nothing could be produced
    (nothing written), 2 for bad input (a bad date or config, a directory that cannot be used,
    said before any work), 4 when another run held the directory's lock for longer than
    --lock-timeout, 5 when an [[alerts]] rule of the config fired (notified once per as-of date).
    """
    from marketshock import output, runner, store
    from marketshock.errors import Busy, Unavailable

    top = _top(ctx)
    formats = _picture_formats(export or [])
    request = runner.Request(
        command="report",
        offline=bool(offline if offline is not None else top.get("offline")),
        as_of=as_of if as_of is not None else top.get("as_of"),
        quiet=bool(top.get("quiet")),
        verbose=bool(top.get("verbose")),
        config_path=top.get("config"),
        refresh=bool(top.get("refresh")),
    )
    from marketshock import alerts as alerting
    from marketshock import config

    loaded = config.load(top.get("config"))
    settings = loaded.settings
    rules = alerting.rules(settings.alerts, str(loaded.path))  # a bad rule is exit 2 before any work
    directory = store.snapshot_dir(settings, out)
    if no_overwrite:
        # Skip the work (and, live, the network) when today's file is already there.
        _, day = runner.data_source(request, settings)
        existing = store.snapshot_path(directory, day)
        if existing.is_file():
            _warn(ctx, f"kept {existing} (--no-overwrite)")
            typer.echo(str(existing.absolute()))
            if keep:
                _prune(ctx, directory, keep, lock_timeout, protect=existing)
            raise typer.Exit(_alert(ctx, directory, existing, rules, lock_timeout))
    _usable_dir(directory)
    outcome = runner.execute(request)
    if outcome.unreachable:
        tried = len(outcome.unreachable)
        raise Unavailable(
            f"no provider reachable ({tried} tried): check the network, or use --offline; no snapshot written"
        )
    from marketshock.present import error_lines

    for line in error_lines(outcome.errors):  # one line per cause, as `report` prints them
        _warn(ctx, line)
    if outcome.result is None:
        raise Unavailable(f"nothing could be produced as of {outcome.as_of}; no snapshot written")
    content = output.to_json(outcome.envelope()) + "\n"
    pictures: dict[str, str | bytes] = {}
    if formats:
        from marketshock import export as exporting

        no_color = bool(top.get("no_color"))
        pictures = {
            f".{name}": exporting.outcome_picture(
                outcome, exporting.FORMATS[f".{name}"], no_color=no_color, request=request
            )
            for name in formats
        }
    try:
        written = store.write_snapshot(
            directory,
            outcome.as_of,
            content,
            overwrite=not no_overwrite,
            keep=keep,
            lock_timeout=lock_timeout,
            pictures=pictures,
        )
    except LockBusy as error:
        raise Busy(f"{error}; nothing written, try again later") from None
    except StoreError as error:
        raise Unavailable(str(error)) from None
    if not written.written:
        _warn(ctx, f"kept {written.path} (--no-overwrite)")
    if written.index_error:
        _warn(ctx, written.index_error)
    if top.get("verbose"):
        for path in written.pruned:
            _warn(ctx, f"pruned {path}")
    typer.echo(str(written.path.absolute()))
    for picture in written.pictures:
        typer.echo(str(picture.absolute()))
    alerted = _alert(ctx, directory, written.path, rules, lock_timeout)
    raise typer.Exit(int(outcome.exit_code) or alerted)


def _usable_dir(directory: Path) -> None:
    """A snapshot directory that cannot be used is bad input (exit 2), said before the report is
    computed for nothing: something in its way (a file, a broken link), or a directory that
    cannot be made or written to (a read-only mount, /proc). Made here, as the write would."""
    import os

    from marketshock import store
    from marketshock.errors import PathError, shown_path

    blocked = store.in_the_way(directory)
    if blocked:
        raise PathError(blocked)
    named = f"snapshot directory {shown_path(directory)}"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PathError(f"cannot create {named}: {error.strerror or error}") from None
    if not os.access(directory, os.W_OK | os.X_OK):  # a read-only mount, or another user's directory
        raise PathError(f"{named} is not writable")


def _alert(ctx: typer.Context, directory: Path, path: Path, rules: list[Rule], lock_timeout: float) -> int:
    """Evaluate the rules on the snapshot at `path` and notify the ones that fire, each at most once
    per as-of date (what fired is kept in the directory, under its lock). Returns 5 when a rule fired
    on this run, else 0; raises NotifyError (exit 3) when a notification failed. The snapshot stays."""
    from marketshock import alerts as alerting
    from marketshock import store
    from marketshock.commands.alerts import missing_lines
    from marketshock.errors import Busy, ExitCode

    if not rules:
        return ExitCode.OK
    snap = store.read(path)
    evaluations = alerting.evaluate(rules, store.metrics(snap))
    for line in missing_lines(evaluations):
        _warn(ctx, line)
    fired = [e for e in evaluations if e.fired]
    if not fired:
        return ExitCode.OK
    try:
        with store.locked(directory, lock_timeout):
            done = alerting.already_fired(directory, snap.as_of)
            new = [e for e in fired if e.rule.name not in done]
            deliveries = [alerting.notify(e, snap.as_of) for e in new]
            alerting.record_fired(directory, snap.as_of, [d.rule for d in deliveries if not d.failed])
    except LockBusy as error:
        raise Busy(f"{error}; the snapshot is written, its alerts not checked: run again") from None
    except OSError as error:
        raise StoreError(f"cannot record alerts in {directory}: {error.strerror or error}") from None
    for e in fired:
        if e not in new:
            if _top(ctx).get("verbose"):
                _warn(ctx, f"alert {e.rule.name} already fired for {snap.as_of}: not sent again")
            continue
        sys.stderr.write(f"marketshock: alert {alerting.describe(e)} (as of {snap.as_of})\n")
    alerting.raise_failed(deliveries)
    return ExitCode.ALERT if new else ExitCode.OK


def _picture_formats(names: list[str]) -> list[str]:
    """Check `--export` formats before any work is done (exit 2 on an unknown one)."""
    from marketshock.errors import UsageError

    formats = list(dict.fromkeys(n.strip().lower().lstrip(".") for n in names))
    known = ("png", "svg", "pdf", "html", "term.svg", "term.html", "txt")
    unknown = [f for f in formats if f not in known]
    if unknown:
        raise UsageError(f"--export {unknown[0]!r}: choose {', '.join(known[:-1])} or {known[-1]}")
    return formats


def _prune(ctx: typer.Context, directory: Path, keep: int, lock_timeout: float, protect: Path) -> None:
    from marketshock import store
    from marketshock.errors import Busy

    try:
        with store.locked(directory, lock_timeout):
            pruned = store.prune(directory, keep, protect=protect)
            index_error = store.update_index(directory) if pruned else None
    except LockBusy as error:
        raise Busy(str(error)) from None
    if index_error:
        _warn(ctx, index_error)
    if _top(ctx).get("verbose"):
        for path in pruned:
            _warn(ctx, f"pruned {path}")


# --- reading back ----------------------------------------------------------------


def format_value(metric: str, value: float | None, signed: bool = False) -> str:
    """A metric's value as people read it; the unit comes from the path's suffix."""
    from marketshock import formatting as f

    if value is None:
        return "n/a"
    if metric.endswith("_pct"):
        return f"{value:+.2f} pp" if signed else f"{value:+.2f}%"
    if metric.endswith("_usd"):
        short = f.usd_short(value)
        return f"+{short}" if signed and value > 0 else short
    decimals = 0 if isinstance(value, int) else 2  # by type, so a float that happens to be whole keeps .00
    return f.signed(value, decimals) if signed else f.number(value, decimals)


def _envelope(command: str, as_of: dt.date, data: BaseModel) -> Envelope:
    from marketshock import output

    return output.envelope(command, as_of, "snapshots", data, [])


@app.command()
@also_after("config", "quiet", "verbose")
def history(
    ctx: typer.Context,
    metric: Annotated[
        str | None,
        typer.Argument(
            metavar="METRIC",
            help="A metric path such as crypto.BTC.price, labor.claims.initial, indices.KOSPI.last "
            "(list them with --list).",
            show_default=False,
        ),
    ] = None,
    list_metrics: Annotated[
        bool, typer.Option("--list", help="Print the metric paths the snapshots hold, one a line.")
    ] = False,
    since: Annotated[
        str | None, typer.Option("--since", metavar="YYYY-MM-DD", help="From this as-of date on.", show_default=False)
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", metavar="YYYY-MM-DD", help="Up to this as-of date.", show_default=False),
    ] = None,
    reindex: Annotated[
        bool,
        typer.Option("--reindex", help="Rebuild the metrics index from the snapshot files first (alone: only that)."),
    ] = False,
    directory: Dir = None,
    json: Json = False,
    csv: Csv = False,
    no_color: NoColor = None,
) -> None:
    """A metric over time, one value per snapshot: a table with a sparkline, --json or --csv.

    Reads the metrics index beside the snapshots (`.marketshock-index.sqlite`), brought in step
    with the JSON files first; --reindex rebuilds it from them."""
    from marketshock import store
    from marketshock.errors import Unavailable, UsageError

    if json and csv:
        raise UsageError("--json and --csv exclude each other: pick one")
    if list_metrics and (metric or json or csv):
        raise UsageError("--list prints one metric path a line and takes no METRIC, --json or --csv")
    if not list_metrics and not metric and not reindex:
        raise UsageError("give a METRIC (e.g. crypto.BTC.price) or --list")
    first, last = _date_option(since, "--since"), _date_option(until, "--until")
    where = store.snapshot_dir(_settings(ctx), directory)
    index = _open_index(ctx, where, reindex)
    try:
        if reindex and index.unsaved is not None:
            _index_not_saved(ctx, index, alone=not (metric or list_metrics))
        if reindex and not (metric or list_metrics):
            _warn(ctx, f"reindexed {index.count()} snapshots in {where}")
            return
        if not index.count():
            raise Unavailable(f"no snapshots in {where}; write one with `marketshock snapshot`")
        if list_metrics:
            paths = index.paths(first, last)
            if not paths:
                raise Unavailable(
                    f"no snapshot in {where} between {first or 'the first'} and {last or 'the last'} has a metric"
                )
            from marketshock.formatting import safe_text  # the paths are keys read from files

            typer.echo("\n".join(safe_text(p, one_line=True) for p in paths))
            return
        assert metric is not None
        if not index.has(metric):
            import difflib

            close = difflib.get_close_matches(metric, index.paths(), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise UsageError(
                f"no snapshot in {where} has the metric {metric!r}{hint} (see: marketshock history --list)"
            )
        points = index.history(metric, first, last)
        if not points:
            raise Unavailable(
                f"no snapshot in {where} between {first or 'the first'} and {last or 'the last'} has {metric}"
            )
        skipped = index.skipped()
    finally:
        index.close()
    _print_history(ctx, metric, where, points, skipped, json=json, csv=csv, no_color=no_color)


def _open_index(ctx: typer.Context, directory: Path, reindex: bool) -> MetricsIndex:
    """The directory's metrics index, in step with its files; warns about the files that are not
    snapshots as `_scan` does. A damaged index is rebuilt from the JSON files."""
    import sqlite3

    from marketshock import metrics_index, store
    from marketshock.errors import PathError, Unavailable

    blocked = store.in_the_way(directory)
    if blocked:  # a wrong path, not "no snapshots yet"
        raise PathError(blocked)
    if not directory.is_dir():
        raise Unavailable(f"snapshot directory {directory} does not exist; write one with `marketshock snapshot`")
    try:
        index = metrics_index.open_index(directory, reindex=reindex)
        try:
            skipped = index.skipped()
        except sqlite3.DatabaseError:
            index.close()
            raise
    except sqlite3.DatabaseError:  # damaged past what opening it noticed
        index = metrics_index.open_index(directory, reindex=True)
        skipped = index.skipped()
    except OSError as error:
        raise Unavailable(f"cannot read snapshot directory {directory}: {error.strerror or error}") from None
    if _top(ctx).get("verbose") and index.how.startswith("in memory") and index.count():
        _warn(ctx, f"metrics index {metrics_index.index_path(directory)}: {index.how}")
    _warn_skipped(ctx, directory, skipped)
    return index


def _index_not_saved(ctx: typer.Context, index: MetricsIndex, *, alone: bool) -> None:
    """`--reindex` could not write the index (`index.unsaved` says why). Alone, the rebuild was
    the whole job: an error (exit 4 for a busy lock, else 2). With a METRIC or --list, the
    answer comes from the snapshot files all the same: a warning."""
    from marketshock import metrics_index
    from marketshock.errors import LockBusy, PathError

    error = index.unsaved
    assert error is not None
    if isinstance(error, LockBusy):
        reason = str(error)
    else:
        why = getattr(error, "strerror", None) or error
        reason = f"cannot write {metrics_index.index_path(index.directory)}: {why}"
    if alone:  # the caller's `finally` closes the index
        if isinstance(error, LockBusy):
            raise LockBusy(f"metrics index not rebuilt: {reason}")
        raise PathError(f"metrics index not rebuilt: {reason}")
    _warn(ctx, f"metrics index not rebuilt: {reason}; answering from the snapshot files")


def _warn_skipped(ctx: typer.Context, directory: Path, skipped: list[Skipped]) -> None:
    foreign = [s for s in skipped if s.foreign]
    for s in skipped:  # a broken snapshot is named; files of someone else's only with -v
        if not s.foreign or _top(ctx).get("verbose"):
            _warn(ctx, f"skipped {s.path}: {s.reason}")
    if foreign and not _top(ctx).get("verbose"):
        files = "file that is not a snapshot" if len(foreign) == 1 else "files that are not snapshots"
        _warn(ctx, f"skipped {len(foreign)} {files} in {directory} (list them with -v)")


def _print_history(
    ctx: typer.Context,
    metric: str,
    where: Path,
    points: list[Point],
    skipped: list[Skipped],
    *,
    json: bool,
    csv: bool,
    no_color: bool | None,
) -> None:
    if csv:
        from marketshock import csv_output

        csv_output.write(["date", "value"], [[p.as_of.isoformat(), csv_output.cell(p.value)] for p in points])
        return
    if json:
        from marketshock import output
        from marketshock.models.snapshots import HistoryPoint, HistoryResult, SkippedFile

        result = HistoryResult(
            metric=metric,
            directory=str(where),
            points=[HistoryPoint(date=p.as_of, value=p.value, file=p.file) for p in points],
            skipped=[SkippedFile(file=str(s.path), reason=s.reason) for s in skipped],
        )
        output.write_json(_envelope("history", points[-1].as_of, result))
        return
    from rich.text import Text

    from marketshock import formatting as f
    from marketshock import present, render

    out = present.console(bool(no_color if no_color is not None else _top(ctx).get("no_color")))
    values = [float(p.value) for p in points]
    title = f"{metric}: {len(points)} snapshots, {points[0].as_of} .. {points[-1].as_of}"
    out.print(render.text(title, "bold" if out.is_terminal else ""))
    # Years of daily snapshots make a table nobody reads, and laying out thousands of rows costs
    # Rich a second: the latest rows, and where every point is. Trend, low and high cover them all.
    hidden = max(0, len(points) - HISTORY_TABLE_ROWS)
    if hidden:
        out.print(
            render.text(f"the latest {HISTORY_TABLE_ROWS}; {hidden:,} earlier not shown (--csv or --json lists all)")
        )
    table = render.titled_table("", out)
    for header in ("as of", "value", "change"):
        table.add_column(header, justify="left" if header == "as of" else "right")
    previous: float | None = None
    for n, point in enumerate(points):
        value = point.value
        change = None if previous is None else value - previous
        previous = value
        if n < hidden:
            continue
        table.add_row(
            render.text(point.as_of),
            render.text(format_value(metric, value)),
            render.signed_text(format_value(metric, change, signed=True) if change is not None else "", change),
        )
    low, high = min(p.value for p in points), max(p.value for p in points)  # keep ints as ints
    trend = Text(f"trend {f.sparkline(values)}  low {format_value(metric, low)}, high {format_value(metric, high)}")
    out.print(table)
    out.print(trend)


def _resolve(ctx: typer.Context, ref: str, directory: str | None, settings: Settings | None = None) -> Snapshot:
    """A snapshot named by its date (looked up in the directory) or by a file path."""
    from marketshock import store
    from marketshock.errors import PathError, UsageError, shown_path

    try:
        path = Path(ref).expanduser()
    except RuntimeError:  # "~name" of no user: a name like any other, as the shell leaves it
        path = Path(ref)
    if _DATE.match(ref) and not path.is_file():
        day = _date_option(ref, "date")
        assert day is not None
        where = store.snapshot_dir(settings or _settings(ctx), directory)
        path = store.snapshot_path(where, day)
        if not path.is_file():
            raise UsageError(f"no snapshot of {day} in {where}")
    elif not path.is_file():
        if path.is_dir():
            raise PathError(f"{shown_path(ref)} is a directory, not a snapshot file")
        if path.exists():
            raise PathError(f"{shown_path(ref)} is not a regular file")  # a FIFO: reading it would block
        raise UsageError(f"{shown_path(ref)}: no such snapshot file (give a date YYYY-MM-DD or a path)")
    try:
        return store.read(path)
    except StoreError as error:
        raise UsageError(f"{path}: {error}") from None


@app.command()
@also_after("config", "quiet", "verbose")
def diff(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(metavar="A", help="The older snapshot: a date (YYYY-MM-DD) or a file.")],
    new: Annotated[str, typer.Argument(metavar="B", help="The newer snapshot: a date (YYYY-MM-DD) or a file.")],
    include_unchanged: Annotated[bool, typer.Option("--all", help="Also list metrics that did not change.")] = False,
    only: Annotated[
        str | None,
        typer.Option("--only", metavar="PREFIX", help="Only metrics whose path starts with PREFIX (e.g. crypto.BTC)."),
    ] = None,
    directory: Dir = None,
    json: Json = False,
    csv: Csv = False,
    no_color: NoColor = None,
) -> None:
    """Compare two snapshots: per metric, old, new, change and change in percent.

    A percentage (`*_pct`) changes in percentage points (pp) and has no change in percent;
    nor have counts, streaks, ranks, z-scores, years and dates."""
    from marketshock import csv_output, output, store
    from marketshock.errors import UsageError
    from marketshock.models.snapshots import DiffResult, MetricChange, SnapshotRef

    if json and csv:
        raise UsageError("--json and --csv exclude each other: pick one")
    a, b = _resolve(ctx, old, directory), _resolve(ctx, new, directory)
    changes = store.diff(a, b, include_unchanged=include_unchanged)
    if only:
        changes = [c for c in changes if c.metric == only or c.metric.startswith(only.rstrip(".") + ".")]

    def rounded(value: float | None, digits: int) -> float | None:
        return None if value is None else round(value, digits)

    if csv:
        csv_output.write(
            ["metric", "old", "new", "change", "change_pct"],
            [
                [
                    c.metric,
                    *(csv_output.cell(v) for v in (c.old, c.new, rounded(c.change, 6), rounded(c.change_pct, 4))),
                ]
                for c in changes
            ],
        )
        return
    if json:

        def ref(s: Snapshot) -> SnapshotRef:
            return SnapshotRef(file=str(s.path), as_of=s.as_of, generated_at=s.generated_at, source=s.source)

        result = DiffResult(
            old=ref(a),
            new=ref(b),
            changes=[
                MetricChange(
                    metric=c.metric,
                    old=c.old,
                    new=c.new,
                    change=rounded(c.change, 6),
                    change_pct=rounded(c.change_pct, 4),
                )
                for c in changes
            ],
        )
        output.write_json(_envelope("diff", b.as_of, result))
        return
    from marketshock import formatting as f
    from marketshock import present, render

    out = present.console(bool(no_color if no_color is not None else _top(ctx).get("no_color")))
    what = "metrics" if include_unchanged else "changed metrics"
    title = f"{a.as_of} ({a.path}) -> {b.as_of} ({b.path}): {len(changes)} {what}"
    out.print(render.text(title, "bold" if out.is_terminal else ""))
    if not changes:
        return
    table = render.titled_table("", out)
    for header in ("metric", "old", "new", "change", "change %"):
        table.add_column(header, justify="left" if header == "metric" else "right")
    for c in changes:
        table.add_row(
            render.text(c.metric),
            render.text(format_value(c.metric, c.old)),
            render.text(format_value(c.metric, c.new)),
            render.signed_text(format_value(c.metric, c.change, signed=True), c.change),
            render.signed_text(f.pct(c.change_pct) if c.change_pct is not None else "", c.change_pct),
        )
    out.print(table)
