"""The indices section on curated rows that skip sessions: a day change is the source's own,
a streak or a 5-day change never spans a gap, and an unknown day never counts as a turn."""

from __future__ import annotations

import datetime as dt

from marketshock.context import RunContext
from marketshock.models.results.indices import IndexRow
from marketshock.models.series import Source
from marketshock.models.sessions import IndexMove, IndexMoves, IndexSession, IndexSessions
from marketshock.providers import bundled
from marketshock.sections import indices, report

SOURCE = Source(provider="test")
D = dt.date


def sessions(*rows: tuple[dt.date, float | None, float | None]) -> IndexSessions:
    return IndexSessions(
        symbol="KOSPI",
        name="KOSPI",
        sessions=tuple(IndexSession(date=d, close=c, change_pct=p, source=SOURCE) for d, c, p in rows),
    )


def row_on(index: IndexSessions, day: dt.date) -> IndexRow:
    return indices.session_row(index, RunContext(as_of=day, data=bundled.BundledData()))


def test_the_day_change_is_the_sources_not_a_difference_across_a_gap():
    index = sessions((D(2026, 1, 16), 4840.74, 0.9), (D(2026, 1, 27), 5084.85, -1.0))
    assert row_on(index, D(2026, 1, 27)).change_1d_pct == -1.0


def test_a_streak_is_complete_when_the_day_before_it_moved_the_other_way():
    index = sessions((D(2026, 2, 4), 100, 1.57), (D(2026, 2, 5), 96, -3.86), (D(2026, 2, 6), 95, -1.44))
    row = row_on(index, D(2026, 2, 6))
    assert (row.streak, row.streak_complete) == (-2, True)


def test_a_streak_that_starts_after_a_gap_in_the_rows_is_a_lower_bound():
    index = sessions((D(2026, 2, 2), 100, 1.0), (D(2026, 2, 5), 96, -3.86), (D(2026, 2, 6), 95, -1.44))
    row = row_on(index, D(2026, 2, 6))
    assert (row.streak, row.streak_complete) == (-2, False)


def test_a_streak_that_starts_after_a_day_of_unknown_change_is_a_lower_bound():
    # 01-27 has a close but no stated change: it may have been an up day too.
    index = sessions((D(2026, 1, 27), 5084.85, None), (D(2026, 1, 28), 5170.81, 1.69), (D(2026, 1, 29), 5221.25, 0.98))
    row = row_on(index, D(2026, 1, 29))
    assert (row.streak, row.streak_complete) == (2, False)


def test_kospi_on_january_29_is_at_least_its_second_day_of_gains():
    row = indices.session_row(bundled.load_index_sessions("KOSPI"), RunContext(D(2026, 1, 29), bundled.BundledData()))
    assert (row.streak, row.streak_complete) == (2, False)


def test_the_5_day_change_needs_six_consecutive_sessions():
    days = [D(2026, 2, 2) + dt.timedelta(days=i) for i in (0, 1, 2, 3, 4, 7)]  # Mon..Fri, Mon
    full = sessions(*[(d, 100.0 + i, 1.0) for i, d in enumerate(days)])
    assert row_on(full, days[-1]).change_5d_pct is not None
    gapped = sessions(*[(d, 100.0 + i, 1.0) for i, d in enumerate(days) if d != D(2026, 2, 4)])
    assert row_on(gapped, days[-1]).change_5d_pct is None


def test_a_close_beyond_minus_8_percent_notes_the_circuit_breaker_level():
    row = row_on(sessions((D(2026, 2, 6), 90, -8.1)), D(2026, 2, 6))
    assert any("circuit-breaker" in note for note in row.notes)


def test_moves_only_index_has_no_level_and_a_lower_bound_streak():
    moves = IndexMoves(
        symbol="MSCI-APXJ",
        name="MSCI AC Asia Pacific ex-Japan",
        moves=(
            IndexMove(date=D(2026, 2, 5), change_pct=-1.8, measured_at="intraday", source=SOURCE),
            IndexMove(date=D(2026, 2, 6), change_pct=-1.0, measured_at="close", source=SOURCE),
        ),
    )
    row = indices.moves_row(moves, RunContext(D(2026, 2, 6), bundled.BundledData()))
    assert (row.last, row.change_1d_pct, row.streak, row.streak_complete) == (None, -1.0, -2, False)


def test_a_reported_move_older_than_a_week_is_not_shown_as_the_latest():
    moves = IndexMoves(
        symbol="MSCI-APXJ",
        name="MSCI AC Asia Pacific ex-Japan",
        moves=(IndexMove(date=D(2026, 2, 16), change_pct=0.1, measured_at="intraday", source=SOURCE),),
    )
    fresh = indices.moves_row(moves, RunContext(D(2026, 2, 23), bundled.BundledData()))
    stale = indices.moves_row(moves, RunContext(D(2026, 2, 24), bundled.BundledData()))
    assert fresh.change_1d_pct == 0.1
    assert (stale.change_1d_pct, stale.date) == (None, None)
    assert "the last was on 2026-02-16" in (stale.unavailable or "")


def headline(row: IndexRow) -> str:
    return report.index_text(row)


def test_a_headline_says_at_least_when_the_streak_may_be_longer():
    moves = IndexMoves(
        symbol="MSCI-APXJ",
        name="MSCI AC Asia Pacific ex-Japan",
        moves=tuple(
            IndexMove(date=d, change_pct=p, measured_at="intraday", source=SOURCE)
            for d, p in ((D(2026, 2, 5), -1.8), (D(2026, 2, 6), -1.0))
        ),
    )
    row = indices.moves_row(moves, RunContext(D(2026, 2, 6), bundled.BundledData()))
    assert headline(row) == "MSCI AC Asia Pacific ex-Japan -1.00% on 2026-02-06, at least its second day of decline"


def test_a_headline_names_a_complete_streak_exactly():
    index = sessions(
        (D(2026, 2, 3), 5288.08, 6.84), (D(2026, 2, 4), 5300.0, 0.22), (D(2026, 2, 5), 5163.57, -3.86),
        (D(2026, 2, 6), 5089.14, -1.44),
    )  # fmt: skip
    assert headline(row_on(index, D(2026, 2, 6))).endswith("on 2026-02-06, its second day of decline")


def test_a_session_whose_close_was_left_out_makes_the_streak_after_it_a_lower_bound():
    index = sessions(
        (D(2026, 2, 3), 5288.08, 6.84), (D(2026, 2, 4), None, None), (D(2026, 2, 5), 5163.57, -3.86),
        (D(2026, 2, 6), 5089.14, -1.44),
    )  # fmt: skip
    assert headline(row_on(index, D(2026, 2, 6))).endswith("on 2026-02-06, at least its second day of decline")


def test_a_last_session_without_a_close_has_no_streak_and_says_why():
    left_out = Source(provider="curated", note="no close: its only source was an aggregator")
    index = IndexSessions(
        symbol="KOSPI",
        name="KOSPI",
        sessions=(
            IndexSession(date=D(2026, 2, 3), close=5288.08, change_pct=6.84, source=SOURCE),
            IndexSession(date=D(2026, 2, 4), close=None, change_pct=None, source=left_out),
        ),
    )
    row = row_on(index, D(2026, 2, 4))
    assert (row.last, row.change_1d_pct, row.streak) == (None, None, None)
    assert "2026-02-04: no close: its only source was an aggregator" in row.notes


def test_an_unknown_last_change_is_no_streak_rather_than_a_partial_one():
    index = sessions((D(2026, 1, 29), 5221.25, 0.98), (D(2026, 1, 30), 5224.36, None))
    row = row_on(index, D(2026, 1, 30))
    assert (row.streak, row.streak_complete) == (0, True)
