"""Never bridge a gap silently: a day (or week) without a value is a gap, kept as one, and a
figure that needs it is null with the gap named in the envelope's `warnings`.

Three kinds of fault, each as recorded-shape bodies (fixtures/gaps/, see its PROVENANCE.md)
through the live path (the installed command against the replay server on 127.0.0.1) and
through the bundled loader; the right values are computed here from the served data.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from marketshock import analytics
from marketshock.context import RunContext
from marketshock.models.economic import WeeklyRow, WeeklySeries
from marketshock.models.series import Bar, DailyCloses, PriceSeries, Source
from marketshock.models.sessions import IndexSession, IndexSessions
from marketshock.notes import collecting
from marketshock.providers import bundled, coinbase, fred, stooq, yahoo
from marketshock.sections import crypto, indices, labor, shock
from replay_server import ReplayServer

GAPS = Path(__file__).parent / "fixtures" / "gaps"
MARKETSHOCK = str(Path(sys.executable).with_name("marketshock"))
D = dt.date


def served(case: str, args: list[str], tmp_path: Path) -> dict:
    """Run the installed command against the replay server answering with `case`'s bodies."""
    return served_from(GAPS / case, args, tmp_path)


def served_from(folder: Path, args: list[str], tmp_path: Path) -> dict:
    return json.loads(served_run(folder, args, tmp_path).stdout)


def served_run(folder: Path, args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    srv = ReplayServer("replay", routes=folder).start()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MARKETSHOCK_")}
        env |= srv.env() | {
            "MARKETSHOCK_CONFIG": str(tmp_path / "none.toml"),
            "MARKETSHOCK_CACHE_DIR": str(tmp_path / "cache"),
            "MARKETSHOCK_HTTP_TIMEOUT": "10",
            "MARKETSHOCK_HTTP_RETRIES": "0",
        }
        done = subprocess.run(
            [MARKETSHOCK, *args], capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=120
        )
    finally:
        srv.stop()
    assert done.returncode == 0, done.stderr  # the data that exists was produced
    return done


def yahoo_closes(case: str) -> dict[dt.date, float | None]:
    """Each served day's close, straight from the body."""
    result = json.loads((GAPS / case / "yahoo_BTC-USD.json").read_text())["chart"]["result"][0]
    closes = result["indicators"]["quote"][0]["close"]
    return {dt.datetime.fromtimestamp(t, dt.UTC).date(): c for t, c in zip(result["timestamp"], closes, strict=True)}


def fred_values(case: str, series_id: str) -> dict[dt.date, str]:
    rows = csv.reader(io.StringIO((GAPS / case / f"fred_{series_id}.csv").read_text()))
    next(rows)
    return {D.fromisoformat(day): value for day, value in rows}


# --- the three reproductions, through the live path -------------------------------------------


def test_a_row_of_nulls_leaves_the_1d_change_null_and_names_the_gap(tmp_path):
    closes = yahoo_closes("02")
    assert closes[D(2025, 6, 1)] is None  # the fault, as served
    envelope = served("02", ["crypto", "-s", "BTC", "--json", "--as-of", "2025-06-02"], tmp_path)
    btc = envelope["data"]["assets"][0]
    assert (btc["date"], btc["price"]) == ("2025-06-02", closes[D(2025, 6, 2)])
    assert btc["change_1d_pct"] is None  # never 101,830 over 2025-05-31's 101,810 shown as "1d"
    assert "change_1d_pct" in btc["gap_figures"]
    gaps = [w for w in envelope["warnings"] if w["kind"] == "gap"]
    assert [(w["section"], w["symbol"], w["date"]) for w in gaps] == [("crypto", "BTC", "2025-06-01")]
    assert "1d change" in gaps[0]["message"]


def test_the_table_shows_the_reason_beside_the_blank_and_stderr_names_the_gap(tmp_path):
    done = served_run(GAPS / "02", ["crypto", "-s", "BTC", "--as-of", "2025-06-02", "--no-color"], tmp_path)
    (btc_row,) = [line for line in done.stdout.splitlines() if line.lstrip("│ ").startswith("BTC")]
    assert "n/a (gap)" in btc_row
    assert "BTC has no price on 2025-06-01" in done.stderr


def test_a_figure_that_does_not_span_the_row_of_nulls_is_still_measured(tmp_path):
    closes = yahoo_closes("02")
    btc = served("02", ["crypto", "-s", "BTC", "--json", "--as-of", "2025-06-02"], tmp_path)["data"]["assets"][0]
    expected_7d = (closes[D(2025, 6, 2)] / closes[D(2025, 5, 26)] - 1) * 100
    assert btc["change_7d_pct"] == pytest.approx(expected_7d, abs=0.005)


def test_freds_dot_leaves_the_week_on_week_change_and_the_4_week_average_null(tmp_path):
    icsa = fred_values("05", "ICSA")
    assert icsa[D(2025, 5, 24)] == "."  # the fault, as served
    envelope = served("05", ["labor", "--json", "--as-of", "2025-06-06"], tmp_path)
    claims = envelope["data"]["labor"]["claims"] if "labor" in envelope["data"] else envelope["data"]["claims"]
    assert (claims["week_ending"], claims["initial"]) == ("2025-05-31", int(icsa[D(2025, 5, 31)]))
    assert claims["change"] is None  # not +2,000, a two-week change
    assert claims["four_week_avg"] is None  # not 238,750, four values spread over five weeks
    gaps = [w for w in envelope["warnings"] if w["kind"] == "gap"]
    assert [(w["section"], w["symbol"], w["date"]) for w in gaps] == [("labor", "ICSA", "2025-05-24")]


def test_a_null_open_keeps_the_bar_and_its_close(tmp_path):
    body = json.loads((GAPS / "14" / "yahoo_BTC-USD.json").read_text())["chart"]["result"][0]
    i = body["timestamp"].index(int(dt.datetime(2025, 6, 2, tzinfo=dt.UTC).timestamp()))
    quote = body["indicators"]["quote"][0]
    assert quote["open"][i] is None  # the fault, as served
    envelope = served("14", ["crypto", "-s", "BTC", "--json", "--as-of", "2025-06-02"], tmp_path)
    btc = envelope["data"]["assets"][0]
    assert (btc["date"], btc["price"], btc["low"], btc["high"]) == (
        "2025-06-02",
        quote["close"][i],
        quote["low"][i],
        quote["high"][i],
    )
    assert btc["change_1d_pct"] == pytest.approx((quote["close"][i] / quote["close"][i - 1] - 1) * 100, abs=0.005)
    assert envelope["warnings"] == []


# --- each fault kind in the parsers, on the recorded shapes ------------------------------------


def test_yahoo_a_row_without_a_close_is_a_gap_day_not_a_skipped_row():
    daily = yahoo.parse_daily((GAPS / "02" / "yahoo_BTC-USD.json").read_text(), symbol="BTC-USD", dataset="d")
    assert D(2025, 6, 1) not in [b.date for b in daily.bars]
    assert daily.gaps == (D(2025, 6, 1),)


def test_yahoo_a_null_open_is_a_gap_in_that_field_only():
    daily = yahoo.parse_daily((GAPS / "14" / "yahoo_BTC-USD.json").read_text(), symbol="BTC-USD", dataset="d")
    bar = daily.bars[-1]
    assert (bar.date, bar.open, bar.high, bar.low, bar.close) == (D(2025, 6, 2), None, 101880.0, 101780.0, 101830.0)
    assert daily.gaps == ()


def test_fred_dot_and_an_empty_value_are_missing_observations_kept_as_gaps():
    text = "observation_date,ICSA\n2025-05-17,239000\n2025-05-24,.\n2025-05-31,\n2025-06-07,241000\n"
    observations = fred.parse_graph_csv(text, "ICSA")
    assert [(o.week_ending, o.value) for o in observations] == [
        (D(2025, 5, 17), 239000.0),
        (D(2025, 5, 24), None),
        (D(2025, 5, 31), None),
        (D(2025, 6, 7), 241000.0),
    ]
    series = weekly(observations)
    assert series.weeks == (D(2025, 5, 17), D(2025, 6, 7))
    assert series.values == (239000.0, 241000.0)
    assert series.gaps == (D(2025, 5, 24), D(2025, 5, 31))


def test_fred_a_duplicated_week_keeps_the_later_row():
    text = "observation_date,ICSA\n2025-05-17,239000\n2025-05-24,240000\n2025-05-24,245000\n"
    series = weekly(fred.parse_graph_csv(text, "ICSA"))
    assert series.values == (239000.0, 245000.0)


def test_a_duplicated_week_whose_later_row_has_no_value_is_a_gap_and_the_reverse_is_not():
    dropped = weekly([WeeklyRow(D(2025, 5, 17), 1.0), WeeklyRow(D(2025, 5, 24), 2.0), WeeklyRow(D(2025, 5, 24), None)])
    assert (dropped.weeks, dropped.values, dropped.gaps) == ((D(2025, 5, 17),), (1.0,), (D(2025, 5, 24),))
    filled = weekly([WeeklyRow(D(2025, 5, 17), 1.0), WeeklyRow(D(2025, 5, 24), None), WeeklyRow(D(2025, 5, 24), 2.0)])
    assert (filled.weeks, filled.values, filled.gaps) == ((D(2025, 5, 17), D(2025, 5, 24)), (1.0, 2.0), ())


def test_a_week_missing_between_two_others_is_a_gap():
    series = weekly((WeeklyRow(D(2025, 5, 17), 1), WeeklyRow(D(2025, 5, 31), 2)))
    assert series.gaps == (D(2025, 5, 24),)


def test_weekly_columns_are_normalised_once_on_construction():
    """Columns in any order, a week twice, a week missing: floats in date order, the later row of
    the week, the missing week a gap (never bridged), and a named gap kept unless the week has a value."""
    series = WeeklySeries(
        series_id="ICSA",
        name="claims",
        vintage="v",
        weeks=(D(2025, 5, 31), D(2025, 5, 10), D(2025, 5, 17), D(2025, 5, 10)),
        values=(3, 1.0, 2.0, 1.5),
        gaps=(D(2025, 6, 14), D(2025, 5, 17)),
        source=SOURCE,
    )
    assert series.weeks == (D(2025, 5, 10), D(2025, 5, 17), D(2025, 5, 31))
    assert series.values == (1.5, 2.0, 3.0) and all(type(v) is float for v in series.values)
    assert series.gaps == (D(2025, 5, 24), D(2025, 6, 14))
    assert series.published(labor.INITIAL_CLAIMS_LAG, D(2025, 5, 22)) == 2  # the week to 05-17 is out on 05-22


def test_weekly_columns_of_two_lengths_are_refused():
    with pytest.raises(ValidationError, match="differ in length"):
        WeeklySeries(series_id="ICSA", name="c", vintage="v", weeks=(D(2025, 5, 10),), values=(), source=SOURCE)


def test_the_bundled_claims_are_float_columns_one_week_apart_without_a_gap():
    for series_id in bundled.CLAIMS:
        series = bundled.load_weekly_claims(series_id)
        assert len(series.weeks) == len(series.values) > 3000
        assert all(b - a == dt.timedelta(weeks=1) for a, b in itertools.pairwise(series.weeks))
        assert all(type(v) is float for v in series.values) and series.gaps == ()


def test_a_placeholder_bar_of_zeros_is_a_gap_day_for_crypto():
    series = prices(
        [bar(D(2025, 6, 1), 100), Bar(date=D(2025, 6, 2), open=0, high=0, low=0, close=0), bar(D(2025, 6, 3), 102)]
    )
    assert [b.date for b in series.bars] == [D(2025, 6, 1), D(2025, 6, 3)]
    assert series.gaps == (D(2025, 6, 2),)


def test_a_duplicated_date_keeps_the_later_row():
    series = prices([bar(D(2025, 6, 1), 100), bar(D(2025, 6, 2), 101), bar(D(2025, 6, 2), 105)])
    assert [b.close for b in series.bars] == [100, 105]


def test_coinbase_a_candle_without_a_close_becomes_a_gap_day():
    candles = [
        [1748822400, 1.0, 3.0, 2.0, 2.5, 10],
        [1748736000, 1.0, 3.0, 2.0, None, 10],
        [1748649600, 1.0, 3.0, 2.0, 2.0, 10],
    ]
    bars = coinbase.parse_candles(json.dumps(candles), dataset="d")
    assert [b.date for b in bars] == [D(2025, 5, 31), D(2025, 6, 2)]
    assert prices(bars).gaps == (D(2025, 6, 1),)


def test_stooq_an_empty_open_is_a_gap_in_that_field_only():
    text = "Date,Open,High,Low,Close,Volume\n2024-01-25,,2480.1,2460.0,2470.3,1000\n"
    (only,) = stooq.parse_daily_csv(text, dataset="d")
    assert (only.open, only.close) == (None, 2470.3)


# --- through the bundled loader -----------------------------------------------------------------


def test_bundled_loader_keeps_a_missing_day_as_a_gap_and_blanks_the_1d_change(monkeypatch):
    rows = "date,open,high,low,close,volume\n2025-05-31,1,1,1,101810,1\n2025-06-02,1,1,1,101830,1\n"
    packaged = bundled._text
    monkeypatch.setattr(bundled, "_text", lambda name, d=None: rows if name.endswith(".csv.gz") else packaged(name, d))
    series = bundled.parse_price_series("BTC")  # uncached: the file is patched
    assert series.gaps == (D(2025, 6, 1),)
    asset = crypto.asset_figures(series, ctx(D(2025, 6, 2)))
    assert (asset.price, asset.change_1d_pct) == (101830, None)


def test_bundled_claims_loader_keeps_a_missing_week_as_a_gap(monkeypatch):
    rows = "week_ending,ICSA\n2025-05-10,238000\n2025-05-17,239000\n2025-05-31,241000\n"
    packaged = bundled._text
    monkeypatch.setattr(bundled, "_text", lambda name, d=None: rows if name.endswith(".csv.gz") else packaged(name, d))
    series = bundled.load_weekly_claims.__wrapped__("ICSA")
    assert series.gaps == (D(2025, 5, 24),)
    with collecting("labor") as notes:
        week, _ = labor.claims_figures(series, series, ctx(D(2025, 6, 6)))
    assert (week.week_ending, week.initial, week.change, week.four_week_avg) == (D(2025, 5, 31), 241000, None, None)
    assert [w.date for w in notes.warnings] == [D(2025, 5, 24)]


# --- helpers ----------------------------------------------------------------------------------


SOURCE = Source(provider="test")


def bar(day: dt.date, close: float) -> Bar:
    return Bar(date=day, open=close, high=close, low=close, close=close)


def prices(bars, calendar: str = "utc-days") -> PriceSeries:
    return PriceSeries(symbol="BTC", name="Bitcoin", calendar=calendar, bars=tuple(bars), source=SOURCE)


def weekly(rows) -> WeeklySeries:
    return WeeklySeries.from_rows(rows, series_id="ICSA", name="claims", vintage="v", source=SOURCE)


def ctx(as_of: dt.date) -> RunContext:
    return RunContext(as_of=as_of, data=None)  # type: ignore[arg-type]  # the figures read no provider


# --- the property: a gap changes only the figures that span it, and blanks them -------------------

FIRST_DAY = D(2024, 11, 15)  # the generated series cross a year end, so the YTD base is in play


@st.composite
def daily_with_gaps(draw):
    n = draw(st.integers(min_value=10, max_value=90))
    closes = draw(st.lists(st.floats(min_value=1, max_value=1000, allow_nan=False), min_size=n, max_size=n))
    dips = draw(st.lists(st.floats(min_value=0, max_value=0.5), min_size=n, max_size=n))
    bars = [
        Bar(date=FIRST_DAY + dt.timedelta(days=i), open=c, high=c, low=c * (1 - d), close=c)
        for i, (c, d) in enumerate(zip(closes, dips, strict=True))
    ]
    gaps = draw(st.sets(st.sampled_from([b.date for b in bars[1:-1]]), max_size=5)) if n > 2 else set()
    return bars, gaps


def needed_days(bars: list[Bar], figure: str, full) -> set[dt.date]:
    """The days a figure needs, besides the last (never a gap here), as it was computed without gaps."""
    first, last = bars[0].date, bars[-1].date

    def days(start: dt.date, end: dt.date) -> set[dt.date]:  # start .. end, inclusive
        return {start + dt.timedelta(days=k) for k in range((end - start).days + 1)}

    if figure in ("1d", "7d"):
        return {last - dt.timedelta(days=1 if figure == "1d" else 7)}
    if figure == "ytd":
        return {D(last.year - 1, 12, 31)}
    if figure == "streak":
        start = max(first, last - dt.timedelta(days=abs(full) + 1))
        return days(start, last)
    assert figure == "lowest_since"
    return days(full.date if full else first, last)


def figures(bars: list[Bar], gaps: tuple[dt.date, ...] = ()) -> dict:
    ytd = analytics.year_to_date(bars, gaps)
    return {
        "1d": analytics.change_over_days(bars, 1, gaps),
        "7d": analytics.change_over_days(bars, 7, gaps),
        "ytd": ytd.change_pct if ytd else None,
        "streak": analytics.streak_over([b.date for b in bars], [b.close for b in bars], gaps),
        "lowest_since": analytics.lowest_since(bars, gaps),
    }


@given(daily_with_gaps())
def test_a_gap_never_changes_a_figure_that_does_not_span_it_and_blanks_every_figure_that_does(case):
    bars, gap_days = case
    full = figures(bars)
    series = prices([b for b in bars if b.date not in gap_days])  # the days are simply missing
    assert set(series.gaps) == gap_days  # the normalisation finds every one of them
    gapped = figures(list(series.bars), series.gaps)
    for figure, value in full.items():
        if needed_days(bars, figure, value) & gap_days:
            assert gapped[figure] is None or isinstance(gapped[figure], analytics.Blocked), figure
        else:
            assert gapped[figure] == value, figure


@given(
    st.lists(st.integers(min_value=150_000, max_value=300_000), min_size=5, max_size=30),
    st.sets(st.integers(min_value=1, max_value=28), max_size=4),
)
def test_a_missing_week_blanks_exactly_the_weekly_figures_that_need_it(values, missing):
    weeks = [D(2025, 1, 4) + dt.timedelta(weeks=k) for k in range(len(values))]
    gap_weeks = {weeks[k] for k in missing if k < len(weeks) - 1}
    full = analytics.week_on_week(values)
    series = weekly((w, v) for w, v in zip(weeks, values, strict=True) if w not in gap_weeks)
    assert set(series.gaps) == gap_weeks
    gapped = analytics.week_on_week(series.values, series.weeks, series.gaps)
    last = weeks[-1]
    needs_change = {last - dt.timedelta(weeks=1)}
    needs_average = {last - dt.timedelta(weeks=k) for k in (1, 2, 3)}
    assert gapped.change == (None if needs_change & gap_weeks else full.change)
    assert gapped.four_week_avg == (None if needs_average & gap_weeks else full.four_week_avg)


# --- shock: a z-score window, a day's move and a week that hold a gap ----------------------------


def btc_closes_without(*days: dt.date):
    series = bundled.load_daily_closes("BTC").up_to(D(2026, 2, 5))
    kept = [(d, c) for d, c in zip(series.dates, series.closes, strict=True) if d not in days]
    return series.model_copy(update={"dates": tuple(d for d, _ in kept), "closes": tuple(c for _, c in kept)})


def test_a_gap_in_the_z_score_window_blanks_the_z_score_and_says_where():
    series = btc_closes_without(D(2025, 11, 20))
    series = DailyCloses.model_validate(series.model_dump())  # through the normalisation, as every provider
    assert series.gaps == (D(2025, 11, 20),)
    log = analytics.GapLog()
    move = shock.move_figures(series, D(2026, 2, 5), log)
    assert move.zscore is None
    assert "a gap on 2025-11-20" in move.note
    assert move.change_pct == shock.move_figures(bundled.load_daily_closes("BTC"), D(2026, 2, 5)).change_pct


def test_a_gap_the_day_before_blanks_the_days_move_and_the_rank_since():
    series = DailyCloses.model_validate(btc_closes_without(D(2026, 2, 4)).model_dump())
    move = shock.move_figures(series, D(2026, 2, 5))
    assert (move.change_pct, move.zscore, move.largest_fall_since, move.rank_text) == (None, None, None, "")


def test_a_gap_before_the_z_score_window_changes_nothing():
    full = shock.move_figures(bundled.load_daily_closes("BTC"), D(2026, 2, 5))
    series = DailyCloses.model_validate(btc_closes_without(D(2024, 6, 1)).model_dump())
    move = shock.move_figures(series, D(2026, 2, 5))
    assert (move.zscore, move.change_pct, move.change_7d_pct) == (full.zscore, full.change_pct, full.change_7d_pct)


# --- a holiday is no session, not a gap: placeholder bars judged against the exchange calendar --

MSFT = Path(__file__).parent / "fixtures" / "real" / "yahoo_chart_MSFT_1d_2021-02-01_2022-01-31_events-div.json"


def msft_with(rows: dict[dt.date, tuple]) -> str:
    """The recorded MSFT chart with rows (open, high, low, close, volume) put in at their days, at
    the session's opening time as Yahoo stamps its daily bars; a recorded day's row is replaced."""
    body = json.loads(MSFT.read_text())
    result = body["chart"]["result"][0]
    quote = result["indicators"]["quote"][0]
    columns = [
        *(quote[n] for n in ("open", "high", "low", "close", "volume")),
        result["indicators"]["adjclose"][0]["adjclose"],
    ]
    for day, row in rows.items():
        ts = int(dt.datetime(day.year, day.month, day.day, 13, 30, tzinfo=dt.UTC).timestamp())
        at = next(i for i, t in enumerate(result["timestamp"]) if t >= ts - 3600)
        on_day = dt.datetime.fromtimestamp(result["timestamp"][at], dt.UTC).date() == day
        if not on_day:
            result["timestamp"].insert(at, ts)
        for column, value in zip(columns, (*row, row[3]), strict=True):
            if on_day:
                column[at] = value
            else:
                column.insert(at, value)
    return json.dumps(body)


def msft_closes() -> dict[dt.date, float]:
    daily = yahoo.parse_daily(MSFT.read_text(), symbol="MSFT", dataset="d")
    return {b.date: b.close for b in daily.bars}


def serve_msft(rows: dict[dt.date, tuple], tmp_path: Path, as_of: str) -> dict:
    folder = tmp_path / "routes"
    folder.mkdir()
    (folder / "msft.json").write_text(msft_with(rows))
    (folder / "routes.json").write_text(json.dumps([{"path": "/v8/finance/chart/MSFT", "file": "msft.json"}]))
    return served_from(folder, ["indices", "-s", "MSFT", "--json", "--as-of", as_of], tmp_path)


HOLIDAY_ROWS = {
    D(2021, 5, 31): (0, 0, 0, 0, 0),  # Memorial Day: a placeholder of zeros
    D(2021, 7, 5): (None, None, None, None, None),  # Independence Day (observed): a row of nulls
}


def test_placeholder_rows_on_exchange_holidays_are_dropped_not_gaps():
    closes = msft_closes()
    flat = closes[D(2021, 11, 24)]
    rows = HOLIDAY_ROWS | {D(2021, 11, 25): (flat, flat, flat, flat, 0)}  # Thanksgiving: the close repeated
    daily = yahoo.parse_daily(msft_with(rows), symbol="MSFT", dataset="d")
    series = PriceSeries(
        symbol="MSFT",
        name="MSFT",
        calendar="sessions",
        exchange="XNYS",
        bars=daily.bars,
        gaps=daily.gaps,
        source=SOURCE,
    )
    assert [b.date for b in series.bars] == sorted(closes)
    assert series.gaps == ()


def test_a_row_of_nulls_on_a_session_day_is_a_gap():
    daily = yahoo.parse_daily(msft_with({D(2021, 7, 6): (None,) * 5}), symbol="MSFT", dataset="d")
    series = PriceSeries(
        symbol="MSFT",
        name="MSFT",
        calendar="sessions",
        exchange="XNYS",
        bars=daily.bars,
        gaps=daily.gaps,
        source=SOURCE,
    )
    assert series.gaps == (D(2021, 7, 6),)


def test_live_a_holiday_row_leaves_the_5_session_change_measured(tmp_path):
    closes = msft_closes()
    envelope = serve_msft(HOLIDAY_ROWS, tmp_path, "2021-07-07")
    (row,) = envelope["data"]["indices"]
    expected = (closes[D(2021, 7, 7)] / closes[D(2021, 6, 29)] - 1) * 100  # five sessions back, over the holiday
    assert row["change_5d_pct"] == pytest.approx(expected, abs=0.005)
    assert envelope["warnings"] == []


def test_live_a_row_of_nulls_on_a_session_blanks_the_5_session_change_and_names_it(tmp_path):
    envelope = serve_msft({D(2021, 7, 6): (None,) * 5}, tmp_path, "2021-07-08")
    (row,) = envelope["data"]["indices"]
    assert row["change_5d_pct"] is None
    assert row["change_1d_pct"] is not None  # 2021-07-08 over 2021-07-07: no gap between
    assert [(w["symbol"], w["kind"], w["date"]) for w in envelope["warnings"]] == [("MSFT", "gap", "2021-07-06")]


# --- splits: adjusted where Yahoo has not; a move only an unapplied split explains is flagged ---

NVDA = Path(__file__).parent / "fixtures" / "real" / "yahoo_chart_NVDA_1d_2021-02-01_2022-01-31_events-split.json"
NVDA_SPLIT = D(2021, 7, 20)  # 4:1, in the recorded body's events.splits


def nvda_unadjusted(events: bool = True) -> str:
    """The recorded NVDA chart as a provider that failed to apply the 4:1 split would send it:
    every price before the split day four times the recorded one."""
    body = json.loads(NVDA.read_text())
    result = body["chart"]["result"][0]
    quote = result["indicators"]["quote"][0]
    for i, ts in enumerate(result["timestamp"]):
        if dt.datetime.fromtimestamp(ts, dt.UTC).date() < NVDA_SPLIT:
            for name in ("open", "high", "low", "close"):
                quote[name][i] = quote[name][i] * 4 if quote[name][i] is not None else None
    if not events:
        del result["events"]
    return json.dumps(body)


def test_yahoo_requests_ask_for_split_events():
    spec = yahoo.chart_request(yahoo.ChartQuery("NVDA", None, D(2021, 7, 21)), "http://y", dataset="d", ttl=1)
    assert spec.params["events"] == "split"


def test_bars_yahoo_already_adjusted_are_left_as_they_are():
    daily = yahoo.parse_daily(NVDA.read_text(), symbol="NVDA", dataset="d")
    assert daily.splits_applied == ()
    assert (
        daily.bars[0].close == json.loads(NVDA.read_text())["chart"]["result"][0]["indicators"]["quote"][0]["close"][0]
    )


def test_bars_before_an_unapplied_split_are_adjusted_by_its_ratio():
    recorded = yahoo.parse_daily(NVDA.read_text(), symbol="NVDA", dataset="d")
    daily = yahoo.parse_daily(nvda_unadjusted(), symbol="NVDA", dataset="d")
    assert daily.splits_applied == ((NVDA_SPLIT, 4.0),)
    assert [b.close for b in daily.bars] == pytest.approx([b.close for b in recorded.bars])


def test_a_move_only_an_unapplied_split_explains_is_suspect_and_kept_out_of_the_z_score():
    daily = yahoo.parse_daily(nvda_unadjusted(events=False), symbol="NVDA", dataset="d")
    series = PriceSeries(symbol="NVDA", name="NVDA", calendar="sessions", bars=daily.bars, source=SOURCE)
    assert series.suspect == (NVDA_SPLIT,)  # -75% in one session
    move = shock.move_figures(DailyCloses.from_prices(series), NVDA_SPLIT)
    assert (move.zscore, move.largest_fall_since, move.rank_text) == (None, None, "")
    assert "suspect: possible unadjusted split" in move.note


def test_live_an_unapplied_split_without_events_is_flagged_in_warnings_and_notes(tmp_path):
    folder = tmp_path / "routes"
    folder.mkdir()
    (folder / "nvda.json").write_text(nvda_unadjusted(events=False))
    (folder / "routes.json").write_text(json.dumps([{"path": "/v8/finance/chart/NVDA", "file": "nvda.json"}]))
    envelope = served_from(folder, ["indices", "-s", "NVDA", "--json", "--as-of", "2021-07-21"], tmp_path)
    (row,) = envelope["data"]["indices"]
    assert any("suspect: possible unadjusted split" in note for note in row["notes"])
    assert [(w["symbol"], w["kind"], w["date"]) for w in envelope["warnings"]] == [
        ("NVDA", "suspect-split", "2021-07-20")
    ]


def test_live_an_unapplied_split_with_its_event_is_adjusted_and_not_flagged(tmp_path):
    recorded = yahoo.parse_daily(NVDA.read_text(), symbol="NVDA", dataset="d")
    closes = {b.date: b.close for b in recorded.bars}
    folder = tmp_path / "routes"
    folder.mkdir()
    (folder / "nvda.json").write_text(nvda_unadjusted())
    (folder / "routes.json").write_text(json.dumps([{"path": "/v8/finance/chart/NVDA", "file": "nvda.json"}]))
    envelope = served_from(folder, ["indices", "-s", "NVDA", "--json", "--as-of", "2021-07-20"], tmp_path)
    (row,) = envelope["data"]["indices"]
    expected = (closes[NVDA_SPLIT] / closes[D(2021, 7, 19)] - 1) * 100
    assert row["change_1d_pct"] == pytest.approx(expected, abs=0.005)
    assert envelope["warnings"] == []


def test_when_the_as_of_day_itself_has_no_close_the_figures_describe_the_day_before_and_say_so():
    series = prices([bar(D(2025, 5, 30), 100), bar(D(2025, 5, 31), 101)]).model_copy(update={"gaps": (D(2025, 6, 1),)})
    with collecting("crypto") as notes:
        asset = crypto.asset_figures(series, ctx(D(2025, 6, 1)))
    assert (asset.date, asset.price, asset.change_1d_pct) == (D(2025, 5, 31), 101, 1.0)
    assert [(w.kind, w.date) for w in notes.warnings] == [("gap", D(2025, 6, 1))]
    assert "the figures describe the last day with one" in notes.warnings[0].message


@given(
    st.lists(st.floats(min_value=1, max_value=1000, allow_nan=False), min_size=8, max_size=40),
    st.sets(st.integers(min_value=1, max_value=38), max_size=4),
)
def test_a_session_without_a_close_blanks_exactly_the_session_changes_that_span_it(closes, missing):
    days = [
        D(2025, 3, 3) + dt.timedelta(days=k) for k in range(80) if (D(2025, 3, 3) + dt.timedelta(days=k)).weekday() < 5
    ]
    dates = days[: len(closes)]
    gap_days = {dates[k] for k in missing if k < len(dates) - 1}
    series = PriceSeries(
        symbol="SPY",
        name="SPY",
        calendar="sessions",
        bars=tuple(bar(d, c) for d, c in zip(dates, closes, strict=True) if d not in gap_days),
        gaps=tuple(sorted(gap_days)),  # the provider's rows without a close, on weekdays: sessions
        source=SOURCE,
    )
    assert set(series.gaps) == gap_days
    kept = [b.close for b in series.bars]
    kept_dates = [b.date for b in series.bars]
    for sessions in (1, 5):
        full = analytics.change_over_sessions(closes, sessions)
        gapped = analytics.change_over_sessions(kept, sessions, kept_dates, series.gaps)
        needed = set(dates[-1 - sessions :]) if len(dates) > sessions else set()
        assert gapped == (None if needed & gap_days else full), sessions


def test_an_index_streak_that_meets_a_session_without_a_close_is_null_not_a_lower_bound():
    def session(day: dt.date, close: float, change: float | None) -> IndexSession:
        return IndexSession(date=day, close=close, change_pct=change, source=SOURCE)

    # Wednesday 2026-02-04 had a session and no close: Thursday's change over it is unknown.
    rows = (session(D(2026, 2, 2), 100, None), session(D(2026, 2, 3), 99, -1.0))
    rows += (session(D(2026, 2, 5), 98, None), session(D(2026, 2, 6), 97, -1.02))
    gapped = IndexSessions(symbol="KOSPI", name="KOSPI", sessions=rows, gaps=(D(2026, 2, 4),))
    with collecting("indices") as notes:
        row = indices.session_row(gapped, ctx(D(2026, 2, 6)))
    assert (row.streak, row.change_5d_pct) == (None, None)
    assert [(w.kind, w.date) for w in notes.warnings] == [("gap", D(2026, 2, 4))]
    without_gap = indices.session_row(gapped.model_copy(update={"gaps": ()}), ctx(D(2026, 2, 6)))
    assert (without_gap.streak, without_gap.streak_complete) == (-1, False)  # a holiday: at least -1


def test_without_the_calendars_extra_a_doubtful_weekday_stays_a_gap(monkeypatch):
    from marketshock import calendars

    monkeypatch.setitem(sys.modules, "exchange_calendars", None)  # as if not installed
    calendars._sessions.cache_clear()
    try:
        assert calendars.closed_days("XNYS", [D(2021, 7, 3), D(2021, 7, 5)]) == {D(2021, 7, 3)}  # Saturday only
    finally:
        calendars._sessions.cache_clear()
