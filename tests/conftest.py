"""Shared fixtures: an isolated environment for every run, cached CLI runs, hypothesis settings.

Whole-process runs of `marketshock` cost a few hundred milliseconds each on a small
machine, so `cli` caches them by argument list for the session: a test module asks for
the same run as often as it likes and pays for it once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

# CI has two cores and no patience for flaky deadlines: no per-example deadline, a modest
# number of examples. `HYPOTHESIS_PROFILE=thorough pytest tests/test_analytics.py` digs deeper.
settings.register_profile(
    "ci", deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.register_profile("thorough", deadline=None, max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

PROJECT = Path(__file__).resolve().parent.parent

# Variables that would make a run depend on the machine it runs on.
_LEAKY_ENV = ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "COLUMNS", "LINES", "TERM", "TTY_COMPATIBLE")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite the golden files under tests/golden/ from the current output (review the diff!).",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def clean_environ(config_home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """os.environ without MARKETSHOCK_* settings, colour switches or a terminal width, and with a
    config directory of our own, so a developer's config file never changes a test's outcome."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKETSHOCK_") and k not in _LEAKY_ENV}
    env["XDG_CONFIG_HOME"] = str(config_home)
    env["XDG_CACHE_HOME"] = str(config_home / "cache")
    env["XDG_DATA_HOME"] = str(config_home / "data")
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra or {})
    return env


@pytest.fixture(scope="session")
def config_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("config-home")


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, config_home: Path) -> None:
    """In-process runs (CliRunner, runner.execute) see the same clean environment as subprocesses."""
    for name in list(os.environ):
        if name.startswith("MARKETSHOCK_") or name in _LEAKY_ENV:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))


@dataclass(frozen=True)
class Run:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> dict:
        return json.loads(self.stdout)


def console_script() -> Path:
    """The `marketshock` script pip installed next to this interpreter."""
    script = Path(sys.executable).with_name("marketshock.exe" if os.name == "nt" else "marketshock")
    assert script.exists(), f"no console script at {script}: install the project (pip install -e '.[test]')"
    return script


def run_process(
    argv: Sequence[str], config_home: Path, extra_env: dict[str, str] | None = None, timeout: float = 60
) -> Run:
    done = subprocess.run(
        list(argv),
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=clean_environ(config_home, extra_env),
        stdin=subprocess.DEVNULL,
        timeout=timeout,
        check=False,
    )
    return Run(tuple(argv), done.returncode, done.stdout, done.stderr)


class Cli:
    """`cli("crypto", "--offline", "--json")` runs `python -m marketshock ...` once per session.

    Pass `entry="script"` to run the installed console script instead of `python -m`, and
    `env={...}` for extra environment variables. `prefetch` starts many runs at once, so a
    module's processes share the machine's cores instead of queueing one after another.
    """

    def __init__(self, config_home: Path) -> None:
        self.config_home = config_home
        self.cache: dict[tuple, Run] = {}

    @staticmethod
    def _key(args: Sequence[str], entry: str, env: dict[str, str] | None) -> tuple:
        return (entry, tuple(args), tuple(sorted((env or {}).items())))

    def _run(self, key: tuple) -> Run:
        entry, args, env = key
        prefix = [sys.executable, "-m", "marketshock"] if entry == "module" else [str(console_script())]
        return run_process([*prefix, *args], self.config_home, dict(env))

    def __call__(self, *args: str, entry: str = "module", env: dict[str, str] | None = None) -> Run:
        key = self._key(args, entry, env)
        if key not in self.cache:
            self.cache[key] = self._run(key)
        return self.cache[key]

    def prefetch(self, *runs: Sequence[str], entry: str = "module") -> None:
        keys = [k for k in dict.fromkeys(self._key(r, entry, None) for r in runs) if k not in self.cache]
        with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
            for key, run in zip(keys, pool.map(self._run, keys), strict=True):
                self.cache[key] = run


@pytest.fixture(scope="session")
def cli(config_home: Path) -> Cli:
    return Cli(config_home)


@pytest.fixture(scope="session")
def invoke() -> Callable[..., Run]:
    """Typer's CliRunner on the app, in this process, cached per argument list.

    CliRunner calls the Click command directly, not `cli.main()`, so errors surface as
    exceptions here; error paths are tested through real processes in test_bad_input.py.
    """
    from marketshock.cli import app

    runner = CliRunner()
    cache: dict[tuple[str, ...], Run] = {}

    def run(*args: str) -> Run:
        if args not in cache:
            result = runner.invoke(app, list(args), catch_exceptions=False)
            cache[args] = Run(args, result.exit_code, result.stdout, result.stderr)
        return cache[args]

    return run
