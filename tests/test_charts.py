"""`marketshock chart`: what is marked, what is drawn, and how it prints.

Drawings are compared with golden files in `__snapshots__/test_charts/` (open them to see
the charts); refresh with `python -m pytest tests/test_charts.py --snapshot-update`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import itertools
import json
import math
import socket
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from goldens import TextGolden
from harness import invoke, process
from marketshock import charts
from marketshock.context import RunContext
from marketshock.errors import UsageError
from marketshock.models.charts import ChartResult
from marketshock.providers import bundled
from marketshock.sections import crypto, labor

AS_OF = bundled.DEFAULT_AS_OF  # 2026-02-06


def chart(series: str, as_of: dt.date = AS_OF, **options) -> ChartResult:
    ctx = RunContext(as_of=as_of, data=bundled.BundledData())
    return asyncio.run(charts.build(ctx, series, **options))


def marks(result: ChartResult) -> dict[str, object]:
    return {m.kind: m for m in result.marks}


def plain(result: ChartResult, width: int = 100, height: int = 16) -> str:
    """The chart as a pipe would get it: no terminal, no colour."""
    console = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False)
    console.print(charts.draw(result, console, width, height))
    return console.file.getvalue()


@pytest.fixture
def golden(snapshot):
    return snapshot.use_extension(TextGolden)


# --- what the chart marks -----------------------------------------------------------------


def test_btc_chart_marks_the_february_low_and_the_october_2024_low_it_fell_through():
    found = marks(chart("BTC", since=dt.date(2024, 9, 1)))
    assert (found["lowest-since"].x, found["lowest-since"].in_window) == ("2026-02-06", True)
    assert (found["earlier-low"].x, found["earlier-low"].in_window) == ("2024-10-11", True)
    assert found["earlier-low"].value < found["lowest-since"].value
    assert "16-month low" in found["lowest-since"].text


def test_price_chart_marks_the_figures_the_crypto_table_shows():
    ctx = RunContext(as_of=AS_OF, data=bundled.BundledData())
    for symbol in ("BTC", "ETH"):
        table = crypto.asset_figures(bundled.load_price_series(symbol), ctx)
        found = marks(chart(symbol))
        assert found["earlier-low"].x == table.lowest_since.isoformat()
        assert found["earlier-low"].value == table.lowest_since_low
        assert found["lowest-since"].value == table.low
        assert (found["all-time-high"].x, found["all-time-high"].value) == (
            table.all_time_high_date.isoformat(),
            table.all_time_high,
        )


def test_job_cuts_chart_ranks_january_2026_as_the_labor_table_does():
    result = chart("job-cuts", month=1)
    table = labor.job_cuts_figures(bundled.load_job_cuts(), RunContext(as_of=AS_OF, data=bundled.BundledData()))
    found = marks(result)
    assert found["latest"].x == "2026-01" == table.month
    assert found["highest-since"].x == f"{table.highest_same_month_since}-01" == "2009-01"
    assert table.rank_text in found["latest"].text
    between = [p.value for p in result.points if "2009-01" < p.x < "2026-01"]
    assert len(between) == 16
    assert all(v < found["latest"].value for v in between)


def test_job_cuts_month_defaults_to_the_latest_month_published():
    assert chart("job-cuts").points == chart("job-cuts", month=1).points


def test_chart_uses_no_data_after_the_as_of_date():
    as_of = dt.date(2025, 6, 30)
    for series in ("BTC", "SPY", "claims", "job-cuts"):
        result = chart(series, as_of=as_of)
        assert max(p.x for p in result.points) <= as_of.isoformat(), series
        assert all(m.x <= as_of.isoformat() for m in result.marks), series


def test_job_cuts_published_after_the_as_of_date_are_not_yet_known():
    # January 2026 was released on 2026-02-05.
    assert chart("job-cuts", as_of=dt.date(2026, 2, 4), month=1).until == "2025-01"
    assert chart("job-cuts", as_of=dt.date(2026, 2, 5), month=1).until == "2026-01"


def test_claims_count_a_week_from_its_thursday_release():
    assert chart("claims", as_of=dt.date(2026, 2, 4)).until == "2026-01-24"
    assert chart("claims", as_of=dt.date(2026, 2, 5)).until == "2026-01-31"


def test_claims_latest_week_says_how_it_was_first_printed():
    latest = marks(chart("claims"))["latest"]
    assert latest.value == 230000
    assert "first printed as 231,000" in latest.text


def test_default_window_reaches_back_to_the_earlier_low():
    result = chart("BTC")
    assert result.since <= "2024-10-11"
    assert marks(result)["earlier-low"].in_window


def test_an_earlier_low_before_the_window_is_listed_but_not_drawn():
    result = chart("BTC", since=dt.date(2025, 6, 1))
    earlier = marks(result)["earlier-low"]
    assert not earlier.in_window
    text = plain(result)
    assert "2024-10-11: low $60,046" in text
    assert "before the chart starts" in text


def test_lowest_since_the_day_before_is_not_marked():
    # SPY's 2026-02-06 low is above the 2026-02-05 low: no new low to speak of.
    assert "earlier-low" not in marks(chart("SPY"))


def test_kospi_chart_marks_the_sidecar_sessions():
    found = [m for m in chart("KOSPI").marks if m.kind == "market-measure"]
    assert [m.x for m in found] == ["2026-02-02", "2026-02-03", "2026-02-06"]
    assert all("sidecar" in m.text for m in found)


def test_month_applies_to_monthly_series_only():
    with pytest.raises(UsageError, match="--month"):
        chart("BTC", month=1)


def test_an_index_without_levels_has_nothing_to_chart():
    with pytest.raises(UsageError, match="no index levels"):
        chart("MSCI-APXJ")


def test_series_names_are_case_insensitive_with_aliases():
    assert chart("btc").series == "BTC"
    assert chart("ICSA").series == "claims"


# --- how it is drawn ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("series", "options"),
    [
        ("BTC", {"since": dt.date(2024, 9, 1)}),
        ("ETH", {}),
        ("SPY", {}),
        ("KOSPI", {}),
        ("claims", {}),
        ("job-cuts", {"month": 1}),
    ],
)
def test_chart_drawing_matches_its_golden_file(series, options, golden):
    assert plain(chart(series, **options)) == golden


def test_btc_drawing_shows_both_lows_labelled_on_the_plot():
    text = plain(chart("BTC", since=dt.date(2024, 9, 1)))
    plot = text.split("\n▼ ")[0]  # the plot, above the legend
    assert "▼" in plot and "▽" in plot
    assert "2026-02-06" in plot and "2024-10-11" in plot


def test_job_cuts_drawing_stands_2026_above_the_line_every_january_since_2009_stays_under():
    text = plain(chart("job-cuts", month=1), width=100)
    rows = text.splitlines()
    guide = next(i for i, row in enumerate(rows) if "▔▔▔" in row)
    assert "108,435" in rows[guide - 1]  # the value sits on the 2026 bar, at the line
    assert "2009" in text and "the most for a January since 2009 (17-year high)" in text


def test_chart_fills_the_width_it_is_given():
    for width in (60, 100, 140):
        rows = plain(chart("ETH"), width=width).splitlines()
        axis = next(row for row in rows if "└" in row)
        assert len(axis) == width - 1  # one column spare on the right


def test_chart_is_plain_text_without_a_terminal():
    text = plain(chart("BTC"))
    assert "\x1b[" not in text


def test_a_chart_too_narrow_for_its_bars_says_how_to_fix_it():
    with pytest.raises(UsageError, match="--width"):
        plain(chart("job-cuts"), width=45)


@given(
    low=st.floats(min_value=-1e7, max_value=1e7, allow_nan=False),
    span=st.floats(min_value=1e-3, max_value=1e7),
    count=st.integers(min_value=2, max_value=10),
)
def test_nice_ticks_are_round_evenly_spaced_and_inside_the_range(low, span, count):
    high = low + span
    ticks, step = charts.nice_ticks(low, high, count)
    assert ticks, "at least one tick"
    assert all(low - step * 1e-6 <= t <= high + step * 1e-6 for t in ticks)
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert round(mantissa, 6) in (1, 2, 2.5, 5, 10)
    assert len(ticks) <= 2 * count + 1


def test_tick_labels_show_the_decimals_the_step_needs():
    assert charts.tick_label(120000, 20000, "USD") == "$120,000"
    assert charts.tick_label(2.5, 2.5, "index points") == "2.5"
    assert charts.tick_label(0.75, 0.25, "USD") == "$0.75"


def test_date_ticks_do_not_overlap():
    first, last = dt.date(2024, 9, 1), dt.date(2026, 2, 6)
    span = (last - first).days
    for cols in (40, 80, 160):
        ticks = charts.date_ticks(first, last, lambda d, c=cols: round((d - first).days / span * (c - 1)), cols)
        assert len(ticks) >= 2
        for (a, label), (b, _) in itertools.pairwise(ticks):
            assert b - a >= len(label) + 1


# --- the command ---------------------------------------------------------------------------------


def test_chart_on_a_pipe_prints_a_plain_chart_80_columns_wide():
    run = invoke("chart", "BTC", "--offline", "--since", "2024-09-01")
    assert run.code == 0, run.err
    assert "\x1b[" not in run.out
    assert "▼" in run.out and "2024-10-11" in run.out
    assert max(len(row) for row in run.out.splitlines()) <= 80


def test_chart_width_follows_columns():
    run = invoke("chart", "ETH", "--offline", env={"COLUMNS": "120"})
    axis = next(row for row in run.out.splitlines() if "└" in row)
    assert len(axis) == 119


@pytest.mark.parametrize(("flag", "env"), [(("--no-color",), {}), ((), {"NO_COLOR": "1"})])
def test_chart_honours_no_color_on_a_colour_terminal(flag, env):
    coloured = invoke("chart", "BTC", "--offline", env={"FORCE_COLOR": "1"})
    assert "\x1b[31" in coloured.out or "\x1b[1;31" in coloured.out  # the red low, as a check
    run = invoke("chart", "BTC", "--offline", *flag, env={"FORCE_COLOR": "1", **env})
    assert run.code == 0, run.err
    assert "\x1b[31" not in run.out and "\x1b[1;31" not in run.out and "\x1b[36" not in run.out


def test_chart_json_prints_the_points_and_marks():
    run = invoke("chart", "job-cuts", "--offline", "--month", "1", "--json")
    assert run.code == 0, run.err
    envelope = json.loads(run.out)
    assert (envelope["command"], envelope["as_of"], envelope["source"]) == ("chart", "2026-02-06", "bundled")
    data = envelope["data"]
    assert data["style"] == "bars"
    assert {"x": "2026-01", "value": 108435.0} in data["points"]
    assert {(m["kind"], m["x"]) for m in data["marks"]} == {("latest", "2026-01"), ("highest-since", "2009-01")}
    assert len(data["sources"]) == len(data["points"])  # one curated source a month


def test_chart_as_of_replays_an_earlier_day():
    run = invoke("chart", "BTC", "--offline", "--as-of", "2025-06-30", "--json")
    data = json.loads(run.out)["data"]
    assert data["until"] == "2025-06-30"
    assert data["points"][-1]["x"] == "2025-06-30"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("chart", "DOGE", "--offline"), "unknown series 'DOGE'"),
        (("chart", "BTC", "--offline", "--since", "2026-13-01"), "invalid --since"),
        (("chart", "BTC", "--offline", "--since", "2026-03-01"), "not before the as-of date"),
        (("chart", "BTC", "--offline", "--month", "1"), "--month applies to monthly series"),
        (("chart", "job-cuts", "--offline", "--month", "13"), "--month"),
        (("chart", "BTC", "--offline", "--width", "20"), "--width must be at least 40"),
        (("chart", "BTC", "--offline", "--width", "99999999"), "--width must be at most 1000"),
        (("chart", "BTC", "--offline", "--height", "99999999"), "--height must be at most 500"),
        (("chart", "BTC", "--offline", "--export", "btc.png"), "must end in .svg, .html or .txt"),
    ],
)
def test_bad_chart_input_is_one_line_on_stderr_and_exit_2(args, message):
    run = invoke(*args)
    assert run.code == 2
    assert run.out == ""
    assert message in run.err
    assert len(run.err.strip().splitlines()) == 1
    assert "Traceback" not in run.err


def test_chart_without_offline_uses_live_data_and_says_when_the_provider_fails():
    with socket.socket() as s:  # a port nobody listens on: the provider refuses, nothing leaves the machine
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    env = {
        "MARKETSHOCK_YAHOO_BASE_URL": closed,
        "MARKETSHOCK_COINBASE_BASE_URL": closed,
        "MARKETSHOCK_HTTP_RETRIES": "0",
        "MARKETSHOCK_CACHE_ENABLED": "false",
    }
    run = invoke("chart", "BTC", env=env)
    assert run.code == 1
    assert run.err.count("\n") == 1 and "yahoo: BTC price history: connection refused" in run.err


def test_help_does_not_load_the_chart_or_export_code():
    probe = (
        "import sys\n"
        "from marketshock import cli\n"
        "for argv in (['--help'], ['chart', '--help'], ['report', '--help']):\n"
        "    sys.argv = ['marketshock', *argv]\n"
        "    try:\n"
        "        cli.main()\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = ('marketshock.charts', 'marketshock.export', 'marketshock.runner', 'rich', 'pandas', 'httpx')\n"
        "sys.stderr.write(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m in heavy)))\n"
    )
    run = process(argv=[sys.executable, "-c", probe])  # a fresh interpreter: its own sys.modules
    assert "Usage" in run.out and "SERIES" in run.out
    assert run.err == ""
