"""Readable at any width: every figure a command's tables show is whole at 60, 80, 100, 120 and
200 columns (issue 13). A figure is any number, date or symbol of the command's `--json` data,
found in the text as the tables format it: "$60,074", "-16.1%", "2026-02-06", "BTC"."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from rich.console import Console

from marketshock import formatting as f
from marketshock import present, runner

WIDTHS = (60, 80, 100, 120, 200)
COMMANDS = {
    "indices": ("indices", True),
    "earnings-capex": ("earnings-capex", True),
    "labor": ("labor", True),
    "crypto": ("crypto", False),
    "crypto --ytd": ("crypto", True),
    "shock": ("shock", True),
    "report": ("report", True),
}
DATE = re.compile(r"[0-9]{4}-[0-9]{2}(-[0-9]{2})?")
SYMBOL_KEYS = {"symbol", "ticker", "a", "b"}
# Not figures of a table: text fields, the provenance (the legend and -v show it), the series a
# sparkline draws, and what the tables say another way (a year range for the Januaries, the
# superlative's words). Everything else must be in the tables, whole.
NOT_IN_TABLES = {
    "source", "sources", "headlines", "method", "notes", "gaps", "recent_closes", "recent_initial_claims",
    "same_month_history", "rank_text", "week_rank_text", "name", "kind", "scope", "provider",
    "vintage", "guidance_text", "reaction_text", "capex_actual_basis", "calendar", "unavailable", "note",
    "qualifier", "vol_annualization", "reaction_session", "proxy_for", "partial",
    # in the data, not in a table (the analytics' working figures)
    "high", "ytd_base_date", "ytd_base_close", "lowest_since_low", "all_time_high", "all_time_high_date",
    "streak", "data_starts", "report_date", "reported", "highest_same_month_since", "years_since",
    "highest_in_data", "change_yoy_pct", "released", "largest_fall_since", "largest_rise_since",
    "largest_in_data", "worst_week_since", "best_week_since", "week_largest_in_data", "vol_30d_observations",
    "vol_history_starts", "observations", "close", "end", "streak_complete",
    "capex_actual_year",  # shown as "FY2025"
    # what followed earlier moves: the table shows the 21-session line ("8 of 10 up" for up_share)
    # (for the moves with |z| >= 2; --json has every series')
    "followed",
    "age_days",  # shown only when out of date ("2026-01-31, 303 days old"): tests/test_freshness.py
}  # fmt: skip
# Rows whose `date` repeats a field of their own (issue 12 gave every row a date): checked there.
DATE_ALSO_AS = ("report_date", "released", "month", "week_ending", "value_date")


def formats(key: str, value: float | int) -> set[str]:
    """The ways a table may print this number."""
    if isinstance(value, int) and not key.endswith(("_pct", "_usd")):
        return {str(value), f.number(value), f.signed(value), f"{value:+d}"}
    shown = {f.pct(value), f.pct(value, 2), f"{value:.0f}%", f"{value:.0f}", f"{value:+.2f}", f"{value:+.1f}%"}
    shown |= {f.usd_short(value), f.usd(value), f.usd(value, 2), f.number(value), f.number(value, 2), f.price(value)}
    return shown


# `crypto` shows the year-to-date columns only with --ytd.
HIDDEN = {"crypto": {"change_ytd_pct", "change_ytd_at_low_pct"}}


def figures(data: object, key: str = "", hidden: frozenset[str] = frozenset()) -> Iterator[tuple[str, set[str]]]:
    """(field, the ways a table may print it) for every figure in a JSON document."""
    if key in NOT_IN_TABLES or key in hidden:
        return
    if isinstance(data, dict):
        for k, v in data.items():
            if k == "zscore_observations" and data.get("zscore") is None:
                continue  # the returns behind a z-score there is none of: the row's note says how many
            if k == "date" and any(other in data for other in DATE_ALSO_AS):
                continue
            yield from figures(v, k, hidden)
    elif isinstance(data, list):
        for item in data:
            yield from figures(item, key, hidden)
    elif isinstance(data, bool) or data is None:
        return
    elif isinstance(data, int | float):
        yield key, formats(key, data)
    elif isinstance(data, str) and (DATE.fullmatch(data) or key in SYMBOL_KEYS):
        yield key, {data}


def whole(token: str, screen: str) -> bool:
    """The token is on the screen, not as part of a longer figure or word."""
    return re.search(rf"(?<![\w.,$]){re.escape(token)}(?![\w%]|[.,]\d)", screen) is not None


def render(name: str, width: int) -> tuple[dict, str]:
    command, ytd = COMMANDS[name]
    request = runner.Request(command=command, offline=True, ytd=ytd)
    outcome = runner.execute(request)
    file = io.StringIO()
    console = Console(file=file, width=width, color_system=None, highlight=False, emoji=False)
    console.print(present.renderable(outcome.result, command, console, ytd=ytd))
    return outcome.envelope().data, file.getvalue()


@pytest.fixture(scope="module")
def screens() -> dict[tuple[str, int], tuple[dict, str]]:
    return {(name, width): render(name, width) for name in COMMANDS for width in WIDTHS}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_figure_of_the_json_is_whole_on_screen(screens, name, width):
    data, screen = screens[name, width]
    hidden = frozenset(HIDDEN.get(name, ()))
    missing = sorted({k for k, shown in figures(data, "", hidden) if not any(whole(s, screen) for s in shown)})
    assert missing == [], f"{name} at {width} columns cuts or hides {missing}:\n{screen}"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(COMMANDS))
def test_no_line_is_wider_than_the_screen(screens, name, width):
    _, screen = screens[name, width]
    assert max(len(line.rstrip()) for line in screen.splitlines()) <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_no_cell_is_cut_short_with_an_ellipsis(screens, width):
    for name in COMMANDS:
        assert "…" not in screens[name, width][1], name


@pytest.mark.parametrize("columns", ["0", "", "wide"])
def test_a_columns_value_that_is_no_width_is_ignored_not_laid_out_at_zero(columns):
    from harness import process  # a real process: Rich reads COLUMNS from its own environment

    out = process("crypto", "--offline", env={"COLUMNS": columns}).out
    assert out and out == process("crypto", "--offline", env={"COLUMNS": "160"}).out
