"""The `--json` contract as types: one envelope model a command, and its JSON Schema.

`Envelope` (models/envelope.py) is what the code builds; here each command gets a
subclass whose `command` is a literal and whose `data` is that command's result
model, so `marketshock schema` describes the data too, not just the wrapper. The
union is discriminated by `command`. A command that prints an envelope registers
its result model in `DATA_MODELS` (a test fails for a command whose output the
schema does not describe).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Field, TypeAdapter, create_model

from marketshock.instruments import Universe, default_universe
from marketshock.models.alerts import AlertsResult
from marketshock.models.charts import ChartResult
from marketshock.models.envelope import SCHEMA_VERSION, Envelope
from marketshock.models.results.report import ReportResult
from marketshock.models.snapshots import DiffResult, HistoryResult
from marketshock.models.sources import SourcesResult
from marketshock.sections import registry

# command name -> the model of its envelope's `data`: every section's, then the other commands'
DATA_MODELS: dict[str, type[BaseModel]] = {
    **{s.name: s.result_model() for s in registry.SECTIONS},
    "report": ReportResult,
    "chart": ChartResult,
    "history": HistoryResult,
    "diff": DiffResult,
    "alerts": AlertsResult,
    "sources": SourcesResult,
}

SCHEMA_ID = f"urn:marketshock:schema:envelope:{SCHEMA_VERSION}"


def _envelope_model(command: str, data: type[BaseModel]) -> type[Envelope]:
    name = "".join(part.title() for part in command.split("-")) + "Envelope"
    # Types made at run time (a Literal of a variable, a union with a class argument) are
    # values to a type checker, not type expressions: the field definitions are plain data.
    fields: dict[str, Any] = {
        "schema_version": (Literal[SCHEMA_VERSION], SCHEMA_VERSION),
        "command": (Literal[command], ...),
        "data": (data | None, None),
    }
    return create_model(
        name,
        __base__=Envelope,
        __doc__=f"The envelope `marketshock {command} --json` prints.",
        **fields,
    )


ENVELOPES: dict[str, type[Envelope]] = {command: _envelope_model(command, m) for command, m in DATA_MODELS.items()}
# Built at run time from ENVELOPES, so a value (Any) to a type checker rather than a type alias.
AnyEnvelope: Any = Annotated[Union[tuple(ENVELOPES.values())], Field(discriminator="command")]  # noqa: UP007


def _every_field_required(node: Any) -> None:
    """Output always carries every field (a gap is null, never a missing key): say so."""
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            node["required"] = list(node["properties"])
        for value in node.values():
            _every_field_required(value)
    elif isinstance(node, list):
        for value in node:
            _every_field_required(value)


# Where a row's symbol appears in the schema, and the watchlist groups whose symbols are its examples.
_SYMBOL_EXAMPLES: dict[tuple[str, str], tuple[str, ...]] = {
    ("CryptoAsset", "symbol"): ("crypto",),
    ("IndexRow", "symbol"): ("indices", "etfs"),
    ("CapexCompany", "ticker"): ("companies",),
    ("MoveStats", "symbol"): ("crypto", "indices", "etfs"),
    ("WindowChange", "symbol"): ("crypto", "indices", "etfs"),
}


def _symbol_examples(schema: dict[str, Any], universe: Universe) -> None:
    """Each row's symbol gets the universe's symbols as `examples`: the schema says what a run
    of this configuration prints (`crypto.SOL.price` once SOL is in the watchlist)."""
    for (model, field), groups in _SYMBOL_EXAMPLES.items():
        prop = schema["$defs"].get(model, {}).get("properties", {}).get(field)
        symbols = universe.symbols(*groups)
        if prop is not None and symbols:
            prop["examples"] = list(symbols)


def json_schema(universe: Universe | None = None) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of every envelope marketshock prints, with the symbols of
    `universe` (default: the instrument table's default watchlist) as examples."""
    schema = TypeAdapter(AnyEnvelope).json_schema(mode="serialization", by_alias=True)
    _every_field_required(schema)
    _symbol_examples(schema, universe or default_universe(bundled_only=False))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": f"marketshock --json envelope, schema_version {SCHEMA_VERSION}",
        "description": (
            "One object on stdout per command. `command` selects the shape of `data`; `data` is null when "
            "nothing could be produced, and `errors` lists the sections that failed. Percentages are *_pct "
            "in percent, money is *_usd in US dollars, dates are ISO 8601."
        ),
        **schema,
    }
