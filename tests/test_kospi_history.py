"""KOSPI: the Stooq daily history (1980-01-04 .. 2024-01-26) joined to the curated 2025-2026
closes, with the years between a gap shown as one (issue 15)."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import gzip
from importlib import resources

from harness import invoke
from marketshock.models.sessions import IndexSession
from marketshock.providers import bundled


def _stooq_rows() -> dict[str, dict[str, str]]:
    raw = resources.files("marketshock.data").joinpath("kospi_daily_stooq.csv.gz").read_bytes()
    return {r["date"]: r for r in csv.DictReader(gzip.decompress(raw).decode().splitlines())}


def _kospi(*args: str) -> dict:
    run = invoke("indices", "--offline", *args, "--json")
    assert run.code == 0, run.err
    return next(r for r in run.json()["data"]["indices"] if r["symbol"] == "KOSPI")


def test_the_bundled_history_is_the_stooq_file_renamed_not_changed():
    rows = _stooq_rows()
    assert len(rows) == 11728
    first = {"date": "1980-01-04", "open": "100", "high": "100", "low": "100", "close": "100", "volume": ""}
    assert rows["1980-01-04"] == first
    assert rows["2024-01-26"]["close"] == "2478.56" and rows["2024-01-26"]["volume"] == "285539000"


def test_kospi_on_2008_10_24_is_the_stooq_close_and_its_change_from_the_previous_close():
    rows = _stooq_rows()
    row = _kospi("--as-of", "2008-10-24")
    assert row["date"] == "2008-10-24" and row["last"] == float(rows["2008-10-24"]["close"]) == 938.75
    expected = round((float(rows["2008-10-24"]["close"]) / float(rows["2008-10-23"]["close"]) - 1) * 100, 2)
    assert row["change_1d_pct"] == expected == -10.57
    assert row["source"]["provider"] == "Stooq" and not row["out_of_date"]


def test_inside_the_gap_the_row_says_there_is_no_close_and_gives_no_change():
    row = _kospi("--as-of", "2024-06-03")
    assert row["date"] == "2024-01-26" and row["out_of_date"]  # its real date, marked old
    assert row["change_1d_pct"] is None and row["change_5d_pct"] is None and row["streak"] is None
    assert "no KOSPI close from 2024-01-27 to 2025-12-29" in row["unavailable"]
    table = invoke("indices", "--offline", "--as-of", "2024-06-03").out
    assert "KOSPI: n/a, no KOSPI close from 2024-01-27" in " ".join(table.split())


def test_no_day_change_is_measured_across_the_gap():
    index = bundled.load_index_sessions("KOSPI")
    assert index.breaks == ((dt.date(2024, 1, 27), dt.date(2025, 12, 29)),)
    first_curated = next(s for s in index.sessions if s.date > dt.date(2024, 1, 26))
    # The curated row keeps the source's stated change (from 2025-12-29), never one over two years.
    assert first_curated.date == dt.date(2025, 12, 30) and first_curated.change_pct == -0.15
    assert index.sessions[0].change_pct is None


def test_the_shock_row_inside_the_gap_has_no_move():
    run = invoke("shock", "--offline", "--as-of", "2024-06-03", "--json")
    assert run.code == 0, run.err
    moves = [*run.json()["data"]["moves"], *run.json()["data"].get("unranked", [])]
    kospi = next(m for m in moves if m["symbol"] == "KOSPI")
    assert kospi["change_pct"] is None and kospi["date"] == "2024-01-26"
    assert "no KOSPI close from 2024-01-27" in kospi["note"]


def test_the_default_date_reads_the_curated_closes_as_before():
    row = _kospi("--as-of", "2026-02-06")
    assert (row["date"], row["last"], row["change_1d_pct"]) == ("2026-02-06", 5089.14, -1.44)


def test_every_history_session_is_what_validating_the_same_values_gives():
    sessions = bundled.load_index_sessions("KOSPI").sessions
    assert all(IndexSession.model_validate(s.model_dump()) == s for s in sessions)


def test_a_copy_of_a_history_session_with_a_change_leaves_the_others_fields_as_they_were():
    first, second = bundled.load_index_sessions("KOSPI").sessions[:2]
    first.model_copy(update={"close": 1.0}).model_fields_set.add("not a field")
    assert second.model_fields_set == set(IndexSession.model_fields)


def test_past_the_break_the_figures_read_no_session_before_it_and_come_out_the_same():
    # Issue 18: an as-of date past the gap between the 1980-2024 history and the curated closes
    # leaves the history's 11,728 sessions unbuilt; every index row and shock row is unchanged.
    from marketshock.context import RunContext
    from marketshock.sections import indices, shock

    full = bundled.load_index_sessions("KOSPI")
    recent = bundled.load_recent_index_sessions("KOSPI")
    assert recent.breaks == full.breaks and recent.sessions[0].date > recent.breaks[0][1]
    assert len(recent.sessions) < 100 < len(full.sessions)
    data = bundled.BundledData()
    day, last = recent.breaks[0][1] + dt.timedelta(days=1), full.sessions[-1].date + dt.timedelta(days=5)
    while day <= last:
        ctx = RunContext(as_of=day, data=data)
        assert asyncio.run(data.index_sessions_as_of("KOSPI", day)) == recent
        assert indices.session_row(recent, ctx) == indices.session_row(full, ctx), day
        assert shock.session_move(recent, day) == shock.session_move(full, day), day
        day += dt.timedelta(days=1)


def test_before_or_inside_the_break_the_whole_history_is_read():
    data = bundled.BundledData()
    full = bundled.load_index_sessions("KOSPI")
    for day in (dt.date(2008, 10, 24), full.breaks[0][0], full.breaks[0][1]):
        assert asyncio.run(data.index_sessions_as_of("KOSPI", day)) == full
