"""`marketshock schema`: the JSON Schema of the envelope, pinned, and true of real output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness import PROJECT, assert_valid_envelope, invoke, process, schema_validator
from marketshock.errors import NoDataError
from marketshock.models.contract import DATA_MODELS, json_schema
from marketshock.models.envelope import SCHEMA_VERSION
from marketshock.sections import registry

PINNED = PROJECT / "schema" / "envelope.schema.json"
REGENERATE = "python -m marketshock schema > schema/envelope.schema.json"


def _surface(schema: dict) -> dict[str, dict[str, str]]:
    """Each definition's properties and their JSON types: what a reader of the output relies on."""
    return {
        name: {prop: json.dumps(spec, sort_keys=True) for prop, spec in d.get("properties", {}).items()}
        for name, d in schema["$defs"].items()
    }


def _breaking(old: dict, new: dict) -> list[str]:
    """Properties removed or changed: such a change needs a new schema_version."""
    was, now = _surface(old), _surface(new)
    problems = []
    for name, props in was.items():
        for prop, spec in props.items():
            if prop not in now.get(name, {}):
                problems.append(f"{name}.{prop} removed")
            elif now[name][prop] != spec:
                problems.append(f"{name}.{prop} changed")
    return problems


def test_schema_command_prints_the_pinned_schema():
    result = invoke("schema")
    assert result.code == 0
    printed = json.loads(result.out)
    pinned = json.loads(PINNED.read_text())
    if printed != pinned:
        breaking = _breaking(pinned, printed)
        advice = (
            f"it breaks readers ({'; '.join(breaking[:5])}): bump SCHEMA_VERSION in models/envelope.py, then"
            if breaking
            else "it only adds: keep schema_version and"
        )
        pytest.fail(f"the envelope schema changed; if that is deliberate, {advice} run `{REGENERATE}`")


def test_pinned_schema_is_of_the_current_schema_version():
    pinned = json.loads(PINNED.read_text())
    envelopes = [d for d in pinned["$defs"].values() if "command" in d.get("properties", {})]
    versions = {d["properties"]["schema_version"]["const"] for d in envelopes}
    assert versions == {SCHEMA_VERSION}
    assert pinned["$id"].endswith(f":{SCHEMA_VERSION}")


def test_schema_is_a_valid_draft_2020_12_schema():
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(json_schema())


def test_every_command_that_prints_json_has_its_data_described():
    import typer.main

    from marketshock.cli import app

    def walk(group, prefix=""):
        for name, cmd in group.commands.items():
            if hasattr(cmd, "commands"):
                yield from walk(cmd, f"{prefix}{name} ")
            elif any("--json" in p.opts for p in cmd.params):
                yield f"{prefix}{name}"

    assert set(walk(typer.main.get_command(app))) <= set(DATA_MODELS)


def test_the_schema_describes_data_not_just_the_wrapper():
    doc = invoke("crypto", "--offline", "--json").json()
    doc["data"]["assets"][0]["price"] = "$70,555"  # a formatted string where a number belongs
    assert not schema_validator().is_valid(doc)
    doc = invoke("crypto", "--offline", "--json").json()
    doc["data"]["assets"][0]["surprise"] = 1  # a field the models do not have
    assert not schema_validator().is_valid(doc)


# --- real output validates ---------------------------------------------------------------

DATA_COMMANDS = [
    ("crypto", "--offline"),
    ("crypto", "--offline", "--ytd", "--symbols", "BTC"),
    ("indices", "--offline"),
    ("earnings-capex", "--offline"),
    ("labor", "--offline"),
    ("shock", "--offline"),
    ("shock", "--offline", "--window", "30"),
    ("report", "--offline"),
    ("report", "--offline", "--as-of", "2024-01-01"),  # the first day: gaps everywhere
    ("report", "--offline", "--as-of", "2026-03-26"),  # the last day
    ("chart", "BTC", "--offline"),
    ("chart", "KOSPI", "--offline"),
    ("chart", "claims", "--offline"),
    ("chart", "job-cuts", "--offline"),
]


@pytest.mark.parametrize("args", DATA_COMMANDS, ids=" ".join)
def test_data_command_json_validates_against_the_schema(args: tuple[str, ...]):
    result = invoke(*args, "--json")
    assert result.code in (0, 3), result.err
    assert_valid_envelope(result.json())


def test_json_of_a_partly_failed_report_validates(monkeypatch):
    async def broken(ctx, **options):
        raise NoDataError("bundled", "capex", "missing")

    capex = registry.get("earnings-capex")._replace(build=broken)
    monkeypatch.setitem(registry.BY_NAME, "earnings-capex", capex)
    result = invoke("report", "--offline", "--json")
    doc = result.json()
    assert (result.code, doc["data"]["earnings-capex"], doc["errors"][0]["section"]) == (3, None, "earnings-capex")
    assert_valid_envelope(doc)


def test_json_of_a_command_that_produced_nothing_validates(monkeypatch):
    async def broken(ctx, **options):
        raise NoDataError("bundled", "labor", "missing")

    monkeypatch.setitem(registry.BY_NAME, "labor", registry.get("labor")._replace(build=broken))
    result = invoke("labor", "--offline", "--json")
    assert (result.code, result.json()["data"]) == (1, None)
    assert_valid_envelope(result.json())


def test_history_and_diff_json_validate(tmp_path: Path):
    for day in ("2026-02-05", "2026-02-06"):
        assert invoke("snapshot", "--offline", "--as-of", day, "--out", str(tmp_path)).code == 0
    assert_valid_envelope(invoke("history", "crypto.ETH.price", "--dir", str(tmp_path), "--json").json())
    assert_valid_envelope(invoke("diff", "2026-02-05", "2026-02-06", "--dir", str(tmp_path), "--json").json())


def test_json_from_a_real_process_validates():
    result = process("report", "--offline", "--json")
    assert result.code == 0
    assert_valid_envelope(json.loads(result.out))
