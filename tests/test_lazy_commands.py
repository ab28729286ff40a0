"""The CLI imports and builds only the command that runs (cli.click_group, cli.menu()): what a
user sees is what Typer's own, eager group of every command shows, at a fraction of the
start-up cost."""

from __future__ import annotations

import inspect
import json
import sys

import pytest
import typer
from typer.testing import CliRunner

from harness import invoke, process
from marketshock import cli
from marketshock.cli import app

MENU = [name for name, _, _ in cli.menu()]


def eager(*args: str) -> str:
    return CliRunner().invoke(app, list(args)).output


def registered() -> dict[str, tuple[str, str]]:
    """Every command the modules register: name -> (module of its callback, first paragraph of its help)."""
    out = {}
    for info in app.registered_commands:
        name = info.name or typer.main.get_command_name(info.callback.__name__)
        text = info.help if info.help is not None else inspect.getdoc(info.callback)
        out[name] = (info.callback.__module__, inspect.cleandoc(text or "").split("\n\n")[0])
    for group in app.registered_groups:
        out[group.typer_instance.info.name] = ("marketshock.commands.config_cmd", group.typer_instance.info.help)
    return out


def test_the_menu_names_every_command_its_module_and_its_help_in_the_order_typer_lists_them():
    assert {name: (module, summary) for name, module, summary in cli.menu()} == registered()
    listed = typer.main.get_command(app).list_commands(None)  # type: ignore[arg-type]
    assert listed == MENU


@pytest.mark.parametrize("width", ["60", "80", "200"])
def test_the_command_list_is_the_eager_groups_at_any_width(width, monkeypatch):
    monkeypatch.setenv("COLUMNS", width)
    assert invoke("--help").out == eager("--help")


@pytest.mark.parametrize("name", MENU)
def test_each_commands_help_is_the_eager_groups(name):
    assert invoke(name, "--help").out == eager(name, "--help")


def test_a_subcommand_of_the_config_group_runs_as_before():
    assert invoke("config", "show", "--help").out == eager("config", "show", "--help")


def test_a_mistyped_command_is_told_the_commands_it_may_mean():
    run = invoke("cryptoo")
    assert run.code == 2
    assert "Did you mean 'crypto'?" in run.err


def test_a_run_builds_the_options_of_its_own_command_only(monkeypatch):
    built: list[str] = []
    real = typer.main.get_command_from_info

    def counting(command_info, **kwargs):
        if command_info.callback is not cli._listed_only:
            built.append(command_info.name or typer.main.get_command_name(command_info.callback.__name__))
        return real(command_info=command_info, **kwargs)

    monkeypatch.setattr(typer.main, "get_command_from_info", counting)
    assert invoke("crypto", "--offline", "--json").code == 0
    assert invoke("--help").code == 0
    assert built == ["crypto"]  # listing the commands built none


@pytest.mark.parametrize(
    ("args", "modules"),
    [
        (("--help",), []),
        (("schema", "--help"), ["marketshock.commands.schema"]),
        (("history", "--help"), ["marketshock.commands.snapshot"]),
    ],
)
def test_a_run_imports_the_module_of_its_own_command_only(args, modules):
    code = (
        "import json, sys\nfrom marketshock import cli\n"
        f"sys.argv = ['marketshock', *{list(args)!r}]\n"
        "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write(json.dumps(sorted(m for m in sys.modules if m.startswith('marketshock.commands.'))))"
    )
    run = process(argv=[sys.executable, "-c", code])  # a fresh interpreter: its own sys.modules
    assert json.loads(run.err) == modules
