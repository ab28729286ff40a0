"""The `shock` section and command: ranked moves, the cross-asset view, as-of replay, errors."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys

import pytest

from harness import Run, invoke, process
from marketshock.context import RunContext
from marketshock.errors import NoDataError
from marketshock.models.series import DailyCloses, PriceSeries, Source
from marketshock.models.sessions import IndexMoves, IndexSessions
from marketshock.notes import collecting
from marketshock.providers import bundled
from marketshock.runner import Request, execute
from marketshock.sections import registry, shock

SHOCK_DAY = dt.date(2026, 2, 5)


def build(as_of: dt.date, data=None, **options):
    """The section's result and the notes it filed (a failing series is a note)."""
    ctx = RunContext(as_of=as_of, data=data or bundled.BundledData())

    async def run():
        with collecting("shock") as notes:
            return await shock.build(ctx, **options), notes

    return asyncio.run(run())


def moves_by_symbol(result):
    return {m.symbol: m for m in result.moves}


class CutAt:
    """The bundled data as it was known on `day`: nothing later exists at all."""

    name = "bundled-cut"

    def __init__(self, day: dt.date):
        self.day = day
        self.inner = bundled.BundledData()

    async def daily_closes(self, symbol: str) -> DailyCloses:
        return (await self.inner.daily_closes(symbol)).up_to(self.day)

    async def index_sessions(self, symbol: str) -> IndexSessions:
        full = await self.inner.index_sessions(symbol)
        return full.model_copy(update={"sessions": tuple(s for s in full.sessions if s.date <= self.day)})

    async def index_moves(self, symbol: str) -> IndexMoves:
        full = await self.inner.index_moves(symbol)
        return full.model_copy(update={"moves": tuple(m for m in full.moves if m.date <= self.day)})


class BarsOnly:
    """A source with no closes-only path (as a live provider may be): only full bars."""

    name = "bars-only"

    def __init__(self, failing: str | None = None):
        self.inner = bundled.BundledData()
        self.failing = failing

    async def price_history(self, symbol: str) -> PriceSeries:
        if symbol == self.failing:
            raise NoDataError("fake", f"{symbol} price history", "no rows")
        return await self.inner.price_history(symbol)

    async def index_sessions(self, symbol: str) -> IndexSessions:
        return await self.inner.index_sessions(symbol)

    async def index_moves(self, symbol: str) -> IndexMoves:
        return await self.inner.index_moves(symbol)


# --- the shock day ----------------------------------------------------------


def test_btc_and_eth_falls_of_the_shock_day_are_ranked_with_z_scores_and_since_dates():
    result, _ = build(SHOCK_DAY)
    moves = moves_by_symbol(result)
    btc, eth = moves["BTC"], moves["ETH"]
    assert (btc.date, btc.change_pct, btc.zscore, btc.zscore_observations) == (SHOCK_DAY, -14.13, -6.92, 365)
    assert btc.largest_fall_since == dt.date(2022, 11, 9)
    assert btc.largest_rise_since is None
    assert btc.rank_text == "largest one-day fall since 2022-11-09"
    assert (eth.change_pct, eth.zscore, eth.largest_fall_since) == (-15.01, -4.13, dt.date(2022, 11, 9))
    assert result.moves[0].symbol == "BTC"  # the most unusual move of the day


def test_moves_are_ranked_by_absolute_z_score_with_unscored_series_last():
    result, _ = build(SHOCK_DAY)
    scored = [m for m in result.moves if m.zscore is not None]
    assert [abs(m.zscore) for m in scored] == sorted((abs(m.zscore) for m in scored), reverse=True)
    assert all(m.zscore is None for m in result.moves[len(scored) :])
    assert {m.symbol for m in result.moves[len(scored) :]} == {"KOSPI", "MSCI-APXJ"}


def test_every_series_the_tool_knows_is_in_the_moves():
    result, _ = build(SHOCK_DAY)
    expected = {"BTC", "ETH", "SPY", "QQQ", "SMH", "EEM", "GLD", "SLV", "VIX", "KOSPI", "MSCI-APXJ"}
    assert {m.symbol for m in result.moves} == expected


def test_curated_index_rows_say_why_they_are_not_ranked():
    kospi = moves_by_symbol(build(dt.date(2026, 2, 6))[0])["KOSPI"]
    assert kospi.change_pct == -1.44
    assert kospi.zscore is None
    assert "not ranked" in kospi.note and "60" in kospi.note


def test_a_curated_session_without_a_day_change_shows_none_not_an_older_sessions():
    # 2026-02-05's close is sourced, its change is not (the prior close is left out): the row is
    # that session's, with no change, never 2026-02-03's +6.84% under the shock day.
    kospi = moves_by_symbol(build(SHOCK_DAY)[0])["KOSPI"]
    assert (kospi.date, kospi.close, kospi.change_pct) == (SHOCK_DAY, 5163.57, None)
    assert "no day change for 2026-02-05" in kospi.note


def test_volatility_states_its_annualization_convention():
    moves = moves_by_symbol(build(SHOCK_DAY)[0])
    assert moves["BTC"].vol_annualization == "sqrt(365)"
    assert moves["SPY"].vol_annualization == "sqrt(252)"
    assert moves["SLV"].vol_percentile == 100.0  # silver's 30-day volatility: the highest in its history
    assert 0 < moves["BTC"].vol_30d_annualized_pct < 200


def test_a_weeks_largest_fall_in_the_data_says_since_the_first_date_never_ever():
    slv = moves_by_symbol(build(SHOCK_DAY)[0])["SLV"]
    assert slv.week_largest_in_data
    assert slv.worst_week_since is None
    assert slv.week_rank_text == "the worst week in the data (since 2006-04-28)"
    assert all("ever" not in m.rank_text + m.week_rank_text for m in build(SHOCK_DAY)[0].moves)


def test_the_cross_asset_view_puts_gold_and_silver_beside_bitcoin_and_ether():
    result, _ = build(SHOCK_DAY)
    assert result.window is not None
    assert (result.window.sessions, result.window.start, result.window.end) == (10, dt.date(2026, 1, 22), SHOCK_DAY)
    ranked = [w.symbol for w in result.window_changes]
    assert {"BTC", "ETH", "GLD", "SLV"} <= set(ranked)
    assert [w.change_pct for w in result.window_changes] == sorted(w.change_pct for w in result.window_changes)
    assert [w.rank for w in result.window_changes] == list(range(1, len(ranked) + 1))
    pairs = {(c.a, c.b) for c in result.correlations}
    assert {("BTC", "ETH"), ("BTC", "GLD"), ("BTC", "SLV"), ("ETH", "GLD"), ("ETH", "SLV")} <= pairs
    assert all(c.prior_end == result.window.start for c in result.correlations)


def test_window_option_sets_the_number_of_sessions():
    result, _ = build(SHOCK_DAY, window=3)
    assert result.window is not None
    assert (result.window.sessions, result.window.start) == (3, dt.date(2026, 2, 2))


def test_window_out_of_range_is_refused():
    with pytest.raises(ValueError, match="window"):
        build(SHOCK_DAY, window=0)


def test_the_command_and_the_section_agree_on_the_window_bounds():
    (window,) = registry.get("shock").options
    assert (window.default, window.max) == (shock.DEFAULT_WINDOW, shock.MAX_WINDOW)


# --- no look-ahead ----------------------------------------------------------


@pytest.mark.parametrize("day", [SHOCK_DAY, dt.date(2026, 2, 8), dt.date(2024, 8, 5)])
def test_as_of_replays_exactly_what_was_known_that_day(day):
    with_future, _ = build(day)
    without_future, _ = build(day, data=CutAt(day))
    assert with_future.model_dump() == without_future.model_dump()


def test_as_of_a_weekend_uses_fridays_session_for_exchange_traded_series():
    sunday = dt.date(2026, 2, 8)
    moves = moves_by_symbol(build(sunday)[0])
    assert moves["BTC"].date == sunday
    assert moves["SPY"].date == dt.date(2026, 2, 6)


# --- sources ----------------------------------------------------------------


def test_a_source_without_closes_only_gives_the_same_figures_from_its_bars():
    from_closes, _ = build(SHOCK_DAY)
    from_bars, _ = build(SHOCK_DAY, data=BarsOnly())
    assert from_bars.model_dump() == from_closes.model_dump()


def test_a_failing_series_is_recorded_and_the_others_still_show():
    result, notes = build(SHOCK_DAY, data=BarsOnly(failing="SLV"))
    assert "SLV" not in moves_by_symbol(result)
    assert "BTC" in moves_by_symbol(result)
    assert [(e.section, e.kind) for e in notes.entries] == [("shock", "no-data")]


def test_a_series_with_a_single_close_has_no_move():
    one = DailyCloses(
        symbol="X",
        name="x",
        calendar="sessions",
        dates=(SHOCK_DAY,),
        closes=(1.0,),
        source=Source(provider="test"),
        proxy_for="gold",
    )
    move = shock.move_figures(one, SHOCK_DAY)
    assert move.zscore is None and move.change_pct is None
    assert "no move" in move.note
    # what is known still shows: the close, its date, the proxy and the volatility convention
    assert (move.date, move.close, move.proxy_for, move.vol_annualization) == (SHOCK_DAY, 1.0, "gold", "sqrt(252)")


def test_a_short_history_gets_no_z_score_and_says_how_many_returns_it_had():
    series = bundled.load_daily_closes("BTC")
    short = series.model_copy(update={"dates": series.dates[-41:], "closes": series.closes[-41:]})
    move = shock.move_figures(short, series.dates[-1])
    assert move.zscore is None
    assert move.zscore_observations == 39  # 40 returns, the last one being the day itself
    assert "39 returns" in move.note


# --- the command ------------------------------------------------------------


def run_cli(*args: str) -> Run:
    return invoke(*args, env={"COLUMNS": "160"})  # a wide terminal, whatever runs the tests


def test_shock_json_envelope_has_moves_window_and_correlations():
    run = run_cli("shock", "--offline", "--as-of", "2026-02-05", "--json")
    assert run.code == 0, run.err
    env = json.loads(run.out)
    assert (env["command"], env["as_of"], env["errors"]) == ("shock", "2026-02-05", [])
    btc = env["data"]["moves"][0]
    assert btc["symbol"] == "BTC"
    for key in ("date", "change_pct", "zscore", "largest_fall_since", "largest_rise_since", "vol_30d_annualized_pct"):
        assert key in btc
    assert btc["largest_fall_since"] == "2022-11-09"
    assert env["data"]["window"]["sessions"] == 10
    assert env["data"]["correlations"]


def test_shock_table_names_the_conventions():
    run = run_cli("shock", "--offline", "--as-of", "2026-02-05", "--no-color")
    assert run.code == 0, run.err
    assert "largest since" in run.out and "2022-11-09" in run.out
    assert "sqrt(365)" in run.out and "sqrt(252)" in run.out
    assert "common dates" in run.out


def test_shock_window_of_zero_is_a_usage_error_on_one_line():
    run = run_cli("shock", "--offline", "--window", "0")
    assert run.code == 2
    assert run.out == ""
    assert len(run.err.strip().splitlines()) == 1
    assert "--window" in run.err


def test_shock_as_of_outside_the_data_is_a_usage_error():
    run = run_cli("shock", "--offline", "--as-of", "2030-01-01", "--json")
    assert run.code == 2
    assert "outside the bundled data" in run.err


def test_help_lists_shock_without_importing_statistics_sections_or_pandas():
    probe = (
        "import sys\n"
        "from marketshock.cli import app\n"
        "app(['--help'], standalone_mode=False)\n"
        "heavy = {'pandas', 'numpy', 'pydantic', 'marketshock.move_stats', 'marketshock.sections.shock'}\n"
        "sys.stderr.write(' '.join(sorted(m for m in sys.modules if m in heavy)))\n"
    )
    run = process(argv=[sys.executable, "-c", probe])  # a fresh interpreter: its own sys.modules
    assert run.code == 0, run.err
    assert "shock" in run.out
    assert run.err == ""


def test_report_json_carries_the_shock_section():
    outcome = execute(Request(command="report", offline=True, as_of="2026-02-05"))
    assert outcome.result is not None
    data = outcome.envelope().model_dump(mode="json")["data"]
    assert data["shock"]["moves"][0]["symbol"] == "BTC"
