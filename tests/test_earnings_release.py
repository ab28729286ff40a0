"""The SEC submissions API read into earnings releases, and the session a release moved.

The body is tests/fixtures/real/sec_submissions_AMZN_documented_shape.json, built from the
documented shape (see PROVENANCE.md): columnar `filings.recent`, newest first.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from marketshock import analytics
from marketshock.errors import BadResponse, NoDataError
from marketshock.providers import sec

BODY = (Path(__file__).parent / "fixtures" / "real" / "sec_submissions_AMZN_documented_shape.json").read_text()
NY = ZoneInfo("America/New_York")


def releases() -> list[sec.EarningsRelease]:
    return sec.parse_earnings_releases(BODY, cik=1018724, dataset="AMZN earnings releases")


def test_only_8ks_with_item_2_02_are_earnings_releases_oldest_first():
    body = json.loads(BODY)["filings"]["recent"]
    expected = [
        a
        for a, form, items in zip(body["accessionNumber"], body["form"], body["items"], strict=True)
        if form == "8-K" and "2.02" in items.split(",")
    ]
    assert [r.accession for r in releases()] == list(reversed(expected))
    assert all(r.items[0] == "2.02" for r in releases())


def test_the_filing_index_url_is_the_accession_folder_on_www_sec_gov():
    release = releases()[0]
    assert release.url == (
        "https://www.sec.gov/Archives/edgar/data/1018724/000101872425000123/0001018724-25-000123-index.htm"
    )


@pytest.mark.parametrize(
    ("raw", "new_york"),
    [
        # UTC as marked: 20:01 UTC on an October day is 16:01 in New York (EDT), after the close
        # either way, so the format's reading stands.
        ("2025-10-30T20:01:58.000Z", dt.datetime(2025, 10, 30, 16, 1, 58, tzinfo=NY)),
        # 07:00 as UTC would be 02:00 in New York, when EDGAR takes no filings: the New York clock.
        ("2026-02-05T07:00:00.000Z", dt.datetime(2026, 2, 5, 7, 0, tzinfo=NY)),
        # 23:30 as New York time is after EDGAR's 22:00 close: UTC, 18:30 in New York.
        ("2026-02-05T23:30:00.000Z", dt.datetime(2026, 2, 5, 18, 30, tzinfo=NY)),
        # 16:05: as UTC 11:05 in New York, mid-session; as New York time after the close.
        ("2026-02-05T16:05:12.000Z", dt.datetime(2026, 2, 5, 16, 5, 12, tzinfo=NY)),
        # 12:00: as UTC 07:00 in New York, before the open; as New York time midday.
        ("2026-02-05T12:00:00.000Z", dt.datetime(2026, 2, 5, 7, 0, tzinfo=NY)),
    ],
)
def test_the_acceptance_clock_is_read_the_way_edgar_could_have_meant_it(raw, new_york):
    accepted, how = sec.accepted_clock(raw)
    assert accepted == new_york and accepted.utcoffset() == new_york.utcoffset()
    assert how


def test_the_latest_release_is_the_last_accepted_by_the_as_of_date():
    assert sec.latest_release(releases(), dt.date(2026, 4, 29), ticker="AMZN").accession == "0001018724-26-000002"
    assert sec.latest_release(releases(), dt.date(2026, 4, 30), ticker="AMZN").accession == "0001018724-26-000012"


def test_no_release_by_the_as_of_date_says_so():
    with pytest.raises(NoDataError, match=re.escape("no 8-K with Item 2.02 accepted on or before 2025-10-29")):
        sec.latest_release(releases(), dt.date(2025, 10, 29), ticker="AMZN")


def test_a_404_is_no_filings():
    assert sec.parse_earnings_releases("", cik=1, dataset="x") == []


@pytest.mark.parametrize(
    "body",
    [
        "{}",
        '{"filings": {"recent": {"form": ["8-K"]}}}',
        '{"filings": {"recent": {"accessionNumber": [], "filingDate": [], "acceptanceDateTime": [],'
        ' "form": ["8-K"], "items": ["2.02"]}}}',
        BODY[: len(BODY) // 2],
    ],
    ids=["no-filings", "missing-columns", "ragged-columns", "truncated"],
)
def test_another_shape_is_a_bad_response(body):
    with pytest.raises(BadResponse):
        sec.parse_earnings_releases(body, cik=1, dataset="x")


def at(day: str, clock: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(clock), tzinfo=NY)


@pytest.mark.parametrize(
    ("accepted", "timing", "session", "prior"),
    [
        (at("2026-02-05", "07:00"), "before open", "2026-02-05", "2026-02-04"),
        (at("2026-02-05", "16:05"), "after close", "2026-02-06", "2026-02-05"),
        (at("2026-02-05", "12:30"), "during session", "2026-02-05", "2026-02-04"),
        # A Friday after the close: Monday's session against Friday's close.
        (at("2026-02-06", "16:30"), "after close", "2026-02-09", "2026-02-06"),
        # A Saturday: before Monday's open.
        (at("2026-02-07", "10:00"), "before open", "2026-02-09", "2026-02-06"),
        # Thursday 2026-04-02 after the close: Good Friday has no NYSE session, so Monday's.
        (at("2026-04-02", "16:10"), "after close", "2026-04-06", "2026-04-02"),
    ],
)
def test_the_session_that_answers_a_release(accepted, timing, session, prior):
    found = analytics.release_session(accepted, "XNYS")
    assert found == analytics.ReleaseSession(timing, dt.date.fromisoformat(session), dt.date.fromisoformat(prior))


@pytest.mark.parametrize(
    ("accepted", "timing", "session", "prior"),
    [
        # NYSE closes at 13:00 the day after Thanksgiving: 14:00 is after that close.
        (at("2026-11-27", "14:00"), "after close", "2026-11-30", "2026-11-27"),
        (at("2026-11-27", "12:30"), "during session", "2026-11-27", "2026-11-25"),
        # Christmas Eve closes at 13:00 too, and Christmas Day (a Friday) has no session.
        (at("2026-12-24", "14:00"), "after close", "2026-12-28", "2026-12-24"),
    ],
)
def test_an_early_close_is_the_close_that_day(accepted, timing, session, prior):
    found = analytics.release_session(accepted, "XNYS")
    assert found == analytics.ReleaseSession(timing, dt.date.fromisoformat(session), dt.date.fromisoformat(prior))


def submissions_body(*filings: tuple[str, str, str, str]) -> str:
    """A submissions body with `filings` (accession, acceptanceDateTime, form, items), newest
    first as EDGAR lists them, in the columnar shape of the fixture."""
    return json.dumps(
        {
            "cik": "1018724",
            "filings": {
                "recent": {
                    "accessionNumber": [f[0] for f in filings],
                    "filingDate": [f[1][:10] for f in filings],
                    "acceptanceDateTime": [f[1] for f in filings],
                    "form": [f[2] for f in filings],
                    "items": [f[3] for f in filings],
                },
                "files": [],
            },
        }
    )


def test_an_amendment_does_not_replace_the_release_it_amends():
    body = submissions_body(
        ("0000000001-26-000002", "2026-11-05T15:15:00.000Z", "8-K/A", "2.02,9.01"),  # 10:15 EST
        ("0000000001-26-000001", "2026-10-29T20:05:00.000Z", "8-K", "2.02,9.01"),  # 16:05 EDT
    )
    found = sec.latest_release(sec.parse_earnings_releases(body, cik=1, dataset="x"), dt.date(2026, 11, 6), ticker="X")
    assert (found.accession, found.form) == ("0000000001-26-000001", "8-K")
    assert found.accepted_at == dt.datetime(2026, 10, 29, 16, 5, tzinfo=NY)


def test_an_amendment_is_the_release_only_when_no_original_is_known():
    body = submissions_body(("0000000001-26-000002", "2026-11-05T15:15:00.000Z", "8-K/A", "2.02"))
    found = sec.latest_release(sec.parse_earnings_releases(body, cik=1, dataset="x"), dt.date(2026, 11, 6), ticker="X")
    assert (found.accession, found.form) == ("0000000001-26-000002", "8-K/A")


def test_an_older_release_with_an_unreadable_date_is_skipped_not_fatal():
    body = submissions_body(
        ("0000000001-26-000003", "2026-10-29T20:05:00.000Z", "8-K", "2.02"),
        ("0000000001-26-000002", "2026-07-3O", "8-K", "2.02"),  # a letter O for a zero
        ("0000000001-26-000001", "2026-04-29T20:05:00.000Z", "8-K", "2.02"),
    )
    found = sec.parse_submissions(body, cik=1, dataset="x")
    pick = sec.latest_release(found, dt.date(2026, 11, 6), ticker="X")
    assert pick.accession == "0000000001-26-000003"
    assert pick.skipped == ("0000000001-26-000002",)


def test_a_latest_release_with_an_unreadable_date_is_a_bad_response():
    body = submissions_body(
        ("0000000001-26-000003", "yesterday", "8-K", "2.02"),
        ("0000000001-26-000001", "2026-04-29T20:05:00.000Z", "8-K", "2.02"),
    )
    found = sec.parse_submissions(body, cik=1, dataset="x")
    with pytest.raises(BadResponse, match="0000000001-26-000003"):
        sec.latest_release(found, dt.date(2026, 11, 6), ticker="X")


def test_no_release_in_the_recent_list_does_not_claim_none_was_filed_when_older_files_exist():
    body = json.loads(submissions_body(("0000000001-26-000001", "2026-04-29T20:05:00.000Z", "8-K", "2.02")))
    body["filings"]["files"] = [{"name": "CIK0000000001-submissions-001.json", "filingFrom": "2001-01-02"}]
    found = sec.parse_submissions(json.dumps(body), cik=1, dataset="x")
    cause = "no 8-K with Item 2.02 by 2026-01-15 among the recent filings (from 2026-04-29); older filings not read"
    with pytest.raises(NoDataError, match=re.escape(cause)):
        sec.latest_release(found, dt.date(2026, 1, 15), ticker="X")
