"""Output hygiene: stdout is data (one JSON document, or tables without escape codes when it
is not a terminal or colour is off), and text that comes from data is printed inert: never
read as Rich markup, never passed to the terminal as a control sequence."""

from __future__ import annotations

import io
import json
import os
import re

import pytest
from rich.console import Console

from harness import on_a_terminal
from marketshock import present, render, runner
from marketshock.models.results.report import ReportResult

COMMANDS = [("indices",), ("earnings-capex",), ("labor",), ("crypto",), ("crypto", "--ytd"), ("report",)]
IDS = [" ".join(c) for c in COMMANDS]
ESC = "\x1b"
EVIL = "[bold red]x[/] \x1b[31mred\x1b[0m \x1b]8;;http://evil.example\x07link\x1b]8;;\x07 [link=http://evil.example]y[/link]"


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


# --- stdout of --json is one JSON document -----------------------------------------------


@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
def test_json_stdout_is_exactly_one_json_document(cli, command):
    stdout = cli(*command, "--offline", "--json").out
    document, end = json.JSONDecoder().raw_decode(stdout)
    assert stdout[end:] == "\n"
    assert isinstance(document, dict)


@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
def test_json_numbers_are_numbers_not_formatted_strings(cli, command):
    stdout = cli(*command, "--offline", "--json").out
    # No "$60,074" or "-16.1%" anywhere a number belongs: *_pct and *_usd fields are numbers or null.
    for key, value in re.findall(r'"(\w+_(?:pct|usd))": ("?)', stdout):
        assert value == "", key


# --- no escape codes where there is no terminal or colour is off ----------------------------


@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
def test_tables_on_a_pipe_have_no_escape_codes(cli, command):
    run = cli(*command, "--offline")
    assert run.code == 0
    assert ESC not in run.out
    assert "│" not in run.out and "━" not in run.out  # no box drawing either


def _render_labor_to(file: io.StringIO, no_color: bool) -> str:
    request = runner.Request(command="labor", offline=True, no_color=no_color)
    outcome = runner.execute(request)
    console = present.console(request.no_color, file)
    console.print(render.labor(outcome.result, console))
    return file.getvalue()


def test_a_terminal_gets_colour(monkeypatch):
    monkeypatch.setenv("TERM", "xterm-256color")
    assert ESC in _render_labor_to(FakeTerminal(), no_color=False)  # so the two tests below can fail


def test_no_color_option_on_a_terminal_prints_no_escape_codes(monkeypatch):
    monkeypatch.setenv("TERM", "xterm-256color")
    out = _render_labor_to(FakeTerminal(), no_color=True)
    assert "108,435" in out
    assert ESC not in out


def test_no_color_variable_on_a_terminal_prints_no_escape_codes(monkeypatch):
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("NO_COLOR", "1")
    out = _render_labor_to(FakeTerminal(), no_color=False)
    assert "108,435" in out
    assert ESC not in out


@pytest.mark.skipif(os.name != "posix", reason="needs a pseudo-terminal")
@pytest.mark.parametrize(
    ("args", "env", "coloured"),
    [
        ((), {}, True),
        (("--no-color",), {}, False),
        ((), {"NO_COLOR": "1"}, False),
    ],
    ids=["terminal", "--no-color", "NO_COLOR=1"],
)
def test_a_real_terminal_gets_colour_unless_it_is_switched_off(args, env, coloured):
    out = on_a_terminal("labor", "--offline", *args, env={"COLUMNS": "200", **env}, cols=200, stdin_closed=True)
    assert "108,435" in out
    assert (ESC in out) is coloured


def test_a_pipe_gets_a_wide_console_and_columns_wins(monkeypatch):
    assert present.console(False, io.StringIO()).width == 160
    monkeypatch.setenv("COLUMNS", "90")
    assert present.console(False, io.StringIO()).width == 90


# --- data text is inert -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def evil_report() -> ReportResult:
    """The real report with hostile text in every kind of field the tables print."""
    report = runner.execute(runner.Request(command="report", offline=True)).result
    data = report.model_dump()
    data["headlines"][0]["text"] = f"headline {EVIL}"
    data["crypto"]["assets"][0]["symbol"] = f"BTC{EVIL}"
    data["crypto"]["assets"][0]["source"]["note"] = f"note {EVIL}"
    data["indices"]["indices"][0]["name"] = f"KOSPI {EVIL}"
    data["indices"]["indices"][0]["notes"].append(f"note {EVIL}")
    data["earnings_capex"]["companies"][0]["name"] = f"Amazon {EVIL}"
    data["earnings_capex"]["companies"][0]["gaps"].append(f"gap {EVIL}")
    data["labor"]["job_cuts"]["source"]["reference"] = f"https://example.com/{EVIL}"
    data["labor"]["claims"]["vintage"] = f"vintage {EVIL}"
    return ReportResult.model_validate(data)


def print_to_string(renderable, terminal: bool) -> str:
    file = io.StringIO()
    console = Console(
        file=file, force_terminal=terminal, color_system="standard" if terminal else None, width=600, emoji=False
    )
    console.print(renderable)
    return file.getvalue()


@pytest.mark.parametrize("terminal", [False, True], ids=["pipe", "terminal"])
@pytest.mark.parametrize("part", ["report", "crypto", "indices", "capex", "labor"])
def test_markup_and_escapes_in_data_are_printed_as_plain_text(evil_report, part, terminal):
    if part == "report":
        renderable = render.report(evil_report, Console(force_terminal=terminal))
    else:
        section = evil_report.earnings_capex if part == "capex" else getattr(evil_report, part)
        renderable = getattr(render, part)(section, Console(force_terminal=terminal))
    out = print_to_string(renderable, terminal)
    assert "[bold red]x[/]" in out  # the markup shows as typed, not as a style
    assert "[link=http://evil.example]y[/link]" in out
    # The text survives, every escape sequence goes whole (no "[31m" or "8;;" left behind).
    assert "[bold red]x[/] red link [link=http://evil.example]y[/link]" in out
    assert "\x1b]8;;http://evil.example" not in out  # no hyperlink smuggled in
    assert "\x07" not in out
    if not terminal:
        assert ESC not in out


def test_the_one_line_error_never_carries_an_escape_from_the_command_line(cli):
    run = cli("crypto", "--offline", "-s", "\x1b[31mXRP")
    assert run.code == 2
    assert ESC not in run.err
