"""Fuzzing the whole command line: every command and every option, with values a user (or a
script with a bug) might pass. Whatever comes in, a run ends in a documented exit code,
never a traceback, and a usage error is one line on stderr.

Runs go through `cli.main()` in this process (a subprocess per example would take minutes).
Live runs cannot reach the internet: every provider's base URL is a closed local port.
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

import pytest
import typer.main
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketshock.cli import app, main
from marketshock.config import ENVIRONMENT
from marketshock.errors import ExitCode

DOCUMENTED = {int(code) for code in ExitCode}  # the README's table: 0 1 2 3 4
LONG = "a" * 5000


def _commands(group, path=()):  # type: ignore[no-untyped-def]
    """(command path, its options, its arguments) for every command, `config` subcommands too."""
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from _commands(command, (*path, name))
        else:
            options = [p for p in command.params if p.param_type_name == "option"]
            arguments = [p for p in command.params if p.param_type_name == "argument"]
            yield (*path, name), options, arguments


ROOT = typer.main.get_command(app)
COMMANDS = list(_commands(ROOT))
GLOBAL_OPTIONS = [p for p in ROOT.params if p.param_type_name == "option" and p.name != "version"]

# Values that have broken CLIs before: dates good and bad, symbols, numbers at the edges, paths
# that are too long, directories, terminal escapes and Rich markup, and plain random text.
text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
INTERESTING = (
    "2026-02-06", "2024-01-01", "2026-13-01", "1899-12-31", "2999-01-01", "20260206",
    "BTC", "BTC,ETH", "XRP", "KOSPI", "SPY", "AMZN", "claims", "job-cuts", "crypto.BTC.price",
    "0", "1", "-1", "12", "13", "99999999", "1e309", "nan", "",
    "out.svg", "out.html", "out.txt", "out.png", "/", ".", LONG, f"{LONG}.svg",
    "\x1b]0;pwned\x07\x1b[31mBTC", "[bold red]x[/]",
)  # fmt: skip
values = st.one_of(st.sampled_from(INTERESTING), text)
# Options and arguments that name a file or directory get paths more often: too long, a directory,
# a file where a directory goes, a file that is not there.
# "existing.py" is a file the sandbox makes: a path that exists, without pointing a command that
# writes (config init --force --config PATH) at a file of the repository.
PATHS = ("/", ".", LONG, f"{LONG}.svg", f"{LONG}/x.json", "existing.py", "missing.json", "out.svg")
PATH_PARAMS = {"config", "dir", "out", "export", "old", "new"}
paths = st.one_of(st.sampled_from(PATHS), values)


def value_for(param) -> st.SearchStrategy[str]:  # type: ignore[no-untyped-def]
    return paths if param.name in PATH_PARAMS else values


@st.composite
def command_lines(draw: st.DrawFn, command: tuple) -> list[str]:  # type: ignore[type-arg]
    path, options, arguments = command
    argv: list[str] = []
    for option in draw(st.lists(st.sampled_from(GLOBAL_OPTIONS), max_size=3)):
        argv += [option.opts[0]] if option.is_flag else [option.opts[0], draw(value_for(option))]
    argv += list(path)
    chosen = draw(st.lists(st.sampled_from(options), max_size=4)) if options else []
    for option in chosen:
        argv += [option.opts[0]] if option.is_flag else [option.opts[0], draw(value_for(option))]
    argv += [draw(value_for(a)) for a in arguments[: draw(st.integers(0, len(arguments)))]]
    if draw(st.booleans()):  # mostly offline: live runs only meet closed ports, but cost more
        argv.append("--offline")
    return argv


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    saved = sys.argv
    sys.argv = ["marketshock", *argv]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main()
            except SystemExit as done:
                code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
            else:
                code = 0
    finally:
        sys.argv = saved
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Files land in tmp_path; every provider is a closed port, asked once, briefly."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "existing.py").write_text('"""a file that exists"""\n')
    for var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    for key, name in ENVIRONMENT.items():
        if key.endswith("base_url"):
            monkeypatch.setenv(name, "http://127.0.0.1:9")  # the discard port: nothing listens
    monkeypatch.setenv("MARKETSHOCK_HTTP_RETRIES", "0")
    monkeypatch.setenv("MARKETSHOCK_HTTP_TIMEOUT", "0.5")
    monkeypatch.setenv("MARKETSHOCK_CACHE_ENABLED", "false")
    return tmp_path


@pytest.mark.slow
@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c[0]) for c in COMMANDS])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_command_line_ends_in_a_documented_exit_code_without_a_traceback(sandbox, command, data):
    argv = data.draw(command_lines(command), label="argv")
    code, _, err = run(argv)  # an unexpected exception fails the test here, with its traceback
    assert code in DOCUMENTED, (argv, code, err)
    assert "Traceback" not in err
    if code == ExitCode.USAGE:
        assert err.count("\n") == 1 and err.startswith("marketshock: error: "), (argv, err)
    assert "\x1b" not in err, (argv, err)
