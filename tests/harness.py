"""The one way tests run the CLI, and the one result they read.

- `invoke(*args)` runs `marketshock.cli.main()` in this process, under Typer's CliRunner
  isolation (stdin, stdout and stderr are pipes, never a terminal; `env` applied and undone).
  It is the same path as the installed command, exit codes and one-line errors included, and
  costs milliseconds instead of an interpreter start-up: use it unless the test needs a process.
- `process(*args)` runs `python -m marketshock` (or the installed `marketshock` script with
  `entry="script"`) as a real process: for what only a process has (its own interpreter and
  imports, a terminal, signals, concurrent runs, a closed reader, stdin closed, the console script).
- `Cli` (the session fixture `cli` in conftest) caches either by argument list and environment,
  for runs many tests read and none changes; `prefetch` starts many processes at once.

Every test already runs in an isolated environment (conftest's autouse `isolated_env`: no
MARKETSHOCK_* settings, no colour or width switches, HOME and the XDG directories under the
test's tmp_path), and both ways in start from it.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent

# Variables that would make a run depend on the machine (or the terminal) it runs on.
LEAKY_ENV = ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "COLUMNS", "LINES", "TERM", "TTY_COMPATIBLE")

Env = Mapping[str, str | None] | None  # extra variables; None removes one


@dataclass(frozen=True)
class Run:
    """One finished run: its arguments, exit code, stdout and stderr."""

    args: tuple[str, ...]
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def err_lines(self) -> list[str]:
        """stderr's non-blank lines."""
        return [line for line in self.err.splitlines() if line.strip()]


def isolate(monkeypatch: Any, home: Path, keep: Sequence[str] = ()) -> Path:
    """Point HOME and every platform directory at `home`; drop MARKETSHOCK_* (but `keep`) and terminal switches."""
    for name in list(os.environ):
        if (name.startswith("MARKETSHOCK_") and name not in keep) or name in LEAKY_ENV:
            monkeypatch.delenv(name, raising=False)
    for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache")):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("HOME", str(home))
    return home


def home_dir() -> Path:
    """The test's isolated home (set by conftest's `isolated_env`): config, data and cache dirs live under it."""
    return Path(os.environ["HOME"])


def environ(env: Env = None) -> dict[str, str]:
    """The (isolated) environment of this test with `env` applied, for a child process."""
    result = dict(os.environ)
    result["PYTHONIOENCODING"] = "utf-8"
    for name, value in (env or {}).items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = value
    return result


def invoke(*args: str, env: Env = None, input: str | None = None, cwd: Path | str | None = None) -> Run:
    """Run the CLI in this process, through `main()` (exit codes and error lines included)."""
    from typer.testing import CliRunner

    from marketshock import cli

    runner = CliRunner()
    argv = sys.argv
    code = 0
    with (
        contextlib.chdir(cwd if cwd is not None else os.getcwd()),
        runner.isolation(input=input, env=dict(env or {})) as (out, err, _),
    ):
        sys.argv = ["marketshock", *args]
        try:
            cli.main()
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        finally:
            sys.argv = argv
            sys.stdout.flush()
            sys.stderr.flush()
        return Run(tuple(args), code, out.getvalue().decode(), err.getvalue().decode())  # before they close


def dataset_copy(directory: Path, **files: str) -> Path:
    """A copy of the bundled dataset in `directory` (for `MARKETSHOCK_BUNDLED_DIR` or a loader's
    `directory`), with the text of some files replaced: `dataset_copy(d, **{"a.csv": text})`.
    Tests change the copy, never the package's files."""
    from importlib import resources

    for item in resources.files("marketshock.data").iterdir():
        if item.is_file():
            (directory / item.name).write_bytes(item.read_bytes())
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def command(*args: str, entry: str = "module") -> list[str]:
    """The argv of a real run: `python -m marketshock ...`, or the installed script with entry="script"."""
    if entry == "module":
        return [sys.executable, "-m", "marketshock", *args]
    script = Path(sys.executable).with_name("marketshock.exe" if os.name == "nt" else "marketshock")
    assert script.exists(), f"no console script at {script}: install the project (pip install -e '.[test]')"
    return [str(script), *args]


def process(
    *args: str,
    env: Env = None,
    entry: str = "module",
    argv: Sequence[str] | None = None,
    timeout: float = 120,
    cwd: Path | str | None = None,
    input: str | None = None,
) -> Run:
    """Run the CLI as a real process (stdout and stderr pipes; stdin closed unless `input` is given).

    `argv` replaces the command line altogether (another script, `python -X importtime ...`)."""
    done = subprocess.run(
        list(argv) if argv is not None else command(*args, entry=entry),
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environ(env),
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
        timeout=timeout,
        check=False,
        cwd=cwd if cwd is not None else PROJECT,
    )
    return Run(tuple(args), done.returncode, done.stdout, done.stderr)


class Cli:
    """`cli("crypto", "--offline", "--json")` runs once per session in this process;
    `cli.process(...)` once per session as a real process. Only for runs that read nothing the
    test itself set up: the cache is keyed by the arguments and `env`, not by the test's files."""

    def __init__(self) -> None:
        self.cache: dict[tuple, Run] = {}

    @staticmethod
    def _key(way: str, args: Sequence[str], env: Env) -> tuple:
        return (way, tuple(args), tuple(sorted((env or {}).items())))

    def _run(self, key: tuple) -> Run:
        way, args, env = key
        if way == "invoke":
            return invoke(*args, env=dict(env))
        return process(*args, entry=way, env=dict(env))

    def _get(self, key: tuple) -> Run:
        if key not in self.cache:
            self.cache[key] = self._run(key)
        return self.cache[key]

    def __call__(self, *args: str, env: Env = None) -> Run:
        return self._get(self._key("invoke", args, env))

    def process(self, *args: str, entry: str = "module", env: Env = None) -> Run:
        return self._get(self._key(entry, args, env))

    def prefetch(self, *runs: Sequence[str], entry: str = "module") -> None:
        """Start these real processes at once, so they share the cores instead of queueing."""
        keys = [k for k in dict.fromkeys(self._key(entry, r, None) for r in runs) if k not in self.cache]
        with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
            for key, run in zip(keys, pool.map(self._run, keys), strict=True):
                self.cache[key] = run


# --- checks on what a run printed ----------------------------------------------------------------


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


def on_a_terminal(
    *args: str, env: dict[str, str] | None = None, rows: int = 24, cols: int = 80, stdin_closed: bool = False
) -> str:
    """What `marketshock ARGS` writes to a rows x cols terminal, escape codes included."""
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    try:
        proc = subprocess.Popen(
            command(*args),
            stdin=subprocess.DEVNULL if stdin_closed else follower,
            stdout=follower,
            stderr=subprocess.PIPE,
            env=environ({"TERM": "xterm-256color", **(env or {})}),
            start_new_session=True,
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal's other end closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.wait(timeout=60) == 0, proc.stderr.read()
        proc.stderr.close()
    finally:
        os.close(leader)
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")
