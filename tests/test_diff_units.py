"""`diff` speaks in units: a percentage changes in percentage points, and a count, streak, rank,
z-score, year or month count has no change in percent."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import invoke
from marketshock import store


@pytest.fixture(scope="module")
def snapshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("snapshots")
    for day in ("2026-02-05", "2026-02-06"):
        assert invoke("snapshot", "--offline", "--as-of", day, "--out", str(out)).code == 0
    return out


def row(snapshots: Path, metric: str) -> list[str]:
    result = invoke("diff", "2026-02-05", "2026-02-06", "--dir", str(snapshots), "--only", metric)
    return next(line for line in result.out.splitlines() if line.startswith(f"{metric} ")).split()


def test_a_percentage_changes_in_percentage_points_without_a_percent_change(snapshots: Path):
    assert row(snapshots, "crypto.BTC.change_1d_pct") == [
        "crypto.BTC.change_1d_pct",
        "-14.13%",
        "+12.52%",
        "+26.65",
        "pp",
    ]


def test_a_streak_has_no_percent_change(snapshots: Path):
    assert row(snapshots, "crypto.BTC.streak") == ["crypto.BTC.streak", "-3", "1", "+4"]


def test_a_price_still_has_its_percent_change(snapshots: Path):
    assert row(snapshots, "crypto.BTC.price")[-1] == "+12.5%"


def test_json_change_pct_is_null_for_a_percentage_and_a_streak(snapshots: Path):
    doc = invoke("diff", "2026-02-05", "2026-02-06", "--dir", str(snapshots), "--only", "crypto.BTC", "--json").json()
    changes = {c["metric"]: c for c in doc["data"]["changes"]}
    assert changes["crypto.BTC.change_1d_pct"]["change"] == pytest.approx(26.65)
    assert changes["crypto.BTC.change_1d_pct"]["change_pct"] is None
    assert changes["crypto.BTC.streak"]["change_pct"] is None


@pytest.mark.parametrize(
    "metric",
    [
        "crypto.BTC.change_ytd_pct",
        "crypto.BTC.streak",
        "crypto.BTC.lowest_since_months",
        "labor.job_cuts.years_since",
        "labor.job_cuts.highest_same_month_since",
        "labor.claims.change",
        "earnings-capex.AMZN.capex_actual_year",
        "earnings-capex.AMZN.guidance_year",
        "shock.moves.BTC.zscore",
        "shock.moves.BTC.vol_percentile",
        "shock.moves.BTC.rank",
        "shock.moves.BTC.observations",
        "shock.window.sessions",
    ],
)
def test_no_percent_change_for_percentages_counts_streaks_years_and_scores(metric: str):
    assert not store.relative_change_applies(metric)
    assert store.Change(metric, 2, 3).change_pct is None


@pytest.mark.parametrize(
    "metric",
    ["crypto.BTC.price", "crypto.BTC.lowest_since_low", "indices.KOSPI.last", "labor.claims.initial", "x.y.value_usd"],
)
def test_levels_prices_and_money_keep_their_percent_change(metric: str):
    assert store.Change(metric, 200, 230).change_pct == pytest.approx(15.0)
