"""The command modules (snapshot, history, diff, schema, config, sources) keep start-up light."""

from __future__ import annotations

import json
import sys

from harness import process

HEAVY = ("pydantic", "rich", "filelock", "platformdirs", "tomli_w", "pandas", "httpx", "jsonschema", "asyncio")


def test_importing_the_cli_with_every_command_module_loads_nothing_heavy():
    code = (
        "import json, sys, marketshock.cli\nmarketshock.cli.load_commands()\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('marketshock.commands.'))))"
    )
    run = process(argv=[sys.executable, "-c", code])  # a fresh interpreter: its own sys.modules
    assert run.code == 0, run.err
    out = run.out.splitlines()
    assert out[0] == "[]"
    loaded = set(json.loads(out[1]))
    assert {f"marketshock.commands.{m}" for m in ("config_cmd", "schema", "snapshot", "sources")} <= loaded
