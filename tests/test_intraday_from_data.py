"""Issue 12: an index's intraday fall comes from its daily low, not from a curated note."""

from __future__ import annotations

import datetime as dt

from harness import invoke
from marketshock.models.series import Source
from marketshock.models.sessions import IndexSession
from marketshock.sections.indices import intraday_note

SRC = Source(provider="test")


def session(day: int, close: float, change: float | None, low: float | None = None) -> IndexSession:
    return IndexSession(date=dt.date(2026, 2, day), close=close, change_pct=change, intraday_low=low, source=SRC)


def test_the_fall_is_the_low_against_the_prior_sessions_close():
    prior, last = session(5, 5163.57, -3.86), session(6, 5089.14, -1.44, low=4899.30)
    expected = (4899.30 / 5163.57 - 1) * 100  # -5.118...
    assert intraday_note(last, prior) == (
        f"2026-02-06: fell {abs(expected):.1f}% intraday (low 4,899.30 against the prior close 5,163.57), closed -1.44%"
    )


def test_a_day_whose_low_held_above_the_prior_close_says_so():
    note = intraday_note(session(6, 110.0, 10.0, low=101.0), session(5, 100.0, 0.0))
    assert note.startswith("2026-02-06: held at or above the prior close (low 101.00 against the prior close 100.00)")


def test_no_low_no_note():
    assert intraday_note(session(6, 110.0, 10.0), session(5, 100.0, 0.0)) == ""


def test_without_the_prior_session_the_prior_close_comes_from_the_day_change():
    note = intraday_note(session(6, 90.0, -10.0, low=80.0), None)
    assert "fell 20.0% intraday (low 80.00 against the prior close 100.00)" in note


def test_the_curated_intraday_words_give_way_to_the_measured_fall_and_the_sidecar_stays():
    notes = invoke("indices", "--offline", "--json").json()["data"]["indices"][0]["notes"]
    assert notes[0].startswith("2026-02-06: fell 5.1% intraday (low 4,899.30")
    assert "2026-02-06: sell-side sidecar 09:06 KST (KOSPI200 futures -5.22% at 719.80)" in notes
    assert not any("fell >5% intraday" in n for n in notes)
