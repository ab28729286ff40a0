"""Sparklines in the tables: one line a row, scaled to the row, the last move in colour."""

from __future__ import annotations

import asyncio
import io

from rich.console import Console

from harness import invoke
from marketshock import formatting, render
from marketshock.context import RunContext
from marketshock.providers import bundled
from marketshock.sections import labor


def test_each_row_is_scaled_to_its_own_range():
    small, large = [1.0, 2.0, 3.0, 2.0], [61_000.0, 62_000.0, 63_000.0, 62_000.0]
    assert formatting.sparkline(small) == formatting.sparkline(large) == "▁▅█▅"


def test_a_flat_row_is_a_flat_line():
    assert formatting.sparkline([5.0, 5.0, 5.0]) == "▅▅▅"


def test_the_last_move_up_is_green_and_down_is_red():
    assert render.spark([1.0, 3.0, 2.0, 4.0]).style == render.UP
    assert render.spark([1.0, 3.0, 4.0, 2.0]).style == render.DOWN
    assert render.spark([1.0, 2.0, 2.0]).style == ""


def test_a_rise_is_red_where_a_rise_is_bad_news():
    assert render.spark([200.0, 230.0], rise_is_bad=True).style == render.DOWN
    assert render.spark([230.0, 200.0], rise_is_bad=True).style == render.UP


def test_rising_jobless_claims_are_drawn_red_in_the_labor_table():
    ctx = RunContext(as_of=bundled.DEFAULT_AS_OF, data=bundled.BundledData())
    result = asyncio.run(labor.build(ctx))
    trend = result.recent_initial_claims
    assert trend[-1] > trend[-2]  # 230,000 after 209,000
    console = Console(file=io.StringIO(), width=160, force_terminal=True, color_system="standard")
    console.print(render.labor(result, console))
    assert f"\x1b[31m{formatting.sparkline([float(v) for v in trend])}" in console.file.getvalue()


def test_tables_on_a_pipe_keep_their_sparklines_without_colour():
    for command in ("crypto", "indices", "labor"):
        run = invoke(command, "--offline")  # stdout a pipe, as in a real process
        assert run.code == 0, run.err
        assert "\x1b[" not in run.out, command
        assert any(ch in run.out for ch in "▁▂▃▄▅▆▇█"), command
