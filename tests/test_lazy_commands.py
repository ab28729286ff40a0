"""The CLI builds a command's options only for the command that runs (cli.click_group): what
a user sees is what Typer's own, eager group shows, at a fraction of the start-up cost."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from harness import invoke
from marketshock.cli import app

COMMANDS = [info.name or typer.main.get_command_name(info.callback.__name__) for info in app.registered_commands]


def eager(*args: str) -> str:
    return CliRunner().invoke(app, list(args)).output


def test_the_command_list_is_the_eager_groups():
    assert invoke("--help").out == eager("--help")


@pytest.mark.parametrize("name", COMMANDS)
def test_each_commands_help_is_the_eager_groups(name):
    assert invoke(name, "--help").out == eager(name, "--help")


def test_a_mistyped_command_is_told_the_commands_it_may_mean():
    run = invoke("cryptoo")
    assert run.code == 2
    assert "Did you mean 'crypto'?" in run.err


def test_a_run_builds_the_options_of_its_own_command_only(monkeypatch):
    built: list[str] = []
    real = typer.main.get_command_from_info

    def counting(command_info, **kwargs):
        if any(command_info is info for info in app.registered_commands):  # not a stand-in, nor `config`'s three
            built.append(command_info.name)
        return real(command_info=command_info, **kwargs)

    monkeypatch.setattr(typer.main, "get_command_from_info", counting)
    assert invoke("crypto", "--offline", "--json").code == 0
    assert built == ["crypto"]
    assert invoke("--help").code == 0
    assert built == ["crypto"]  # listing the commands built none
