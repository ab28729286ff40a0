"""render.Grid: a table that fits the width it is given without cutting a figure (issue 13)."""

from __future__ import annotations

import io

from rich.console import Console

from marketshock.render import Col, Grid


def shown(grid: Grid, width: int) -> str:
    file = io.StringIO()
    Console(file=file, width=width, color_system=None).print(grid)
    return file.getvalue()


def prices() -> Grid:
    grid = Grid(
        "Prices",
        [
            Col("asset", "left", key=True),
            Col("kind", "left", drop=4),
            Col("date", "left", hoist=True),
            Col("close"),
            Col("trend", "left", drop=3),
            Col("src", "left", drop=2),
        ],
        decorated=False,
    )
    grid.add_row("BTC", "crypto asset", "2026-02-06", "$70,555", "▁▂▃▄▅▆▇█▁▂▃▄▅▆▇█", "[1]")
    grid.add_row("ETH", "crypto asset", "2026-02-06", "$2,063", "▁▂▃▄▅▆▇█▁▂▃▄▅▆▇█", "[2]")
    return grid


def test_at_ease_every_column_shows():
    out = shown(prices(), 200)
    assert "crypto asset" in out and "▁▂▃▄" in out and "[1]" in out


def test_columns_leave_by_priority_the_highest_first():
    out = shown(prices(), 36)
    assert "crypto asset" not in out  # kind, drop=4, went first
    assert "▁▂▃▄▅▆▇█▁▂▃▄▅▆▇█" in out and "[1]" in out


def test_figures_stay_whole_when_only_the_essential_columns_fit():
    out = shown(prices(), 16)
    assert "$70,555" in out and "$2,063" in out
    assert "[1]" not in out and "▁" not in out


def test_a_column_with_one_value_in_every_row_is_said_once_in_the_title():
    out = shown(prices(), 80)
    assert out.splitlines()[0].strip() == "Prices, 2026-02-06"
    assert out.count("2026-02-06") == 1


def test_a_wrap_column_breaks_between_words_never_inside_a_figure():
    grid = Grid("", [Col("series", "left", key=True), Col("from", wrap=True)], decorated=False)
    grid.add_row("ETH", "2,953 (2026-01-23)")
    out = shown(grid, 16)
    assert "2,953" in out and "2026-01-23" in out


def test_a_table_too_wide_for_the_screen_splits_and_repeats_its_key_column():
    columns = [Col("asset", "left", key=True)] + [Col(f"col{i}") for i in range(6)]
    grid = Grid("", columns, decorated=False)
    grid.add_row("BTC", *(f"+{i}{i}.{i}%" for i in range(6)))
    out = shown(grid, 30)
    assert out.count("BTC") == 2
    assert all(f"+{i}{i}.{i}%" in out for i in range(6))
    assert max(len(line.rstrip()) for line in out.splitlines()) <= 30


def test_long_headers_fold_between_words_before_a_column_leaves():
    grid = Grid("", [Col("asset", "left", key=True), Col("year to date at low"), Col("src", drop=1)], decorated=False)
    grid.add_row("BTC", "-31.4%", "[1]")
    out = shown(grid, 18)
    assert "-31.4%" in out and "[1]" in out
