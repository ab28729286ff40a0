"""The command modules (snapshot, history, diff, schema, config, sources) keep start-up light."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("pydantic", "rich", "filelock", "platformdirs", "tomli_w", "pandas", "httpx", "jsonschema", "asyncio")


def test_importing_the_cli_with_every_command_module_loads_nothing_heavy():
    code = (
        "import sys, marketshock.cli\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))\n"
        "print(sorted(m for m in sys.modules if m.startswith('marketshock.commands.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[0] == "[]"
    assert out[1] == str(
        [
            "marketshock.commands.config_cmd",
            "marketshock.commands.schema",
            "marketshock.commands.snapshot",
            "marketshock.commands.sources",
        ]
    )
