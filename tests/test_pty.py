"""The report as a person sees it: a pseudo-terminal of 80x24, colour on, no COLUMNS set, so the
width comes from the terminal itself (issue 13). Beside the in-process width tests, this checks
what only a real terminal decides: the size the console reads, colour, and the pager."""

from __future__ import annotations

import os
import re

import pytest

from harness import on_a_terminal
from test_widths import figures, whole

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs a pseudo-terminal")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture(scope="module")
def screen() -> str:
    return on_a_terminal("report", "--offline", "--no-pager")


@pytest.fixture(scope="module")
def report_json(cli) -> dict:
    return cli("report", "--offline", "--json").json()


def test_a_terminal_gets_colour(screen):
    assert "\x1b[" in screen


def test_no_line_is_wider_than_the_terminal(screen):
    assert max(len(line) for line in ANSI.sub("", screen).splitlines()) <= 80


def test_the_first_screen_holds_the_header_and_every_headline(screen, report_json):
    first = ANSI.sub("", screen).splitlines()[:24]
    assert first[0] == "marketshock report: as of 2026-02-06, bundled dataset (--offline)"
    bullets = [line for line in first if line.startswith("• ")]
    assert len(bullets) == len(report_json["data"]["headlines"]) > 0


def test_every_figure_of_the_json_is_whole_on_the_terminal(screen, report_json):
    text = ANSI.sub("", screen)
    missing = sorted({k for k, shown in figures(report_json["data"]) if not any(whole(s, text) for s in shown)})
    assert missing == []


def test_the_report_is_under_150_lines(screen):
    assert len(screen.splitlines()) < 150


def test_a_report_taller_than_the_terminal_goes_through_the_pager():
    paged = on_a_terminal("report", "--offline", env={"MARKETSHOCK_PAGER": "sed 's/^/PAGED: /'"})
    assert ANSI.sub("", paged).splitlines()[0].startswith("PAGED: marketshock report: as of 2026-02-06")


@pytest.mark.parametrize(("users", "pager_sees"), [(None, "unset"), ("1", "1")], ids=["unset", "set by the user"])
def test_the_pager_gets_the_users_environment_not_marketshocks_plugin_switch(users, pager_sees):
    # marketshock turns pydantic's plugins off for itself only (entry.without_pydantic_plugins).
    pager = 'echo "plugins=${PYDANTIC_DISABLE_PLUGINS-unset}"; cat >/dev/null'
    paged = on_a_terminal("report", "--offline", env={"MARKETSHOCK_PAGER": pager, "PYDANTIC_DISABLE_PLUGINS": users})
    assert ANSI.sub("", paged).splitlines()[0] == f"plugins={pager_sees}"


def test_the_brief_report_fits_the_screen_and_is_not_paged():
    brief = on_a_terminal("report", "--offline", "--brief", env={"MARKETSHOCK_PAGER": "false"})
    lines = ANSI.sub("", brief).splitlines()
    assert lines[0].startswith("marketshock report: as of 2026-02-06")
    assert len(lines) <= 24


def test_a_terminal_that_reports_no_width_is_laid_out_80_wide_not_left_empty():
    # Some CI runners and containers give a pseudo-terminal of 0 columns: Rich would print nothing.
    lines = ANSI.sub("", on_a_terminal("crypto", "--offline", cols=0)).splitlines()
    assert any("BTC" in line for line in lines)
    assert max(len(line) for line in lines) <= 80
