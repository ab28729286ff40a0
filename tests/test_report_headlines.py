"""`report` headlines: the most unusual fact first, each saying why, the facts unchanged."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from harness import invoke
from marketshock.models.results.labor import JobCuts, LaborResult
from marketshock.models.results.report import Headline, ReportResult
from marketshock.models.series import Source
from marketshock.runner import Request, execute
from marketshock.sections import report


@pytest.fixture(scope="module")
def default_report() -> ReportResult:
    outcome = execute(Request(command="report", offline=True))
    assert outcome.errors == []
    return outcome.result  # type: ignore[return-value]


@pytest.fixture(scope="module")
def shock_day_report() -> ReportResult:
    return execute(Request(command="report", offline=True, as_of="2026-02-05")).result  # type: ignore[return-value]


def ranked_part(lines: list[Headline]) -> list[Headline]:
    return [h for h in lines if h.rank_sigma is not None]


def test_headlines_keep_the_facts_the_integrator_relies_on(default_report):
    texts = [h.text for h in default_report.headlines]
    assert any(
        t.startswith(
            "Bitcoin touched $60,074 on 2026-02-06, its lowest since 2024-10-11 (16-month low); -16.1% on the week"
        )
        for t in texts
    )
    assert "Challenger: 108,435 job cuts in January 2026, the most for a January since 2009 (17-year high)" in texts


def test_headlines_are_ordered_most_unusual_first_and_unranked_last(default_report):
    lines = default_report.headlines
    ranked = ranked_part(lines)
    assert len(ranked) >= 3
    assert lines[: len(ranked)] == ranked
    assert [h.rank_sigma for h in ranked] == sorted((h.rank_sigma for h in ranked), reverse=True)


def test_every_headline_says_why(default_report):
    assert all(h.why for h in default_report.headlines)
    for h in ranked_part(default_report.headlines):
        assert h.rank_basis


def test_bitcoins_rebound_day_leads_with_its_sigma_and_since_date(default_report):
    first = default_report.headlines[0]
    assert first.section == "crypto" and first.text.startswith("Bitcoin")
    assert first.zscore is not None and first.zscore > 5
    assert first.rank_sigma == pytest.approx(abs(first.zscore))
    assert first.why.startswith(f"a {abs(first.zscore):.1f}-sigma day: closed +12.5%, the largest one-day rise since ")


def test_the_job_cuts_superlative_is_ranked_by_its_rank_among_januaries(default_report):
    cuts = next(h for h in default_report.headlines if h.section == "labor" and h.text.startswith("Challenger"))
    assert cuts.zscore is None
    assert cuts.rank_basis.startswith("superlative: the highest of the last 17 January figures, a 1-in-17 rank")
    assert cuts.rank_sigma == pytest.approx(1.56, abs=0.01)
    assert "since 2009" in cuts.why


def test_on_the_shock_day_silver_gets_its_own_headline_between_bitcoin_and_ether(shock_day_report):
    lines = shock_day_report.headlines
    order = [h.text.split(" ")[0] for h in ranked_part(lines)]
    assert order[:3] == ["Bitcoin", "iShares", "Ether"]
    silver = lines[1]
    assert silver.section == "shock"
    assert silver.text == "iShares Silver Trust (SLV, silver proxy) -15.8% on 2026-02-05"
    # "the largest one-day fall since 2026-01-30" spans six days: no news, so not said
    assert silver.why == "a 5.5-sigma day; the worst week in the data (since 2006-04-28)"
    btc = lines[0]
    assert "a 6.9-sigma day: closed -14.1%, the largest one-day fall since 2022-11-09" in btc.why


def test_rank_puts_larger_sigma_first_and_keeps_unranked_lines_in_order():
    lines = [
        Headline(section="a", text="unranked 1"),
        Headline(section="b", text="small", rank_sigma=1.0),
        Headline(section="c", text="unranked 2"),
        Headline(section="d", text="large", rank_sigma=4.2),
    ]
    assert [h.text for h in report.rank(lines)] == ["large", "small", "unranked 1", "unranked 2"]


def test_a_record_job_cuts_month_with_no_earlier_data_is_no_headline():
    cuts = JobCuts(
        month="2026-01",
        value=1000,
        highest_same_month_since=None,
        years_since=None,
        highest_in_data=True,
        rank_text="",
        same_month_history=[(2026, 1000)],
        change_yoy_pct=None,
        released=dt.date(2026, 2, 5),
        source=Source(provider="test"),
    )
    labor = LaborResult(job_cuts=cuts, claims=None, claims_first_print=None, recent_initial_claims=[])
    assert report.labor_headlines(labor) == []


def test_report_table_opens_with_the_ranked_headlines_and_their_reasons():
    run = invoke("report", "--offline", "--no-color", env={"COLUMNS": "400"})
    assert run.code == 0, run.err
    header, first = run.out.splitlines()[:2]
    assert header == "marketshock report: as of 2026-02-06, bundled dataset (--offline)"
    assert first.startswith("- Bitcoin touched $60,074")
    assert "-sigma day" in first


def test_without_move_statistics_a_crypto_low_is_ranked_by_the_days_it_undercut(default_report):
    alone = ReportResult(headlines=[], crypto=default_report.crypto, labor=default_report.labor)
    lines = report.headlines(alone)
    btc = next(h for h in lines if h.text.startswith("Bitcoin"))
    assert btc.zscore is None
    undercut = (dt.date(2026, 2, 6) - dt.date(2024, 10, 11)).days - 1
    assert btc.rank_basis.startswith(f"superlative: the lowest of the last {undercut + 1} days")
    assert "none since 2024-10-11 was lower" in btc.why
    assert btc.rank_sigma == pytest.approx(1.95, abs=0.01)  # tail about 1 / sqrt(pi * 482)


# --- only the significant facts (issue 13) --------------------------------------------------------


@pytest.fixture(scope="module")
def quiet_day_report() -> ReportResult:
    return execute(Request(command="report", offline=True, as_of="2024-06-03")).result  # type: ignore[return-value]


def test_at_most_six_headlines_by_default(default_report):
    assert len(default_report.headlines) == 6


def test_caveats_stay_in_their_section_and_never_make_a_headline(default_report, quiet_day_report):
    for line in default_report.headlines + quiet_day_report.headlines:
        assert "not ranked" not in line.why
        assert not re.search(r"\b0-month", line.text)


def test_on_a_quiet_day_no_headline_rests_on_a_short_span_or_a_small_z(quiet_day_report):
    for line in quiet_day_report.headlines:
        assert line.zscore is None or abs(line.zscore) >= 2
        for since in re.findall(r"since ([0-9]{4}-[0-9]{2}-[0-9]{2})", line.text + " " + line.why):
            assert (dt.date(2024, 6, 3) - dt.date.fromisoformat(since)).days >= 30, line


def test_a_span_under_a_month_is_said_in_days():
    assert report.span_words(dt.date(2024, 5, 1), dt.date(2024, 5, 31)) == "30-day"
    assert report.span_words(dt.date(2024, 10, 11), dt.date(2026, 2, 6)) == "16-month"


def test_the_thresholds_and_the_limit_come_from_the_rules(default_report):
    strict = report.headlines(default_report, report.Rules(zscore=3.0, superlative_months=240, limit=6))
    assert [h.text.split(" ")[0] for h in strict] == ["Bitcoin", "Ether", "KOSPI"]
    assert len(report.headlines(default_report, report.Rules(limit=2))) == 2


def test_the_config_sets_the_headline_limit(monkeypatch):
    monkeypatch.setenv("MARKETSHOCK_REPORT_HEADLINES", "2")
    assert len(execute(Request(command="report", offline=True)).result.headlines) == 2  # type: ignore[union-attr]
