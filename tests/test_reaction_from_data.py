"""Issue 12, must-have 3: the earnings reaction from data, live, beside the curated one.

The stand-ins (tests/replay_server.py on 127.0.0.1) serve the SEC's submissions API with a body
built from the documented shape (tests/fixtures/real/sec_submissions_AMZN_documented_shape.json,
see PROVENANCE.md) and Yahoo's chart API with daily bars built here. Every expected figure is
computed in this file from what was served, not through the product's code.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import statistics
import warnings
from pathlib import Path

import exchange_calendars as xcals
import pytest

from harness import invoke
from replay_server import ReplayServer

SUBMISSIONS = Path(__file__).parent / "fixtures" / "real" / "sec_submissions_AMZN_documented_shape.json"
AMZN, GOOGL, MSFT = 1018724, 1652044, 789019


@pytest.fixture(scope="module")
def server():
    srv = ReplayServer("replay").start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def replay(server):
    yield server.reset()
    server.reset()


def daily_rows(seed: int, end: str = "2026-06-30") -> list[dict[str, str]]:
    """A stock's daily bars on every NYSE session from 2024-11 to `end`, a seeded random walk
    (no real prices: only their arithmetic is under test), as the replay server serves them."""
    rng = random.Random(seed)
    with warnings.catch_warnings():  # the library's pandas deprecation notices
        warnings.simplefilter("ignore")
        sessions = [ts.date() for ts in xcals.get_calendar("XNYS", start="2024-11-01", end=end).sessions]
    close, rows = 180.0, []
    for day in sessions:
        close *= math.exp(rng.gauss(0.0004, 0.018))
        rows.append(
            {
                "date": day.isoformat(),
                "open": f"{close * 1.001:.4f}",
                "high": f"{close * 1.01:.4f}",
                "low": f"{close * 0.99:.4f}",
                "close": f"{close:.4f}",
                "volume": "1000000",
            }
        )
    return rows


def submissions(accepted: dict[str, str] | None = None, forms: dict[str, str] | None = None) -> bytes:
    """The fixture, with some acceptance times and forms replaced (accession -> value)."""
    body = json.loads(SUBMISSIONS.read_text())
    recent = body["filings"]["recent"]
    for accession, stamp in (accepted or {}).items():
        recent["acceptanceDateTime"][recent["accessionNumber"].index(accession)] = stamp
    for accession, form in (forms or {}).items():
        recent["form"][recent["accessionNumber"].index(accession)] = form
    return json.dumps(body).encode()


def expected(rows: list[dict[str, str]], session: str) -> tuple[float, float, int, str]:
    """Independently: the session's close against the row before, in percent; its log return's
    z-score against the log returns dated in the 365 days before it (sample sd); the count."""
    dates = [dt.date.fromisoformat(r["date"]) for r in rows]
    closes = [float(r["close"]) for r in rows]
    i = dates.index(dt.date.fromisoformat(session))
    returns = {dates[k]: math.log(closes[k] / closes[k - 1]) for k in range(1, len(rows))}
    window = [r for d, r in returns.items() if dates[i] - dt.timedelta(days=365) <= d < dates[i]]
    z = (returns[dates[i]] - statistics.mean(window)) / statistics.stdev(window)
    return round((closes[i] / closes[i - 1] - 1) * 100, 2), round(z, 2), len(window), dates[i - 1].isoformat()


def run(srv: ReplayServer, tmp_path: Path, as_of: str, tickers: str = "AMZN"):
    env = {
        **srv.env(),
        "MARKETSHOCK_CACHE_DIR": str(tmp_path / "cache"),
        "MARKETSHOCK_SEC_USER_AGENT": "marketshock tests tests@example.com",
        "MARKETSHOCK_HTTP_RETRIES": "0",
    }
    result = invoke("earnings-capex", "--json", "--tickers", tickers, "--as-of", as_of, env=env)
    assert "Traceback" not in result.err, result.err
    return result, {c["ticker"]: c for c in result.json()["data"]["companies"]}


def test_a_release_after_the_close_is_answered_by_the_next_sessions_close(replay, tmp_path):
    rows = daily_rows(seed=1)
    replay.answers.extra_yahoo["AMZN"] = (rows, -18000)
    replay.answers.extra_submissions[AMZN] = submissions()
    result, companies = run(replay, tmp_path, "2026-02-09")
    amzn = companies["AMZN"]
    assert result.code == 0, result.err
    # 16:05 on 2026-02-05, after the close: the reaction is 2026-02-06's close against 2026-02-05's.
    assert amzn["release_accepted_at"] == "2026-02-05T16:05:12-05:00"
    assert amzn["release_timing"] == "after close"
    assert amzn["reaction_from_data_session"] == "2026-02-06"
    pct, z, n, prior = expected(rows, "2026-02-06")
    assert amzn["reaction_from_data_prior_session"] == prior == "2026-02-05"
    assert amzn["reaction_from_data_pct"] == pct
    assert (amzn["reaction_zscore"], amzn["reaction_zscore_observations"]) == (z, n)
    assert amzn["release_url"] == (
        "https://www.sec.gov/Archives/edgar/data/1018724/000101872426000002/0001018724-26-000002-index.htm"
    )


def test_the_curated_reaction_is_shown_beside_the_one_from_data(replay, tmp_path):
    replay.answers.extra_yahoo["AMZN"] = (daily_rows(seed=1), -18000)
    replay.answers.extra_submissions[AMZN] = submissions()
    _, companies = run(replay, tmp_path, "2026-02-09")
    amzn = companies["AMZN"]
    assert amzn["reaction_pct"] == -11.0  # the curated row's, as the bundled table has it
    assert amzn["reaction_from_data_pct"] is not None
    assert {s["provider"] for s in amzn["sources"]} >= {"curated", "SEC EDGAR", "Yahoo Finance"}


def test_a_release_before_the_open_is_answered_by_that_sessions_close(replay, tmp_path):
    rows = daily_rows(seed=2)
    replay.answers.extra_yahoo["AMZN"] = (rows, -18000)
    # 12:00 UTC is 07:00 in New York: before the open (read as New York time it would be midday).
    replay.answers.extra_submissions[AMZN] = submissions({"0001018724-26-000002": "2026-02-05T12:00:00.000Z"})
    _, companies = run(replay, tmp_path, "2026-02-09")
    amzn = companies["AMZN"]
    assert (amzn["release_accepted_at"], amzn["release_timing"]) == ("2026-02-05T07:00:00-05:00", "before open")
    pct, z, _, prior = expected(rows, "2026-02-05")
    assert (amzn["reaction_from_data_session"], amzn["reaction_from_data_prior_session"]) == ("2026-02-05", prior)
    assert (amzn["reaction_from_data_pct"], amzn["reaction_zscore"]) == (pct, z)


def test_a_release_accepted_after_the_as_of_date_is_not_known(replay, tmp_path):
    replay.answers.extra_yahoo["AMZN"] = (daily_rows(seed=3), -18000)
    replay.answers.extra_submissions[AMZN] = submissions()
    _, companies = run(replay, tmp_path, "2026-05-01")  # the 2026-04-30 release is known by now ...
    assert companies["AMZN"]["release_accepted_at"].startswith("2026-04-30")
    _, companies = run(replay, tmp_path, "2026-04-29")  # ... but not the day before it
    assert companies["AMZN"]["release_accepted_at"].startswith("2026-02-05")


def test_the_reaction_session_after_the_as_of_date_is_a_gap_not_a_figure(replay, tmp_path):
    replay.answers.extra_yahoo["AMZN"] = (daily_rows(seed=4), -18000)
    replay.answers.extra_submissions[AMZN] = submissions()
    result, companies = run(replay, tmp_path, "2026-02-05")  # released after that day's close
    amzn = companies["AMZN"]
    assert result.code == 0, result.err
    assert amzn["release_timing"] == "after close" and amzn["reaction_from_data_pct"] is None
    assert "from data: the reaction session 2026-02-06 is after the as-of date 2026-02-05" in amzn["gaps"]


def test_a_missing_session_bar_is_a_gap_not_a_longer_move(replay, tmp_path):
    rows = [r for r in daily_rows(seed=5) if r["date"] != "2026-02-05"]
    replay.answers.extra_yahoo["AMZN"] = (rows, -18000)
    replay.answers.extra_submissions[AMZN] = submissions()
    _, companies = run(replay, tmp_path, "2026-02-09")
    amzn = companies["AMZN"]
    assert amzn["reaction_from_data_pct"] is None and amzn["reaction_zscore"] is None
    assert any(g.startswith("from data:") and "2026-02-05" in g for g in amzn["gaps"]), amzn["gaps"]


def test_a_truncated_submissions_body_is_one_stderr_line_and_the_rest_still_shows(replay, tmp_path):
    replay.answers.extra_yahoo["AMZN"] = (daily_rows(seed=6), -18000)
    body = submissions()
    replay.answers.extra_submissions[AMZN] = body[: len(body) // 2]
    result, companies = run(replay, tmp_path, "2026-02-09", tickers="AMZN,GOOGL")
    assert result.code == 3
    [line] = result.err_lines
    assert line.startswith("marketshock: ") and "AMZN earnings releases" in line
    assert [e["kind"] for e in result.json()["errors"]] == ["bad-response"]
    amzn = companies["AMZN"]
    assert amzn["capex_actual_usd"] is not None and amzn["reaction_pct"] == -11.0  # the other figures stay
    assert amzn["reaction_from_data_pct"] is None and amzn["release_accepted_at"] is None
    assert companies["GOOGL"]["capex_actual_usd"] is not None


def test_the_table_shows_both_reactions_side_by_side(replay, tmp_path):
    rows = daily_rows(seed=1)
    replay.answers.extra_yahoo["AMZN"] = (rows, -18000)
    replay.answers.extra_submissions[AMZN] = submissions()
    env = {
        **replay.env(),
        "MARKETSHOCK_CACHE_DIR": str(tmp_path / "cache"),
        "MARKETSHOCK_SEC_USER_AGENT": "marketshock tests tests@example.com",
        "COLUMNS": "80",
    }
    result = invoke("earnings-capex", "--tickers", "AMZN", "--as-of", "2026-02-09", env=env)
    pct, z, _, _ = expected(rows, "2026-02-06")
    row = next(line for line in result.out.splitlines() if line.startswith("AMZN "))  # the table's row
    assert "-11.0%" in row and f"{pct:+.2f}% z {z:+.2f}" in row  # curated, then from data
    assert "AMZN from data: 8-K Item 2.02 accepted 2026-02-05 16:05 ET (after close)" in result.out


def intraday_body(
    symbol: str, day: dt.date, regular_close: float, post_last: float, late_post: float | None = None
) -> bytes:
    """Yahoo's chart API answer for 5-minute bars with includePrePost=true on one day, in the
    recorded shape (yahoo_chart_TSLA_30m_2021-11-22_includePrePost-true.json): `meta.tradingPeriods`
    splits pre (04:00), regular (09:30) and post (16:00-20:00) New York time. Prices are placeholders
    that end the regular session at `regular_close` and the post-market at `post_last`, or at
    `late_post` from 19:00 on when given."""
    offset = -18000  # EST
    start = int(dt.datetime.combine(day, dt.time(4, 0), tzinfo=dt.UTC).timestamp()) - offset
    opens, closes, post_ends = start + 5.5 * 3600, start + 12 * 3600, start + 16 * 3600
    stamps = list(range(start, int(post_ends), 300))
    late = start + 15 * 3600 if late_post is not None else post_ends  # 19:00 New York (EST)
    prices = [regular_close if t < closes else post_last if t < late else late_post for t in stamps]

    def period(a: float, b: float) -> list[list[dict[str, object]]]:
        return [[{"timezone": "EST", "start": int(a), "end": int(b), "gmtoffset": offset}]]

    meta = {
        "currency": "USD",
        "symbol": symbol,
        "instrumentType": "EQUITY",
        "gmtoffset": offset,
        "timezone": "EST",
        "exchangeTimezoneName": "America/New_York",
        "dataGranularity": "5m",
        "tradingPeriods": {
            "pre": period(start, opens),
            "regular": period(opens, closes),
            "post": period(closes, post_ends),
        },
    }
    quote = {"open": prices, "high": prices, "low": prices, "close": prices, "volume": [1000] * len(prices)}
    body = {"chart": {"result": [{"meta": meta, "timestamp": stamps, "indicators": {"quote": [quote]}}], "error": None}}
    return json.dumps(body).encode()


def test_after_an_after_close_release_the_after_hours_move_is_shown_where_yahoo_still_has_it(
    replay, tmp_path, monkeypatch
):
    from marketshock.providers import live

    # Two weeks after the release: Yahoo's 5-minute bars (60 days) still reach it.
    monkeypatch.setattr(live, "utc_now", lambda: dt.datetime(2026, 2, 20, 12, 0, tzinfo=dt.UTC))
    replay.answers.extra_yahoo["AMZN"] = (daily_rows(seed=7), -18000)
    replay.answers.extra_submissions[AMZN] = submissions()
    replay.answers.extra_yahoo_intraday["AMZN"] = intraday_body("AMZN", dt.date(2026, 2, 5), 232.99, 206.20)
    _, companies = run(replay, tmp_path, "2026-02-09")
    assert companies["AMZN"]["after_hours_pct"] == round((206.20 / 232.99 - 1) * 100, 2)


def test_after_hours_older_than_yahoos_intraday_bars_is_not_asked_for(replay, tmp_path):
    replay.answers.extra_yahoo["AMZN"] = (daily_rows(seed=7), -18000)
    replay.answers.extra_submissions[AMZN] = submissions()
    _, companies = run(replay, tmp_path, "2026-02-09")  # today is months after the release
    assert companies["AMZN"]["after_hours_pct"] is None
    assert replay.paths.count("/v8/finance/chart/AMZN") == 1  # the daily bars alone
    assert not any(g.startswith("after hours") for g in companies["AMZN"]["gaps"])


def test_a_session_not_yet_closed_is_a_gap_not_its_close(replay, tmp_path, monkeypatch):
    from marketshock.providers import live

    # 10:00 in New York on 2026-11-30: the session opened, its bar on Yahoo is still moving.
    monkeypatch.setattr(live, "utc_now", lambda: dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.UTC))
    replay.answers.extra_yahoo["AMZN"] = (daily_rows(seed=8, end="2026-11-30"), -18000)
    # 12:00 UTC is 07:00 in New York: before today's open.
    replay.answers.extra_submissions[AMZN] = submissions({"0001018724-26-000012": "2026-11-30T12:00:00.000Z"})
    result, companies = run(replay, tmp_path, "2026-11-30")
    amzn = companies["AMZN"]
    assert result.code == 0, result.err
    assert amzn["reaction_from_data_session"] is None and amzn["reaction_from_data_pct"] is None
    assert amzn["reaction_zscore"] is None
    assert "from data: the 2026-11-30 session has not closed yet" in amzn["gaps"]


def test_an_early_closed_session_is_closed_at_its_early_close(replay, tmp_path, monkeypatch):
    from marketshock.providers import live

    # 13:30 in New York on 2026-11-27: NYSE closed at 13:00 that day (the day after Thanksgiving).
    monkeypatch.setattr(live, "utc_now", lambda: dt.datetime(2026, 11, 27, 18, 30, tzinfo=dt.UTC))
    rows = daily_rows(seed=9, end="2026-11-27")
    replay.answers.extra_yahoo["AMZN"] = (rows, -18000)
    replay.answers.extra_submissions[AMZN] = submissions({"0001018724-26-000012": "2026-11-27T12:00:00.000Z"})
    _, companies = run(replay, tmp_path, "2026-11-27")
    pct, _, _, prior = expected(rows, "2026-11-27")
    amzn = companies["AMZN"]
    assert (amzn["reaction_from_data_session"], amzn["reaction_from_data_prior_session"]) == ("2026-11-27", prior)
    assert amzn["reaction_from_data_pct"] == pct


def test_a_release_known_only_by_its_amendment_says_so_in_the_basis(replay, tmp_path):
    replay.answers.extra_yahoo["AMZN"] = (daily_rows(seed=10), -18000)
    amended = {a: "8-K/A" for a in ("0001018724-26-000002", "0001018724-25-000123", "0001018724-26-000012")}
    replay.answers.extra_submissions[AMZN] = submissions(forms=amended)
    _, companies = run(replay, tmp_path, "2026-02-09")
    basis = companies["AMZN"]["reaction_from_data_basis"]
    assert basis.startswith("8-K/A Item 2.02 accepted 2026-02-05 16:05 ET")
    assert "an amendment: no original 8-K with Item 2.02 accepted by 2026-02-09" in basis


def test_an_older_release_with_an_unreadable_date_is_one_warning_and_the_latest_is_used(replay, tmp_path):
    rows = daily_rows(seed=11)
    replay.answers.extra_yahoo["AMZN"] = (rows, -18000)
    replay.answers.extra_submissions[AMZN] = submissions({"0001018724-25-000123": "not a time"})
    result, companies = run(replay, tmp_path, "2026-02-09")
    assert result.code == 0, result.err
    amzn = companies["AMZN"]
    assert amzn["release_accepted_at"] == "2026-02-05T16:05:12-05:00"
    assert amzn["reaction_from_data_pct"] == expected(rows, "2026-02-06")[0]
    [warning] = [w for w in result.json()["warnings"] if w["kind"] == "unreadable-filing"]
    assert warning["symbol"] == "AMZN" and "0001018724-25-000123" in warning["message"]


def test_an_as_of_date_before_the_recent_filings_says_the_older_ones_were_not_read(replay, tmp_path):
    replay.answers.extra_yahoo["AMZN"] = (daily_rows(seed=12), -18000)
    body = json.loads(submissions())
    body["filings"]["files"] = [{"name": "CIK0001018724-submissions-001.json", "filingFrom": "1997-05-15"}]
    replay.answers.extra_submissions[AMZN] = json.dumps(body).encode()
    oldest = min(body["filings"]["recent"]["filingDate"])
    result, companies = run(replay, tmp_path, "2025-01-15")
    assert result.code == 0, result.err
    gap = "from data: no 8-K with Item 2.02 by 2025-01-15 among the recent filings"
    gap += f" (from {oldest}); older filings not read"
    assert gap in companies["AMZN"]["gaps"]


def test_the_after_hours_move_runs_to_the_post_markets_20_00_close_in_winter(replay, tmp_path, monkeypatch):
    from marketshock.providers import live

    monkeypatch.setattr(live, "utc_now", lambda: dt.datetime(2026, 11, 10, 12, 0, tzinfo=dt.UTC))
    replay.answers.extra_yahoo["AMZN"] = (daily_rows(seed=13, end="2026-11-30"), -18000)
    # 21:30 UTC on 2026-11-02 is 16:30 EST (DST ended 2026-11-01): after the close.
    replay.answers.extra_submissions[AMZN] = submissions({"0001018724-26-000012": "2026-11-02T21:30:00.000Z"})
    # 100 at the close, 95 in the post-market until 18:55, 90 from 19:00 to 19:55 New York time.
    body = intraday_body("AMZN", dt.date(2026, 11, 2), 100.0, 95.0, late_post=90.0)
    replay.answers.extra_yahoo_intraday["AMZN"] = body
    _, companies = run(replay, tmp_path, "2026-11-05")
    assert companies["AMZN"]["release_timing"] == "after close"
    assert companies["AMZN"]["after_hours_pct"] == round((90.0 / 100.0 - 1) * 100, 2)


def test_a_release_on_a_holiday_evening_says_the_market_was_closed(replay, tmp_path, monkeypatch):
    from marketshock.providers import live

    monkeypatch.setattr(live, "utc_now", lambda: dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC))
    replay.answers.extra_yahoo["AMZN"] = (daily_rows(seed=14, end="2026-11-30"), -18000)
    # 21:30 UTC on Thanksgiving 2026-11-26 is 16:30 EST: no session that day.
    replay.answers.extra_submissions[AMZN] = submissions({"0001018724-26-000012": "2026-11-26T21:30:00.000Z"})
    env = {
        **replay.env(),
        "MARKETSHOCK_CACHE_DIR": str(tmp_path / "cache"),
        "MARKETSHOCK_SEC_USER_AGENT": "marketshock tests tests@example.com",
        "COLUMNS": "200",
    }
    result = invoke("earnings-capex", "--tickers", "AMZN", "--as-of", "2026-11-30", env=env)
    said = "accepted 2026-11-26 16:30 ET (market closed; before the next session's open)"
    assert f"8-K Item 2.02 {said}; 2026-11-27 close" in result.out, result.out
    _, companies = run(replay, tmp_path, "2026-11-30")
    assert companies["AMZN"]["release_timing"] == "before open"  # the JSON's value set is unchanged
    assert said in companies["AMZN"]["reaction_from_data_basis"]


def test_a_post_market_not_yet_closed_is_a_gap_not_its_last_trade(replay, tmp_path, monkeypatch):
    from marketshock.providers import live

    # 17:30 in New York (22:30 UTC) on 2026-11-30: the post-market runs to 20:00.
    monkeypatch.setattr(live, "utc_now", lambda: dt.datetime(2026, 11, 30, 22, 30, tzinfo=dt.UTC))
    replay.answers.extra_yahoo["AMZN"] = (daily_rows(seed=15, end="2026-11-30"), -18000)
    # 21:05 UTC is 16:05 EST: after today's close.
    replay.answers.extra_submissions[AMZN] = submissions({"0001018724-26-000012": "2026-11-30T21:05:00.000Z"})
    replay.answers.extra_yahoo_intraday["AMZN"] = intraday_body("AMZN", dt.date(2026, 11, 30), 100.0, 93.0)
    _, companies = run(replay, tmp_path, "2026-11-30")
    amzn = companies["AMZN"]
    assert amzn["after_hours_pct"] is None
    assert "after hours: the post-market of 2026-11-30 has not closed yet" in amzn["gaps"]


def test_a_row_without_the_curated_event_is_dated_by_its_reactions_session(replay, tmp_path, monkeypatch):
    # The curated report (2026-02-05) is months old: the row shows the actual and the reaction to
    # the latest 8-K, and is of that reaction's session, not of the 10-K filed in February.
    from marketshock.providers import live

    monkeypatch.setattr(live, "utc_now", lambda: dt.datetime(2026, 11, 10, 12, 0, tzinfo=dt.UTC))
    replay.answers.extra_yahoo["AMZN"] = (daily_rows(seed=15, end="2026-11-30"), -18000)
    # 21:30 UTC on 2026-11-02 is 16:30 EST: after the close, answered by 2026-11-03's session.
    replay.answers.extra_submissions[AMZN] = submissions({"0001018724-26-000012": "2026-11-02T21:30:00.000Z"})
    _, companies = run(replay, tmp_path, "2026-11-05")
    amzn = companies["AMZN"]
    assert amzn["reaction_from_data_session"] == "2026-11-03"
    assert (amzn["date"], amzn["age_days"], amzn["out_of_date"]) == ("2026-11-03", 2, False)
