"""Helpers for the snapshot/history/diff/schema/config/sources tests.

`isolated_env` (autouse where imported) points every platform directory and config
variable at the test's tmp_path, so no test reads or writes the real user's files.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith("MARKETSHOCK_"):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache")):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("NO_COLOR", raising=False)
    return home


def home_dir() -> Path:
    """The test's isolated home (set by `isolated_env`): config, data and cache dirs live under it."""
    return Path(os.environ["HOME"])


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> dict:
        return json.loads(self.out)


def invoke(*args: str) -> Result:
    """Run the CLI in this process, through `main()` (exit codes and error lines included)."""
    from marketshock import cli

    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["marketshock", *args]
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                cli.main()
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    finally:
        sys.argv = argv
    return Result(code, out.getvalue(), err.getvalue())


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "marketshock", *args]


def run(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> Result:
    """Run the CLI in a subprocess (stdout a pipe, so never a terminal)."""
    done = subprocess.run(
        command(*args), capture_output=True, text=True, env=env, timeout=timeout, check=False, cwd=REPO
    )
    return Result(done.returncode, done.stdout, done.stderr)


def schema_validator():
    import jsonschema

    from marketshock.models.contract import json_schema

    schema = json_schema()
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def assert_valid_envelope(doc: dict) -> None:
    """Validate against the whole schema; on failure, name the first error of the command's own shape."""
    validator = schema_validator()
    if validator.is_valid(doc):
        return
    import jsonschema

    from marketshock.models.contract import ENVELOPES

    name = ENVELOPES[doc["command"]].__name__ if doc.get("command") in ENVELOPES else None
    if name:
        own = {**validator.schema, "$ref": f"#/$defs/{name}"}
        own.pop("oneOf", None)
        own.pop("discriminator", None)
        error = next(jsonschema.Draft202012Validator(own).iter_errors(doc), None)
        if error is not None:
            raise AssertionError(f"{'.'.join(map(str, error.absolute_path))}: {error.message}")
    raise AssertionError(f"envelope of command {doc.get('command')!r} does not match the schema")
