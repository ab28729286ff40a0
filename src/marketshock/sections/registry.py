"""The section registry: every data section as one row, and the only list of sections there is.

The runner, the report, the renderer, `--csv`, the snapshot store's metric paths, the
JSON schema and the commands iterate over `SECTIONS`; adding a section is a module in
`marketshock.sections` (its `build`), a result model, a render function, and one row here.

Rows name their code by dotted path and load it on first use, so importing this module
(the CLI does, for `--help`) costs nothing: no pydantic, no Rich.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

if TYPE_CHECKING:
    from pydantic import BaseModel


def _load(dotted: str) -> Any:
    module, _, name = dotted.partition(":")
    return getattr(importlib.import_module(module), name)


class Option(NamedTuple):
    """One of a section's own command-line options, as data: commands/data.py builds the Typer
    option from it. `target` says where the value goes: `universe` (comma-separated symbols that
    replace the section's watchlist groups for one run), `build` (a keyword of its `build`), or
    `render` (the `ytd` columns of the crypto table)."""

    name: str
    flags: tuple[str, ...]
    help: str
    target: Literal["universe", "build", "render"]
    type: Literal["symbols", "flag", "int", "text"] = "symbols"
    default: int | bool | None = None
    min: int | None = None
    max: int | None = None
    metavar: str | None = None


SYMBOLS = Option("symbols", ("--symbols", "-s"), "Comma-separated symbols.", "universe", metavar="A,B")


class Section(NamedTuple):
    """One data section.

    name         the command (`marketshock crypto`) and the key of the report's `data`
    field        the `ReportResult` attribute that holds it (a Python name)
    help         the command's one-line help
    build        "module:function": `async build(ctx, **options) -> result`
    result       "module:Model": the result model, `data` of the command's envelope
    render       "module:function": `render(result, console, **render_options) -> Rich renderable`
    csv_rows     the result's list whose rows make `--csv` (None: `csv_table` builds the table)
    csv_table    "module:function" `(result) -> (header, rows)` for a section whose CSV is not one list
    metric_rows  list fields of the result whose rows are named by a field in snapshot metric paths:
                 list field -> (naming field, collapse); collapse drops the list's name from the path
                 (`crypto.BTC.price`), otherwise it stays (`shock.moves.BTC.zscore`)
    groups       the watchlist groups that are its default universe (`symbols` option), if any
    symbol_kinds the instrument kinds its symbols may have
    options      its own command-line options (the shared ones are `app.run_options`')
    in_report    whether `report` runs it (False: a command of its own only, like `compare`)
    """

    name: str
    field: str
    help: str
    build: str | Callable[..., Any]  # a dotted path, or the function itself (a test's stand-in)
    result: str
    render: str
    csv_rows: str | None = None
    csv_table: str | None = None
    metric_rows: Mapping[str, tuple[str, bool]] = MappingProxyType({})  # read-only: one default for all
    groups: tuple[str, ...] = ()
    symbol_kinds: tuple[str, ...] = ()
    options: tuple[Option, ...] = ()
    in_report: bool = True

    def builder(self) -> Callable[..., Any]:
        return _load(self.build) if isinstance(self.build, str) else self.build

    def result_model(self) -> type[BaseModel]:
        model: type[BaseModel] = _load(self.result)
        return model

    def renderer(self) -> Callable[..., Any]:
        render: Callable[..., Any] = _load(self.render)
        return render

    def table(self, result: BaseModel) -> tuple[list[str], list[list[str]]]:
        """The CSV of a result: header and rows of raw values (see csv_output)."""
        from marketshock import csv_output

        if self.csv_table is not None:
            table: tuple[list[str], list[list[str]]] = _load(self.csv_table)(result)
            return table
        assert self.csv_rows is not None
        rows = getattr(result, self.csv_rows)
        item = type(result).model_fields[self.csv_rows].annotation
        return csv_output.model_table(csv_output.list_item(item), rows)


SECTIONS: tuple[Section, ...] = (
    Section(
        name="indices",
        field="indices",
        help="Index levels, day and 5-day change, streaks, sidecar and circuit-breaker notes.",
        build="marketshock.sections.indices:build",
        result="marketshock.models.results.indices:IndicesResult",
        render="marketshock.render:indices",
        csv_rows="indices",
        metric_rows={"indices": ("symbol", True)},
        groups=("indices", "etfs"),
        symbol_kinds=("index", "etf"),
        options=(SYMBOLS,),
    ),
    Section(
        name="earnings-capex",
        field="earnings_capex",
        help="Last fiscal year's capex, next year's guidance, growth, and the stock's reaction.",
        build="marketshock.sections.capex:build",
        result="marketshock.models.results.capex:CapexResult",
        render="marketshock.render:capex",
        csv_rows="companies",
        metric_rows={"companies": ("ticker", True)},
        groups=("companies",),
        symbol_kinds=("stock",),
        options=(Option("symbols", ("--tickers", "-t"), "Comma-separated tickers.", "universe", metavar="A,B"),),
    ),
    Section(
        name="labor",
        field="labor",
        help="Challenger job cuts and their rank; weekly jobless claims, revised and first printed.",
        build="marketshock.sections.labor:build",
        result="marketshock.models.results.labor:LaborResult",
        render="marketshock.render:labor",
        csv_table="marketshock.csv_output:labor_table",
    ),
    Section(
        name="crypto",
        field="crypto",
        help='Crypto prices, 1d/7d/YTD change, "lowest since", drawdown, market value, ETF flows.',
        build="marketshock.sections.crypto:build",
        result="marketshock.models.results.crypto:CryptoResult",
        render="marketshock.render:crypto",
        csv_rows="assets",
        metric_rows={"assets": ("symbol", True), "market_cap": ("provider", False)},
        groups=("crypto",),
        symbol_kinds=("crypto",),
        options=(
            Option("ytd", ("--ytd",), "Show year-to-date columns (close and day's low).", "render", "flag", False),
            SYMBOLS,
        ),
    ),
    Section(
        name="shock",
        field="shock",
        help='How unusual each move is: z-scores, "largest fall since", worst week, volatility; cross-asset view.',
        build="marketshock.sections.shock:build",
        result="marketshock.models.results.shock:ShockResult",
        render="marketshock.render:shock",
        csv_rows="moves",
        metric_rows={"moves": ("symbol", False), "window_changes": ("symbol", False)},
        groups=("crypto", "indices", "etfs"),
        options=(
            # The same bounds as sections.shock.DEFAULT_WINDOW / MAX_WINDOW (a test keeps them equal);
            # repeated here so `--help` does not import the section.
            Option(
                "window",
                ("--window", "-w"),
                "Shock window: the last N sessions up to as-of, for the side-by-side changes.",
                "build",
                "int",
                default=10,
                min=1,
                max=260,
                metavar="N",
            ),
        ),
    ),
    Section(
        name="compare",
        field="compare",
        help="The current shock window beside named past shocks (or one date): fall, trough, recovery, VIX.",
        build="marketshock.sections.compare:build",
        result="marketshock.models.results.compare:CompareResult",
        render="marketshock.render:compare",
        csv_rows="rows",
        groups=("crypto", "indices", "etfs"),
        options=(
            Option(
                "vs",
                ("--vs",),
                "Compare with this one date (YYYY-MM-DD) instead of the catalogue of named shocks.",
                "build",
                "text",
                metavar="DATE",
            ),
        ),
        in_report=False,
    ),
)
# The sections `report` runs and shows (each a field of ReportResult).
REPORT_SECTIONS: tuple[Section, ...] = tuple(s for s in SECTIONS if s.in_report)
BY_NAME: dict[str, Section] = {s.name: s for s in SECTIONS}
NAMES: tuple[str, ...] = tuple(BY_NAME)


def get(name: str) -> Section:
    """The section called `name`; KeyError for a name that is not one."""
    return BY_NAME[name]
