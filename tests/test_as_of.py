"""`--as-of` recomputes every figure from the data known at the end of that day.

Two kinds of check:
- an independent reference: pandas reads the package's own data files (through
  importlib.resources, as the tool does) and computes the crypto, claims and job-cut
  figures its own way; the CLI's JSON must agree for several dates across the window;
- no look-ahead: the sections run on a copy of the data cut at the as-of date must give
  exactly what they give on the whole dataset, for any as-of date in the window.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import json
from importlib import resources

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketshock import instruments
from marketshock.context import RunContext
from marketshock.models.capex import CapexRecord
from marketshock.models.economic import MonthlySeries
from marketshock.notes import collecting
from marketshock.providers import bundled
from marketshock.sections import capex, crypto, indices, labor

AS_OF_DATES = ["2024-01-01", "2024-03-15", "2025-06-30", "2025-12-31", "2026-01-15", "2026-02-05", "2026-03-26"]


def data_file(name: str):
    return resources.files("marketshock.data").joinpath(name)


@functools.cache
def daily(symbol: str) -> pd.DataFrame:
    with data_file(f"{symbol.lower()}_usd_daily_yahoo.csv.gz").open("rb") as fh:
        return pd.read_csv(fh, compression="gzip", parse_dates=["date"], index_col="date").sort_index()


def reference_crypto(symbol: str, as_of: str) -> dict:
    """The crypto figures, computed with pandas from the raw file."""
    frame = daily(symbol).loc[: pd.Timestamp(as_of)]
    day = frame.index[-1]
    today = frame.iloc[-1]
    close = frame["close"]

    def change_since(when: pd.Timestamp) -> float:
        return (today["close"] / close.asof(when) - 1) * 100  # asof: the last close on or before `when`

    lower = frame.index[(frame["low"] < today["low"]) & (frame.index < day)]
    since = lower.max() if len(lower) else None
    return {
        "date": day.date().isoformat(),
        "price": today["close"],
        "low": today["low"],
        "change_1d_pct": change_since(day - pd.Timedelta(days=1)),
        "change_7d_pct": change_since(day - pd.Timedelta(days=7)),
        "change_ytd_pct": change_since(pd.Timestamp(day.year - 1, 12, 31)),
        "change_ytd_at_low_pct": (today["low"] / close.asof(pd.Timestamp(day.year - 1, 12, 31)) - 1) * 100,
        "lowest_since": since.date().isoformat() if since is not None else None,
        "lowest_since_months": (day.to_period("M") - since.to_period("M")).n if since is not None else None,
        "drawdown_pct": (today["close"] / close.cummax().iloc[-1] - 1) * 100,
    }


@pytest.fixture(scope="module")
def crypto_as_of(cli):
    def get(as_of: str) -> dict:
        result = cli("crypto", "--offline", "--json", "--as-of", as_of)
        assert result.code == 0, result.err
        envelope = json.loads(result.out)
        assert envelope["as_of"] == as_of
        return {a["symbol"]: a for a in envelope["data"]["assets"]}

    return get


@pytest.mark.parametrize("symbol", ["BTC", "ETH"])
@pytest.mark.parametrize("as_of", AS_OF_DATES)
def test_crypto_figures_match_an_independent_computation(crypto_as_of, symbol, as_of):
    asset = crypto_as_of(as_of)[symbol]
    expected = reference_crypto(symbol, as_of)
    for key, value in expected.items():
        if isinstance(value, float):
            # The tool rounds to cents and hundredths of a percent.
            assert asset[key] == pytest.approx(value, abs=0.0051), key
        else:
            assert asset[key] == value, key


def test_the_default_as_of_is_2026_02_06(cli):
    assert json.loads(cli("crypto", "--offline", "--json").out)["as_of"] == "2026-02-06"


def test_bitcoins_16_month_low_is_not_a_low_a_day_earlier(crypto_as_of):
    btc = crypto_as_of("2026-02-05")["BTC"]
    assert btc["date"] == "2026-02-05"
    assert btc["lowest_since"] != "2024-10-11"


# --- index proxies: changes over sessions, streaks ------------------------------------------------


def reference_index_row(symbol: str, as_of: str) -> dict:
    with data_file(instruments.load().get(symbol).file).open("rb") as fh:
        close = pd.read_csv(fh, compression="gzip", parse_dates=["date"], index_col="date")["close"]
    close = close.sort_index().loc[: pd.Timestamp(as_of)]
    direction = close.diff().apply(lambda x: (x > 0) - (x < 0)).iloc[1:]
    runs = (direction != direction.shift()).cumsum()  # a new number at every change of direction
    last_run = direction[runs == runs.iloc[-1]]
    return {
        "date": close.index[-1].date().isoformat(),
        "last": close.iloc[-1],
        "change_1d_pct": close.pct_change(1).iloc[-1] * 100,
        "change_5d_pct": close.pct_change(5).iloc[-1] * 100,
        "streak": int(last_run.iloc[0] * len(last_run)),
    }


@pytest.mark.parametrize("as_of", ["2024-03-15", "2025-06-30", "2026-02-05", "2026-02-06", "2026-03-26"])
def test_index_proxy_rows_match_an_independent_computation(cli, as_of):
    result = cli("indices", "--offline", "--json", "--as-of", as_of)
    rows = {r["symbol"]: r for r in json.loads(result.out)["data"]["indices"]}
    for symbol in ("SPY", "QQQ", "SMH", "EEM", "VIX", "GLD", "SLV"):
        expected = reference_index_row(symbol, as_of)
        row = rows[symbol]
        assert (row["date"], row["streak"]) == (expected["date"], expected["streak"]), symbol
        for key in ("last", "change_1d_pct", "change_5d_pct"):
            assert row[key] == pytest.approx(expected[key], abs=0.0051), (symbol, key)


# --- claims: a week is known on the Thursday after it ends ---------------------------------


@functools.cache
def fred(series_id: str) -> pd.Series:
    with data_file(f"fred_{series_id.lower()}_weekly.csv.gz").open("rb") as fh:
        frame = pd.read_csv(fh, compression="gzip", parse_dates=["week_ending"], index_col="week_ending")
    return frame[series_id].sort_index()


def reference_claims(as_of: str) -> dict:
    initial, continuing = fred("ICSA"), fred("CCSA")
    thursday_after = initial.index + pd.offsets.Week(weekday=3)  # weeks end on Saturdays
    known = initial[thursday_after <= pd.Timestamp(as_of)]
    # Continuing claims trail initial claims by one more week.
    cont = continuing[continuing.index + pd.offsets.Week(weekday=3) + pd.Timedelta(weeks=1) <= pd.Timestamp(as_of)]
    return {
        "week_ending": known.index[-1].date().isoformat(),
        "initial": int(known.iloc[-1]),
        "change": int(known.diff().iloc[-1]),
        "four_week_avg": known.rolling(4).mean().iloc[-1],
        "continuing": int(cont.iloc[-1]),
        "continuing_week_ending": cont.index[-1].date().isoformat(),
    }


@pytest.fixture(scope="module")
def labor_as_of(cli):
    def get(as_of: str) -> dict:
        result = cli("labor", "--offline", "--json", "--as-of", as_of)
        assert result.code == 0, result.err
        return json.loads(result.out)["data"]

    return get


@pytest.mark.parametrize("as_of", [*AS_OF_DATES, "2026-02-04", "2026-02-06"])
def test_the_bundled_vintage_matches_an_independent_computation(labor_as_of, as_of):
    """The vintage's figures: `claims` itself, or beside a first print as the later revision."""
    data = labor_as_of(as_of)
    vintage = data["claims_later_revision"] or data["claims"]
    expected = reference_claims(as_of)
    assert {k: vintage[k] for k in expected} == pytest.approx(expected)


@functools.cache
def first_prints() -> pd.DataFrame:
    with data_file("claims_first_print.csv").open("rb") as fh:
        return pd.read_csv(fh, parse_dates=["week_ending", "released"])


@pytest.mark.parametrize("as_of", [*AS_OF_DATES, "2026-02-04", "2026-02-06", "2026-02-12"])
def test_claims_are_the_first_print_where_known_else_the_vintage_marked_later(labor_as_of, as_of):
    claims = labor_as_of(as_of)["claims"]
    prints = first_prints()
    printed = prints[(prints.week_ending == pd.Timestamp(claims["week_ending"])) & (prints.released <= as_of)]
    if len(printed):
        assert (claims["initial"], claims["vintage"], claims["vintage_date"]) == (
            int(printed.initial.iloc[0]),
            "first print",
            printed.released.iloc[0].date().isoformat(),
        )
    else:
        assert claims["vintage_date"] == "2026-03-26"
        assert claims["revised_after_as_of"] is (as_of < "2026-03-26")


def test_on_2026_02_06_the_claims_are_the_first_print_231000_up_22000(labor_as_of):
    data = labor_as_of("2026-02-06")
    assert (data["claims"]["initial"], data["claims"]["change"]) == (231000, 22000)
    assert (data["claims"]["vintage_date"], data["claims"]["revised_after_as_of"]) == ("2026-02-05", False)
    later = data["claims_later_revision"]
    assert (later["initial"], later["vintage_date"], later["revised_after_as_of"]) == (230000, "2026-03-26", True)


def test_on_2026_01_15_the_later_vintage_is_marked_revised_after_the_as_of_date(labor_as_of):
    claims = labor_as_of("2026-01-15")["claims"]
    assert (claims["week_ending"], claims["vintage_date"], claims["revised_after_as_of"]) == (
        "2026-01-10",
        "2026-03-26",
        True,
    )


@pytest.mark.parametrize(
    ("as_of", "week"),
    [("2026-02-04", "2026-01-24"), ("2026-02-05", "2026-01-31"), ("2026-02-11", "2026-01-31")],
)
def test_a_claims_week_appears_on_the_thursday_after_it_ends(labor_as_of, as_of, week):
    assert labor_as_of(as_of)["claims"]["week_ending"] == week


def test_the_first_print_is_shown_only_once_released(labor_as_of):
    assert labor_as_of("2026-02-05")["claims_first_print"]["released"] == "2026-02-05"
    assert labor_as_of("2026-02-04")["claims_first_print"]["week_ending"] == "2026-01-24"


# --- job cuts: a month is known from its release ------------------------------------------------


@functools.cache
def challenger() -> pd.DataFrame:
    frames = []
    for name in ("challenger_january_job_cuts_curated.csv", "challenger_other_months_curated.csv"):
        with data_file(name).open("rb") as fh:
            frames.append(pd.read_csv(fh, parse_dates=["release_date"]))
    frame = pd.concat(frames, ignore_index=True)
    month_start = pd.to_datetime({"year": frame["year"], "month": frame["month"], "day": 1})
    # Rows without a release date count as known on the 10th of the following month.
    frame["known_on"] = frame["release_date"].fillna(month_start + pd.DateOffset(months=1, days=9))
    return frame


def reference_job_cuts(as_of: str) -> dict:
    frame = challenger()
    known = frame[frame["known_on"] <= pd.Timestamp(as_of)].sort_values(["year", "month"])
    latest = known.iloc[-1]
    same = known[(known["month"] == latest["month"]) & (known["year"] < latest["year"])]
    higher = same[same["announced_job_cuts"] > latest["announced_job_cuts"]]
    return {
        "month": f"{latest['year']}-{latest['month']:02d}",
        "value": int(latest["announced_job_cuts"]),
        "highest_same_month_since": int(higher["year"].max()) if len(higher) else None,
    }


@pytest.mark.parametrize("as_of", [*AS_OF_DATES, "2026-02-04", "2026-02-06"])
def test_job_cuts_match_an_independent_computation(labor_as_of, as_of):
    cuts = labor_as_of(as_of)["job_cuts"]
    expected = reference_job_cuts(as_of)
    assert {k: cuts[k] for k in expected} == expected


def test_january_2026_job_cuts_are_unknown_the_day_before_their_release(labor_as_of):
    assert labor_as_of("2026-02-04")["job_cuts"]["month"] != "2026-01"
    assert labor_as_of("2026-02-05")["job_cuts"]["month"] == "2026-01"


# --- capex: a company's figures appear on its report date -----------------------------------------


@pytest.fixture(scope="module")
def capex_as_of(cli):
    def get(as_of: str) -> dict:
        result = cli("earnings-capex", "--offline", "--json", "--as-of", as_of)
        assert result.code == 0, result.err
        return {c["ticker"]: c for c in json.loads(result.out)["data"]["companies"]}

    return get


@pytest.mark.parametrize("as_of", ["2026-01-28", "2026-02-04", "2026-02-05", "2026-03-26"])
def test_guidance_growth_matches_an_independent_computation(capex_as_of, as_of):
    with data_file("capex_curated.csv").open("rb") as fh:
        frame = pd.read_csv(fh, parse_dates=["report_date"]).set_index("ticker")
    companies = capex_as_of(as_of)
    for ticker, row in frame.iterrows():
        reported = row["report_date"] <= pd.Timestamp(as_of)
        growth = (row["guidance_high_usd"] / row["capex_actual_usd"] - 1) * 100
        expected = round(growth, 2) if reported and pd.notna(growth) else None
        assert companies[ticker]["guidance_growth_pct"] == expected, ticker


def test_amazon_has_not_reported_on_february_4(capex_as_of):
    amazon = capex_as_of("2026-02-04")["AMZN"]
    assert amazon["reported"] is False
    for key in ("capex_actual_usd", "capex_guidance_high_usd", "guidance_growth_pct", "reaction_pct"):
        assert amazon[key] is None, key
    assert amazon["sources"] == []  # not even the links to the reports about it
    assert any("2026-02-05" in gap for gap in amazon["gaps"])


def test_alphabet_has_reported_on_february_4_and_amazon_on_february_5(capex_as_of):
    assert capex_as_of("2026-02-04")["GOOGL"]["capex_guidance_high_usd"] == 185e9
    amazon = capex_as_of("2026-02-05")["AMZN"]
    assert (amazon["reported"], amazon["reaction_pct"]) == (True, -11.0)


def test_microsofts_next_session_move_is_unknown_on_its_report_day(capex_as_of):
    msft = capex_as_of("2026-01-28")["MSFT"]
    assert msft["reported"] is True
    assert (msft["reaction_pct"], msft["reaction_session"]) == (None, None)
    assert capex_as_of("2026-01-29")["MSFT"]["reaction_pct"] == -10.0


# --- no figure uses data after the as-of date -----------------------------------------------------


class CutData(bundled.BundledData):
    """The bundled data with everything dated after `as_of` removed, the way it stood that day."""

    def __init__(self, as_of: dt.date) -> None:
        self.as_of = as_of

    async def price_history(self, symbol):
        series = await super().price_history(symbol)
        return series.model_copy(update={"bars": tuple(b for b in series.bars if b.date <= self.as_of)})

    async def index_sessions(self, symbol):
        index = await super().index_sessions(symbol)
        return index.model_copy(update={"sessions": tuple(s for s in index.sessions if s.date <= self.as_of)})

    async def index_moves(self, symbol):
        index = await super().index_moves(symbol)
        return index.model_copy(update={"moves": tuple(m for m in index.moves if m.date <= self.as_of)})

    async def weekly_claims(self, series_id):
        series = await super().weekly_claims(series_id)
        n = series.published(dt.timedelta(0), self.as_of)  # the weeks ending by the as-of day
        return series.model_copy(update={"weeks": series.weeks[:n], "values": series.values[:n]})

    async def claims_first_prints(self):
        return [p for p in await super().claims_first_prints() if p.released <= self.as_of]

    async def job_cuts(self) -> MonthlySeries:
        series = await super().job_cuts()
        ended = [v for v in series.values if (v.year, v.month) < (self.as_of.year, self.as_of.month)]
        return series.model_copy(update={"values": tuple(ended)})

    async def capex(self, ticker) -> CapexRecord:
        record = await super().capex(ticker)
        if record.report_date <= self.as_of:
            return record
        # Only the announced report date is known beforehand.
        return CapexRecord(
            ticker=record.ticker,
            name=record.name,
            report_date=record.report_date,
            report_timing=record.report_timing,
            actual_fiscal_year=None,
            capex_actual_usd=None,
            capex_actual_basis="",
            capex_actual_source=None,
            guidance_year=None,
            guidance_low_usd=None,
            guidance_high_usd=None,
            guidance_text="",
            guidance_source=None,
            reaction_pct=None,
            reaction_session=None,
            reaction_date=None,
            reaction_text="",
            reaction_source=None,
        )

    async def etf_daily_flows(self):
        scopes = await super().etf_daily_flows()
        known = [sum(day <= self.as_of for day in s.dates) for s in scopes]  # the dates are in order
        return [
            s.model_copy(update={"dates": s.dates[:n], "net_flows_usd": s.net_flows_usd[:n]})
            for s, n in zip(scopes, known, strict=True)
        ]

    async def etf_quoted_flows(self):
        return [q for q in await super().etf_quoted_flows() if q.known_from <= self.as_of]

    async def market_cap_points(self):
        return [p for p in await super().market_cap_points() if p.date <= self.as_of]


async def all_sections(data, as_of: dt.date) -> dict:
    ctx = RunContext(as_of=as_of, data=data)
    with collecting("all") as notes:
        results = await asyncio.gather(crypto.build(ctx), indices.build(ctx), labor.build(ctx), capex.build(ctx))
    dumped = {
        name: r.model_dump(mode="json")
        for name, r in zip(("crypto", "indices", "labor", "capex"), results, strict=True)
    }
    for row in dumped["indices"]["indices"]:
        # "no closes on or before X (data starts Y)" may say where the data starts: that is not a figure.
        row["unavailable"] = row["unavailable"] is not None
    return dumped | {"errors": [e.model_dump() for e in notes.entries]}


@settings(max_examples=25)  # each example computes every section twice
# From when every section has data (ETH's first year closed); earlier dates leave sections out
# through `coverage`, which test_universe's replay tests cover.
@given(st.dates(min_value=dt.date(2018, 1, 1), max_value=bundled.LAST_DAY))
def test_no_figure_depends_on_data_dated_after_the_as_of_day(as_of):
    everything = asyncio.run(all_sections(bundled.BundledData(), as_of))
    known_then = asyncio.run(all_sections(CutData(as_of), as_of))
    assert everything == known_then


@pytest.mark.parametrize("as_of", ["2026-02-04", "2026-02-05", "2026-02-06"])
def test_no_figure_depends_on_data_after_the_days_of_the_shock(as_of):
    day = dt.date.fromisoformat(as_of)
    assert asyncio.run(all_sections(bundled.BundledData(), day)) == asyncio.run(all_sections(CutData(day), day))
