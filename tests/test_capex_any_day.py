"""Issue 12: capex actuals from the SEC on any day, guidance and reactions only while recent.

The stand-in (tests/replay_server.py) serves the SEC's company-concept format; Amazon's is the
real recorded body (tests/fixtures/real/sec_companyfacts_AMZN_*.json), read here on its own to
check the figure independently.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from harness import invoke
from replay_server import ReplayServer

FIXTURES = Path(__file__).parent / "fixtures" / "real"


@pytest.fixture(scope="module")
def replay():
    srv = ReplayServer("replay").start()
    try:
        yield srv
    finally:
        srv.stop()


def capex(srv: ReplayServer, tmp_path: Path, as_of: str) -> tuple[dict[str, dict], list]:
    env = {
        **srv.env(),
        "MARKETSHOCK_CACHE_DIR": str(tmp_path / "cache"),
        "MARKETSHOCK_SEC_USER_AGENT": "marketshock tests tests@example.com",
        "MARKETSHOCK_HTTP_TIMEOUT": "10",
        "MARKETSHOCK_HTTP_RETRIES": "0",
    }
    result = invoke("earnings-capex", "--json", "--as-of", as_of, env=env)
    assert "Traceback" not in result.err, result.err
    envelope = result.json()
    return {c["ticker"]: c for c in envelope["data"]["companies"]}, envelope["errors"]


def amzn_fy_capex(as_of: dt.date) -> tuple[int, float]:
    """Straight from the recorded body: the latest fiscal year of a 10-K filed by as_of."""
    [path] = FIXTURES.glob("sec_companyfacts_AMZN_*.json")
    facts = [
        f
        for f in json.loads(path.read_text())["units"]["USD"]
        if f["form"] in ("10-K", "10-K/A")
        and f["fp"] == "FY"
        and dt.date.fromisoformat(f["filed"]) <= as_of
        and 350 <= (dt.date.fromisoformat(f["end"]) - dt.date.fromisoformat(f["start"])).days <= 380
    ]
    end = max(f["end"] for f in facts)
    latest = max((f for f in facts if f["end"] == end), key=lambda f: f["filed"])
    return int(end[:4]), float(latest["val"])


def test_before_the_curated_reports_the_last_filed_10k_is_shown_for_every_company(replay, tmp_path):
    companies, errors = capex(replay, tmp_path, "2025-12-01")
    assert errors == []
    amzn = companies["AMZN"]
    assert (amzn["capex_actual_year"], amzn["capex_actual_usd"]) == (2024, 82_999_000_000)
    assert (amzn["capex_actual_year"], amzn["capex_actual_usd"]) == amzn_fy_capex(dt.date(2025, 12, 1))
    assert amzn["name"] == "Amazon"
    # Calendar-year companies: FY2024 (10-K filed early 2025); Microsoft's year ends in June: FY2025.
    assert {t: c["capex_actual_year"] for t, c in companies.items() if c["capex_actual_usd"]} == {
        "AMZN": 2024,
        "GOOGL": 2024,
        "META": 2024,
        "MSFT": 2025,
    }
    for ticker in ("AMZN", "GOOGL", "META", "MSFT"):
        c = companies[ticker]
        assert c["capex_actual_basis"].startswith("SEC XBRL"), ticker
        assert dt.date.fromisoformat(c["report_date"]) <= dt.date(2025, 12, 1)  # the 10-K's filing day
        assert c["capex_guidance_high_usd"] is None and c["reaction_pct"] is None
        assert "no guidance in the curated table as of 2025-12-01" in c["gaps"]
        assert [s["provider"] for s in c["sources"]] == ["SEC EDGAR"]  # nothing of the later report
    # Qualcomm files no capex fact the stand-in has: a gap that says so, not a silent blank.
    assert companies["QCOM"]["capex_actual_usd"] is None
    assert any(g.startswith("SEC: no full-year 10-K") for g in companies["QCOM"]["gaps"])
    assert companies["QCOM"]["date"] is None and companies["QCOM"]["age_days"] is None


def test_an_sec_capex_fact_is_a_primary_source_published_the_day_its_10k_was_filed(replay, tmp_path):
    companies, _ = capex(replay, tmp_path, "2026-02-06")
    [sec] = [s for s in companies["GOOGL"]["sources"] if s["provider"] == "SEC EDGAR"]
    assert (sec["quality"], sec["published"]) == ("primary", "2026-02-05")  # acc. 0001652044-26-000018
    assert sec["reference"].startswith("https://data.sec.gov/api/xbrl/companyconcept/CIK0001652044/")


def test_guidance_and_reactions_older_than_120_days_are_not_shown(replay, tmp_path):
    companies, _ = capex(replay, tmp_path, "2026-11-30")
    for ticker, c in companies.items():
        assert c["capex_guidance_high_usd"] is None and c["reaction_pct"] is None, ticker
        assert c["guidance_growth_pct"] is None and c["reaction_date"] is None, ticker
        if ticker != "QCOM":  # Qualcomm's row has neither guidance nor a reaction to leave out
            assert any("no guidance in the curated table within 120 days" in g for g in c["gaps"]), ticker
    assert companies["AMZN"]["capex_actual_year"] == 2025  # the FY2025 10-K, filed in February 2026


def test_guidance_is_shown_up_to_120_days_after_its_report(replay, tmp_path):
    companies, _ = capex(replay, tmp_path, "2026-06-05")
    amzn, meta = companies["AMZN"], companies["META"]
    assert (dt.date(2026, 6, 5) - dt.date.fromisoformat(amzn["report_date"])).days == 120
    assert amzn["capex_guidance_high_usd"] == 200e9 and amzn["reaction_pct"] is not None
    assert amzn["out_of_date"] is True and amzn["age_days"] == 120  # shown, and marked: a curated event past 14 days
    assert (dt.date(2026, 6, 5) - dt.date.fromisoformat(meta["report_date"])).days == 128
    assert meta["capex_guidance_high_usd"] is None and meta["reaction_pct"] is None
    assert meta["capex_actual_usd"] is not None  # the actual stays: the last fiscal year known


def test_a_row_of_the_users_own_curated_file_is_shown_whatever_its_age(replay, tmp_path):
    import csv
    import io
    from importlib.resources import files

    bundled = files("marketshock.data").joinpath("capex_curated.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(bundled)))
    mine = tmp_path / "my_capex.csv"
    with mine.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(r for r in rows if r["ticker"] == "AMZN")
    config = tmp_path / "config.toml"
    config.write_text(f"[curated]\ncapex_file = {json.dumps(str(mine))}\n")
    env = {
        **replay.env(),
        "MARKETSHOCK_CONFIG": str(config),
        "MARKETSHOCK_CACHE_DIR": str(tmp_path / "cache"),
        "MARKETSHOCK_SEC_USER_AGENT": "marketshock tests tests@example.com",
        "MARKETSHOCK_HTTP_RETRIES": "0",
    }
    result = invoke("earnings-capex", "--json", "--as-of", "2026-11-30", env=env)
    companies = {c["ticker"]: c for c in result.json()["data"]["companies"]}
    assert companies["AMZN"]["capex_guidance_high_usd"] == 200e9  # the user's own row: shown, 298 days on
    assert companies["AMZN"]["out_of_date"] is True  # and marked as old
    assert companies["GOOGL"]["capex_guidance_high_usd"] is None  # the bundled table's: past 120 days


def msft_last_10k_filed(as_of: dt.date) -> dt.date:
    """Straight from the recorded body: the filing day of the latest full-year 10-K fact filed by as_of."""
    body = json.loads((FIXTURES / "sec_companyfacts_MSFT_trimmed_us-gaap.json").read_text())
    facts = [
        f
        for concept in body["facts"]["us-gaap"].values()
        for f in concept["units"].get("USD", [])
        if f.get("form") in ("10-K", "10-K/A") and f.get("fp") == "FY" and dt.date.fromisoformat(f["filed"]) <= as_of
    ]
    end = max(f["end"] for f in facts)
    return max(dt.date.fromisoformat(f["filed"]) for f in facts if f["end"] == end)


def test_a_row_showing_the_actual_alone_is_dated_by_the_day_its_10k_was_filed(replay, tmp_path):
    companies, _ = capex(replay, tmp_path, "2026-11-30")
    msft = companies["MSFT"]
    assert msft["capex_guidance_high_usd"] is None and msft["reaction_pct"] is None  # the report is 306 days old
    filed = dt.date.fromisoformat(msft["date"])
    assert filed == msft_last_10k_filed(dt.date(2026, 11, 30)) == dt.date(2026, 7, 29)
    assert msft["age_days"] == (dt.date(2026, 11, 30) - filed).days == 124
    assert msft["out_of_date"] is False  # a yearly figure 124 days after its filing is the latest there is


def test_a_curated_guidance_note_is_not_shown_once_its_report_is_older_than_120_days(replay, tmp_path):
    old, _ = capex(replay, tmp_path, "2026-11-30")
    recent, _ = capex(replay, tmp_path, "2026-02-15")
    note = "guidance: Microsoft gave no dollar figure for FY2026 capex"
    assert note in recent["MSFT"]["gaps"]  # 18 days after the report: it explains the n/a guidance
    assert note not in old["MSFT"]["gaps"]


NVDA_CIK = 1045810  # in the SEC's ticker map (tests/fixtures/real/sec_company_tickers.json); no curated row


@pytest.fixture
def nvda_10k(replay):
    """NVIDIA's FY2025 10-K capex fact (filed 2025-02-26), as the company-concept API gives it."""
    fact = {"start": "2024-01-29", "end": "2025-01-26", "val": 3236000000, "accn": "0001045810-25-000023",
            "fy": 2025, "fp": "FY", "form": "10-K", "filed": "2025-02-26"}  # fmt: skip
    replay.answers.extra_sec[NVDA_CIK] = {"PaymentsToAcquirePropertyPlantAndEquipment": {"USD": [fact]}}
    try:
        yield replay
    finally:
        replay.reset()  # the stand-in keeps the answers it built: gone with the fact


def nvda_capex(srv: ReplayServer, tmp_path: Path, *args: str):
    env = {
        **srv.env(),
        "MARKETSHOCK_CACHE_DIR": str(tmp_path / "cache"),
        "MARKETSHOCK_SEC_USER_AGENT": "marketshock tests tests@example.com",
        "MARKETSHOCK_HTTP_RETRIES": "0",
    }
    return invoke("earnings-capex", *args, env=env)


def test_an_annual_actual_is_out_of_date_more_than_410_days_after_its_filing(nvda_10k, tmp_path):
    result = nvda_capex(nvda_10k, tmp_path, "-t", "NVDA", "--json", "--as-of", "2026-11-30")
    [nvda] = result.json()["data"]["companies"]
    assert nvda["capex_actual_usd"] == 3_236_000_000
    assert (nvda["date"], nvda["age_days"], nvda["out_of_date"]) == ("2025-02-26", 642, True)


def test_the_table_marks_an_out_of_date_actual_by_the_day_it_was_filed(nvda_10k, tmp_path):
    result = nvda_capex(nvda_10k, tmp_path, "-t", "NVDA", "--as-of", "2026-11-30")
    assert "(actual 2025-02-26, 642 days old)" in result.out


def test_a_company_the_sec_knows_with_no_capex_fact_is_a_row_of_absences(replay, tmp_path):
    # The stand-in answers 404 for both capex concepts of NVIDIA: never filed under them.
    result = nvda_capex(replay, tmp_path, "-t", "NVDA", "--json", "--as-of", "2025-12-01")
    assert result.code == 0, result.err
    [nvda] = result.json()["data"]["companies"]
    assert (nvda["ticker"], nvda["name"], nvda["capex_actual_usd"]) == ("NVDA", "NVIDIA CORP", None)
    assert "SEC: no full-year 10-K capex fact filed on or before 2025-12-01" in nvda["gaps"]
    assert result.json()["errors"] == []


def test_a_company_with_no_capex_fact_leaves_the_other_rows_and_the_exit_code_alone(replay, tmp_path):
    result = nvda_capex(replay, tmp_path, "-t", "NVDA,AMZN", "--as-of", "2025-12-01")
    assert result.code == 0, result.err
    assert "NVDA: n/a, SEC: no full-year 10-K capex fact filed on or before 2025-12-01" in result.out
    assert "$83B (FY2024)" in result.out  # Amazon's row


def test_a_ticker_the_sec_map_does_not_know_is_still_a_usage_error(replay, tmp_path):
    result = nvda_capex(replay, tmp_path, "-t", "NOSUCHCO", "--as-of", "2025-12-01")
    assert result.code == 2
    assert "NOSUCHCO" in result.err and result.out == ""
