"""Every data command hands all of its options to the run request, whether they are given
before the command (global) or after it."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from marketshock import runner
from marketshock.cli import app

DATA_COMMANDS = ["crypto", "indices", "earnings-capex", "labor", "report", "shock"]


@pytest.fixture
def captured(monkeypatch):
    requests: list[runner.Request] = []

    def fake_run(request: runner.Request) -> int:
        requests.append(request)
        return 0

    monkeypatch.setattr(runner, "run", fake_run)
    return requests


@pytest.mark.parametrize("command", DATA_COMMANDS)
def test_options_after_the_command_reach_the_request(command, captured):
    args = [command, "--offline", "--as-of", "2026-01-30", "--refresh", "--no-color", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    (request,) = captured
    assert (request.command, request.offline, request.as_of, request.refresh, request.no_color, request.json) == (
        command,
        True,
        "2026-01-30",
        True,
        True,
        True,
    )


@pytest.mark.parametrize("command", DATA_COMMANDS)
def test_global_options_before_the_command_reach_the_request(command, captured):
    result = CliRunner().invoke(app, ["--offline", "--as-of", "2026-01-30", "--refresh", "--no-color", command])
    assert result.exit_code == 0, result.output
    (request,) = captured
    assert (request.offline, request.as_of, request.refresh, request.no_color, request.json) == (
        True,
        "2026-01-30",
        True,
        True,
        False,
    )


@pytest.mark.parametrize("command", ["crypto", "indices", "earnings-capex", "labor"])
def test_csv_reaches_the_request(command, captured):
    assert CliRunner().invoke(app, [command, "--offline", "--csv"]).exit_code == 0
    assert captured[0].csv is True
