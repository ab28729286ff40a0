"""Issue 12: every row says how old its figure is, and old figures are marked and never headlines.

The stand-ins (tests/replay_server.py, each provider's real format, on 127.0.0.1) serve series
that end in the spring of 2026 and the curated tables stop in February 2026: as of 2026-11-30
every figure is months old; as of a day inside the data none is.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from harness import invoke
from marketshock.models.results.indices import IndexRow, IndicesResult
from marketshock.models.results.labor import ClaimsWeek, JobCuts, LaborResult
from marketshock.models.results.shock import MoveStats, PairCorrelation, ShockResult, WindowChange
from marketshock.sections import freshness
from replay_server import ReplayServer

AS_OF = dt.date(2026, 11, 30)


@pytest.fixture(scope="module")
def replay():
    srv = ReplayServer("replay").start()
    try:
        yield srv
    finally:
        srv.stop()


def live(srv: ReplayServer, tmp_path: Path, *args: str):
    env = {
        **srv.env(),
        "MARKETSHOCK_CACHE_DIR": str(tmp_path / "cache"),
        "MARKETSHOCK_SEC_USER_AGENT": "marketshock tests tests@example.com",
        "MARKETSHOCK_HTTP_TIMEOUT": "10",
        "MARKETSHOCK_HTTP_RETRIES": "0",
        "MARKETSHOCK_WATCHLIST_INDICES": "KOSPI,MSCI-APXJ,VIX",  # the index series the stand-ins have
        "NO_COLOR": "1",
        "COLUMNS": "220",
    }
    result = invoke(*args, env=env)
    assert "Traceback" not in result.err, result.err
    return result


def dated_rows(value, path=""):
    """Every (path, row) of a JSON value that carries `out_of_date`."""
    if isinstance(value, dict):
        if "out_of_date" in value:
            yield path, value
        for key, item in value.items():
            yield from dated_rows(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from dated_rows(item, f"{path}[{i}]")


def test_ten_months_after_the_data_every_figure_is_out_of_date_and_none_is_a_headline(replay, tmp_path):
    result = live(replay, tmp_path, "report", "--json", "--as-of", AS_OF.isoformat())
    assert result.code in (0, 3), result.err
    data = result.json()["data"]
    rows = list(dated_rows(data))
    assert len(rows) > 20
    for path, row in rows:
        assert "date" in row, path
        if row["date"] is None:  # a row with no figure (an index with no reported move): nothing to age
            assert row["age_days"] is None and row["out_of_date"] is False, path
            continue
        day = dt.date.fromisoformat(row["date"])
        assert row["age_days"] == (AS_OF - day).days, path
        if path.startswith(".earnings-capex"):
            # The curated reports (February) are past 120 days: no guidance, no reaction; what
            # is left is the last 10-K's yearly actual, which is not due again until next year.
            assert row["capex_guidance_high_usd"] is None and row["reaction_pct"] is None, path
            assert row["out_of_date"] is (row["age_days"] > 410), path
            continue
        assert row["out_of_date"] is True, path
    assert data["headlines"] == []
    for section in ("indices", "earnings-capex", "labor", "crypto", "shock"):
        assert any(p.startswith(f".{section}") for p, _ in rows), section


def test_the_tables_mark_old_rows_and_the_report_opens_with_how_many(replay, tmp_path):
    as_json = live(replay, tmp_path, "report", "--json", "--as-of", AS_OF.isoformat()).json()["data"]
    old = sum(1 for _, row in dated_rows(as_json) if row["out_of_date"])
    table = live(replay, tmp_path, "report", "--as-of", AS_OF.isoformat())
    first = table.out.splitlines()[0]
    assert first == f"marketshock report: as of {AS_OF}, live data; {old} figures out of date"
    kospi = next(line for line in table.out.splitlines() if line.startswith("KOSPI "))
    day = next(row["date"] for _, row in dated_rows(as_json) if row.get("symbol") == "KOSPI")
    assert f"{day}, {(AS_OF - dt.date.fromisoformat(day)).days} days old" in kospi
    assert "No headline" in table.out


def test_with_data_up_to_the_day_before_nothing_is_out_of_date(replay, tmp_path):
    # 2026-02-10: the bars run past it, the latest curated event (a report on 2026-01-28) is 13 days old.
    result = live(replay, tmp_path, "report", "--json", "--as-of", "2026-02-10")
    data = result.json()["data"]
    rows = list(dated_rows(data))
    assert rows and not [path for path, row in rows if row["out_of_date"]]
    # Each row is of its cadence's latest day (ETF flow months are dated by the month's end).
    assert all(row["age_days"] is None or 0 <= row["age_days"] <= 14 for p, row in rows if "etf_flows" not in p)
    assert data["headlines"]
    header = live(replay, tmp_path, "report", "--as-of", "2026-02-10").out.splitlines()[0]
    assert "out of date" not in header


def test_the_bundled_report_has_nothing_out_of_date(tmp_path):
    result = invoke("report", "--offline", "--json")
    assert result.code == 0
    rows = list(dated_rows(result.json()["data"]))
    assert rows and not any(row["out_of_date"] for _, row in rows)


def row(kind: str, day: dt.date) -> IndexRow:
    return IndexRow.model_construct(kind=kind, date=day, age_days=None, out_of_date=False)


@pytest.mark.parametrize(
    ("kind", "allowed"),
    [("index", 4), ("ETF proxy", 4), ("index (moves only)", 14)],
)
def test_an_exchange_close_and_a_curated_move_are_out_of_date_past_their_cadence(kind, allowed):
    fresh, late = row(kind, AS_OF - dt.timedelta(days=allowed)), row(kind, AS_OF - dt.timedelta(days=allowed + 1))
    freshness.stamp(IndicesResult.model_construct(indices=[fresh, late]), AS_OF)
    assert (fresh.age_days, fresh.out_of_date) == (allowed, False)
    assert (late.age_days, late.out_of_date) == (allowed + 1, True)


@pytest.mark.parametrize(("kind", "allowed"), [("crypto", 1), ("ETF proxy", 4), ("index", 4)])
def test_a_move_ages_by_its_market(kind, allowed):
    moves = [
        MoveStats.model_construct(
            symbol=f"S{d}", kind=kind, date=AS_OF - dt.timedelta(days=d), age_days=None, out_of_date=False
        )
        for d in (allowed, allowed + 1)
    ]
    freshness.stamp(ShockResult.model_construct(moves=moves, window_changes=[], correlations=[]), AS_OF)
    assert [m.out_of_date for m in moves] == [False, True]


def test_claims_and_job_cuts_age_by_week_and_by_release():
    def week(days: int) -> ClaimsWeek:
        return ClaimsWeek.model_construct(week_ending=AS_OF - dt.timedelta(days=days), date=None)

    cuts = JobCuts.model_construct(month="2026-10", released=AS_OF - dt.timedelta(days=46), date=None)
    labor = LaborResult.model_construct(
        job_cuts=cuts, claims=week(13), claims_first_print=week(14), claims_later_revision=None
    )
    freshness.stamp(labor, AS_OF)
    assert labor.claims is not None and labor.claims_first_print is not None
    assert (labor.claims.date, labor.claims.out_of_date) == (AS_OF - dt.timedelta(days=13), False)
    assert labor.claims_first_print.out_of_date is True
    assert (cuts.date, cuts.age_days, cuts.out_of_date) == (AS_OF - dt.timedelta(days=46), 46, True)


def test_the_count_adds_every_out_of_date_row():
    rows = [row("index", AS_OF - dt.timedelta(days=d)) for d in (0, 5, 30)]
    result = IndicesResult.model_construct(indices=rows)
    freshness.stamp(result, AS_OF)
    assert freshness.count(result) == 2
    assert json.loads(json.dumps([x.out_of_date for x in rows])) == [False, True, True]


def shock_of(kinds: dict[str, str], **rows: list) -> ShockResult:
    """A shock result with a move of each symbol's kind (the market its other rows age by)."""
    moves = [MoveStats.model_construct(symbol=s, kind=k, date=None) for s, k in kinds.items()]
    return ShockResult.model_construct(moves=moves, **{"window_changes": [], "correlations": [], **rows})


@pytest.mark.parametrize(("kind", "allowed"), [("crypto", 1), ("ETF proxy", 4), ("index", 4)])
def test_a_window_change_is_dated_by_its_last_close_and_ages_by_its_market(kind, allowed):
    changes = [
        WindowChange.model_construct(symbol="X", end_date=AS_OF - dt.timedelta(days=d), date=None)
        for d in (allowed, allowed + 1)
    ]
    freshness.stamp(shock_of({"X": kind}, window_changes=changes), AS_OF)
    assert [(c.date, c.age_days, c.out_of_date) for c in changes] == [
        (AS_OF - dt.timedelta(days=allowed), allowed, False),
        (AS_OF - dt.timedelta(days=allowed + 1), allowed + 1, True),
    ]


@pytest.mark.parametrize(("b_kind", "allowed"), [("crypto", 1), ("ETF proxy", 4)])
def test_a_correlation_ages_by_its_latest_common_return_on_the_slower_market(b_kind, allowed):
    pairs = [
        PairCorrelation.model_construct(a="BTC", b="B", date=AS_OF - dt.timedelta(days=d))
        for d in (allowed, allowed + 1)
    ]
    freshness.stamp(shock_of({"BTC": "crypto", "B": b_kind}, correlations=pairs), AS_OF)
    assert [(p.age_days, p.out_of_date) for p in pairs] == [(allowed, False), (allowed + 1, True)]


def test_a_correlation_is_dated_by_its_latest_common_return_not_by_the_as_of_date(replay, tmp_path):
    data = live(replay, tmp_path, "shock", "--json", "--as-of", AS_OF.isoformat()).json()["data"]
    last_close = {c["symbol"]: c["end_date"] for c in data["window_changes"]}
    pair = next(p for p in data["correlations"] if (p["a"], p["b"]) == ("BTC", "SPY"))
    assert pair["end"] == AS_OF.isoformat()  # the window still ends on the as-of date
    # Bitcoin trades every day: the latest common return is SPY's last session.
    assert pair["date"] == last_close["SPY"]
    assert pair["age_days"] == (AS_OF - dt.date.fromisoformat(last_close["SPY"])).days
    assert pair["out_of_date"] is True


def test_the_shock_window_title_and_rows_are_marked_when_its_last_session_is_out_of_date(replay, tmp_path):
    data = live(replay, tmp_path, "shock", "--json", "--as-of", AS_OF.isoformat()).json()["data"]
    end = data["window"]["end"]
    aged = f"{end}, {(AS_OF - dt.date.fromisoformat(end)).days} days old"
    table = live(replay, tmp_path, "shock", "--as-of", AS_OF.isoformat()).out
    title = next(line for line in table.splitlines() if line.startswith("Shock window:"))
    assert f"to {aged}" in title
    spy = next(line for line in table.splitlines() if line.split()[1:2] == ["SPY"])
    assert f"({aged})" in spy


def test_the_shock_window_title_has_no_age_when_its_last_session_is_fresh(replay, tmp_path):
    table = live(replay, tmp_path, "shock", "--as-of", "2026-02-10").out
    title = next(line for line in table.splitlines() if line.startswith("Shock window:"))
    assert "days old" not in title


def test_labor_csv_carries_each_rows_date_age_and_out_of_date(replay, tmp_path):
    import csv
    import io

    as_json = live(replay, tmp_path, "labor", "--json", "--as-of", AS_OF.isoformat()).json()["data"]
    rows = list(csv.DictReader(io.StringIO(live(replay, tmp_path, "labor", "--csv", "--as-of", AS_OF.isoformat()).out)))
    expected = {"challenger_job_cuts": as_json["job_cuts"], "initial_claims": as_json["claims"]}
    assert rows and {row["series"] for row in rows} == set(expected)
    for row in rows:
        figure = expected[row["series"]]
        assert (row["date"], int(row["age_days"])) == (figure["date"], figure["age_days"]), row["series"]
        assert row["out_of_date"] == ("true" if figure["out_of_date"] else "false"), row["series"]
