"""`--csv`: a command's main table as one rectangular CSV on stdout, for spreadsheets and pandas.

One header row, then one row per table row. Columns are the JSON field names and
values are the JSON values (raw numbers, ISO dates, empty for a gap), not the
table's formatted strings. Lists of numbers (sparkline data) are left out, lists of
strings are joined with "; ", a source becomes `source` (provider) and
`source_reference`. `shock --csv` is its ranked moves (the shock window and
correlations are in `--json`). `report` has several tables of different shapes, so it has no
CSV: it refuses with a usage error (one CSV a section's command instead).
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
import types
import typing
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from pydantic import BaseModel

from marketshock.errors import UsageError
from marketshock.formatting import safe_text
from marketshock.sections import registry

if TYPE_CHECKING:  # the result models only where a result is written: `history --csv` needs none
    from marketshock.models.results.labor import ClaimsWeek, JobCuts, LaborResult


def cell(value: Any) -> str:
    """One value as CSV text: the JSON value, unformatted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, int | float):
        return repr(value)
    return safe_text(str(value))


def _members(annotation: Any) -> tuple[Any, ...]:
    """The non-None types of an annotation (`X | None` -> (X,))."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return tuple(a for a in typing.get_args(annotation) if a is not type(None))
    return (annotation,)


def _column_kind(annotation: Any) -> str:
    from marketshock.models.series import Source

    (kind, *_) = _members(annotation) or (None,)
    if kind is Source:
        return "source"
    if typing.get_origin(kind) is list:
        (item,) = typing.get_args(kind)
        if item is str:
            return "strings"
        if item is Source:
            return "sources"
        return "skip"  # numbers for sparklines, (year, value) pairs: not one cell
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return "skip"
    return "scalar"


def list_item(annotation: Any) -> type[BaseModel]:
    """The row model of a `list[Row]` field's annotation."""
    (kind, *_) = _members(annotation)
    (item,) = typing.get_args(kind)
    if not (isinstance(item, type) and issubclass(item, BaseModel)):
        raise TypeError(f"{annotation!r} is not a list of models")
    return item


def model_table(model: type[BaseModel], rows: Sequence[BaseModel]) -> tuple[list[str], list[list[str]]]:
    """Header and rows for a list of one model, columns in the model's field order."""
    header: list[str] = []
    getters: list[Any] = []
    for name, info in model.model_fields.items():
        column = info.serialization_alias or name
        kind = _column_kind(info.annotation)
        if kind == "scalar":
            header.append(column)
            getters.append(lambda r, n=name: cell(getattr(r, n)))
        elif kind == "strings":
            header.append(column)
            getters.append(lambda r, n=name: "; ".join(safe_text(s) for s in getattr(r, n)))
        elif kind == "source":
            header += [column, f"{column}_reference"]
            getters.append(lambda r, n=name: cell(getattr(r, n).provider))
            getters.append(lambda r, n=name: cell(getattr(r, n).reference))
        elif kind == "sources":
            header.append(column)
            getters.append(lambda r, n=name: "; ".join(cell(s.reference or s.provider) for s in getattr(r, n)))
    return header, [[get(r) for get in getters] for r in rows]


LABOR_HEADER = [
    "series",
    "period",
    "value",
    "change",
    "change_pct",
    "four_week_avg",
    "continuing",
    "continuing_period",
    "released",
    "vintage",
    "source",
    "source_reference",
    # How fresh the figure is, as in the other sections' CSVs (issue 12): its day, its age, out of date.
    "date",
    "age_days",
    "out_of_date",
]


def fresh(row: JobCuts | ClaimsWeek) -> list[str]:
    """A labor row's `date`, `age_days` and `out_of_date` cells."""
    return [cell(row.date), cell(row.age_days), cell(row.out_of_date)]


def labor_table(result: LaborResult) -> tuple[list[str], list[list[str]]]:
    """Labor has two small tables; as one CSV they are a long table: one row a figure."""
    rows = []
    cuts = result.job_cuts
    if cuts:
        rows.append(
            [
                "challenger_job_cuts",
                cuts.month,
                cell(cuts.value),
                "",
                cell(cuts.change_yoy_pct),
                "",
                "",
                "",
                cell(cuts.released),
                "",
                cell(cuts.source.provider),
                cell(cuts.source.reference),
                *fresh(cuts),
            ]
        )
    for week in (result.claims, result.claims_later_revision):
        if week:
            rows.append(
                [
                    "initial_claims",
                    cell(week.week_ending),
                    cell(week.initial),
                    cell(week.change),
                    "",
                    cell(week.four_week_avg),
                    cell(week.continuing),
                    cell(week.continuing_week_ending),
                    cell(week.released),
                    cell(week.vintage),
                    cell(week.source.provider),
                    cell(week.source.reference),
                    *fresh(week),
                ]
            )
    return LABOR_HEADER, rows


def result_table(command: str, result: BaseModel) -> tuple[list[str], list[list[str]]]:
    """The command's main table (the registry names it): crypto assets, index rows, capex
    companies, labor figures, shock moves."""
    if command not in registry.BY_NAME:
        raise UsageError(f"{command} has no CSV")
    return registry.get(command).table(result)


def write(header: Sequence[str], rows: Iterable[Sequence[Any]], file: TextIO | None = None) -> None:
    out = file or sys.stdout
    # "\n" line ends: the output is for pipes and files on any platform, like the JSON.
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    out.flush()


def write_result(command: str, result: BaseModel, file: TextIO | None = None) -> None:
    header, rows = result_table(command, result)
    write(header, rows, file)
