"""Shared fixtures: an isolated environment for every test, cached CLI runs, hypothesis settings.

How a test runs the CLI (in this process or as a real one) and what it reads back is
tests/harness.py; this file only wires it into pytest.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from harness import Cli, isolate

LIVE_CREDENTIALS = ("MARKETSHOCK_SEC_USER_AGENT", "MARKETSHOCK_FRED_API_KEY")

# CI has two cores and no patience for flaky deadlines: no per-example deadline, a modest
# number of examples. `HYPOTHESIS_PROFILE=thorough pytest tests/test_analytics.py` digs deeper.
settings.register_profile(
    "ci", deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.register_profile("thorough", deadline=None, max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite the golden files under tests/golden/ from the current output (review the diff!).",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files with `slow` tests first, each file's tests still together and in order: with
    `--dist loadfile` the long files start at once and the short ones fill the gaps at the end,
    instead of one long file running alone while the other workers wait."""
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow_files)  # a stable sort: only moves whole files


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(autouse=True)
def isolated_env(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """No test reads or writes the real user's files or depends on the terminal it runs in:
    HOME and the XDG directories live in a directory of the test's own (beside its tmp_path, so
    a test that lists its tmp_path sees only its own files), MARKETSHOCK_* settings and colour
    or width switches are gone, for in-process runs and child processes alike. The opt-in
    `live` tests keep the two credentials the README tells the developer to set."""
    keep = LIVE_CREDENTIALS if request.node.get_closest_marker("live") else ()
    return isolate(monkeypatch, tmp_path_factory.mktemp("home"), keep=keep)


@pytest.fixture(scope="session")
def cli() -> Cli:
    """Runs cached for the session (see harness.Cli): `cli(...)` in process, `cli.process(...)` as a process."""
    return Cli()
