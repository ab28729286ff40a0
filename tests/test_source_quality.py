"""Every curated figure names its best source, that source's quality and publication date; no figure of
the bundled dataset rests on aggregator pages alone (issue 19: such figures were left out). A user's
figure that does is marked in its table and is never a headline."""

from __future__ import annotations

import csv
import io
import re
from importlib import resources

import pytest

from harness import dataset_copy, invoke
from marketshock import instruments
from marketshock.config import CuratedSettings
from marketshock.errors import CuratedFileError
from marketshock.models.results.report import ReportResult
from marketshock.models.series import QUALITIES, Corroboration, Source
from marketshock.providers import bundled
from marketshock.providers.curated import Curated, bundled_columns
from marketshock.runner import Request, execute
from marketshock.sections import report

DATA = resources.files("marketshock.data")


def curated_figures(directory: str | None = None) -> list[tuple[str, Source]]:
    """(what, source) for every sourced figure of the curated tables of a dataset (None: the bundled)."""
    figures: list[tuple[str, Source]] = []
    figures += [(f"job cuts {v.label}", v.source) for v in bundled.load_job_cuts(directory).values]
    figures += [(f"claims w/e {c.week_ending}", c.source) for c in bundled.load_claims_first_prints(directory)]
    table = instruments.load(directory)
    for row in table.bundled("sessions"):
        # The curated closes only: a provider's own series before them (Stooq's KOSPI) is data. A
        # session whose close was left out has no figure to source.
        sessions = bundled.load_index_sessions(row.symbol, directory).sessions
        figures += [
            (f"{row.symbol} {s.date}", s.source)
            for s in sessions
            if s.source.provider == "curated" and (s.close is not None or s.change_pct is not None)
        ]
    for row in table.bundled("moves"):
        moves = bundled.load_index_moves(row.symbol, directory).moves
        figures += [(f"{row.symbol} {m.date}", m.source) for m in moves]
    for ticker, record in bundled.load_capex(directory).items():
        for part in ("capex_actual_source", "guidance_source", "reaction_source"):
            source = getattr(record, part)
            if source is not None:
                figures.append((f"{ticker} {part}", source))
    quotes = bundled.load_etf_quoted_flows(directory)
    figures += [(f"ETF flows {q.month} {q.source.provider}", q.source) for q in quotes]
    figures += [(f"market value {p.provider} {p.kind}", p.source) for p in bundled.load_market_cap_points(directory)]
    return figures


def resting_on_aggregators_alone(figures: list[tuple[str, Source]]) -> list[str]:
    return [what for what, source in figures if source.aggregator_only]


FIGURES = curated_figures()


@pytest.mark.parametrize(("what", "source"), FIGURES, ids=[w for w, _ in FIGURES])
def test_every_curated_figure_has_a_marked_and_dated_source(what: str, source: Source):
    assert source.reference.strip(), f"{what}: no source"
    assert source.quality in QUALITIES, f"{what}: no quality mark"
    assert source.published is not None, f"{what}: no publication date"
    assert all(c.quality in QUALITIES and c.reference.strip() for c in source.corroboration)
    if source.quality != "primary":
        assert source.quality_note.strip(), f"{what}: not primary, and the row does not say why"


def test_no_figure_of_the_bundled_data_rests_on_a_forum_or_on_aggregators_alone():
    assert len(FIGURES) >= 50  # every table is walked
    forum = [w for w, s in FIGURES if "democraticunderground" in s.reference]
    assert forum == []  # a forum post may corroborate, never be a figure's best source
    assert resting_on_aggregators_alone(FIGURES) == []
    # Aggregator pages still stand beside better sources, and as the best source where a news report
    # corroborates the figure.
    assert {s.quality for _, s in FIGURES} == set(QUALITIES)


AGGREGATOR_ONLY_MOVE = (
    "2026-02-05,-1.8,intraday,https://aggregator.example/asia,,aggregator,2026-02-05,"
    "aggregator - https://copy.example/asia,no news report found\n"
)


def test_a_figure_resting_on_aggregators_alone_in_a_copy_of_the_data_is_found(tmp_path):
    moves = DATA.joinpath("msci_apxj_moves_curated.csv").read_text(encoding="utf-8") + AGGREGATOR_ONLY_MOVE
    directory = dataset_copy(tmp_path, **{"msci_apxj_moves_curated.csv": moves})
    assert resting_on_aggregators_alone(curated_figures(str(directory))) == ["MSCI-APXJ 2026-02-05"]


def test_every_row_of_every_curated_file_carries_the_quality_columns():
    for name in sorted(n.name for n in DATA.iterdir() if n.name.endswith(".csv")):
        reader = csv.DictReader(io.StringIO(DATA.joinpath(name).read_text(encoding="utf-8")))
        rows = list(reader)
        quality = [c for c in reader.fieldnames or () if c.endswith("quality")]
        if name in ("instruments.csv", "shocks_catalogue.csv") or name.startswith("farside_"):
            # not curated figures: the instrument table, the catalogue of named shocks (event dates
            # whose figures `compare` computes from the series) and Farside's exports
            assert quality == [], name
            continue
        assert quality, f"{name}: no quality column"
        for r in rows:
            for column in quality:
                stem = column.removesuffix("quality")
                reference = r.get(f"{stem}source") or r.get("source_url") or r.get("source")
                if reference:
                    assert r[column] in QUALITIES, (name, r)
                    assert r[f"{stem.removeprefix('source_')}published"], (name, r)


def test_corroboration_reads_quality_date_and_reference():
    text = "secondary 2026-02-05 https://a.example/x | aggregator - https://b.example/y (a copy)"
    assert bundled.parse_corroboration(text) == (
        Corroboration(quality="secondary", published="2026-02-05", reference="https://a.example/x"),  # type: ignore[arg-type]
        Corroboration(quality="aggregator", reference="https://b.example/y (a copy)"),
    )
    with pytest.raises(ValueError):
        bundled.parse_corroboration("secondary https://a.example/x")
    with pytest.raises(ValueError):
        bundled.parse_corroboration("rumour 2026-02-05 https://a.example/x")


def test_a_source_is_aggregator_only_when_nothing_better_stands_beside_it():
    agg = Corroboration(quality="aggregator", reference="b")
    news = Corroboration(quality="secondary", reference="c")
    assert Source(provider="p", quality="aggregator", corroboration=(agg,)).aggregator_only
    assert not Source(provider="p", quality="aggregator", corroboration=(agg, news)).aggregator_only
    assert not Source(provider="p", quality="secondary").aggregator_only
    assert not Source(provider="Yahoo Finance").aggregator_only  # a provider's series is not marked


# --- a user's curated file: the quality columns are optional ------------------------------


def test_a_users_capex_file_without_the_quality_columns_still_loads(tmp_path):
    columns = bundled_columns("capex_curated.csv")
    assert not any(c.endswith(("quality", "published", "corroboration", "source_note")) for c in columns)
    row = dict.fromkeys(columns, "")
    row |= {
        "ticker": "NVDA",
        "name": "Nvidia",
        "report_date": "2026-02-25",
        "report_timing": "after close",
        "fiscal_year_end": "01-31",
        "guidance_source": "https://example.com/nvda",
        "guidance_text": "none",
    }
    path = tmp_path / "capex.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        writer.writerow(row)
    records = Curated(CuratedSettings(capex_file=str(path))).capex()
    source = records["NVDA"].guidance_source
    assert source is not None and source.quality is None and source.published is None
    assert records["GOOGL"].guidance_source is not None  # the bundled rows are still there


def test_an_empty_bundled_table_still_gives_the_columns_a_users_file_must_have():
    # The bundled ETF flow quotes hold no row since their figures were left out (issue 19).
    assert bundled.load_etf_quoted_flows() == ()
    assert bundled_columns("etf_flow_quotes_curated.csv") == [
        "month", "net_flow_usd", "qualifier", "basis", "provider", "known_from", "source_url", "note",
    ]  # fmt: skip


def test_a_bad_quality_mark_in_a_users_file_is_a_curated_file_error(tmp_path):
    path = tmp_path / "cuts.csv"
    path.write_text(
        "year,month,announced_job_cuts,release_date,source_url,note,source_quality,published,corroboration,source_note\n"
        "2026,2,1000,2026-03-05,https://example.com,,excellent,2026-03-05,,\n",
        encoding="utf-8",
    )
    with pytest.raises(CuratedFileError):
        Curated(CuratedSettings(job_cuts_file=str(path))).job_cuts()


# --- tables and headlines ----------------------------------------------------------------------


AGGREGATOR_ONLY_QUOTE = (
    "month,net_flow_usd,qualifier,basis,provider,known_from,source_url,note,"
    "source_quality,published,corroboration,source_note\n"
    "2026-01,-3000000000,over,US spot bitcoin ETFs,Deutsche Bank,2026-02-04,https://aggregator.example/db,,"
    "aggregator,2026-02-04,aggregator - https://copy.example/db,the bank's note is not public\n"
)


def test_a_table_marks_a_figure_resting_on_aggregators_alone_and_says_why_in_full(tmp_path):
    directory = dataset_copy(tmp_path, **{"etf_flow_quotes_curated.csv": AGGREGATOR_ONLY_QUOTE})
    env = {"MARKETSHOCK_BUNDLED_DIR": str(directory)}
    out = invoke("crypto", "--offline", env=env).out
    flows = [line for line in out.splitlines() if "quoted" in line]
    assert flows and all(re.search(r"\[\d+ agg\]", line) for line in flows)
    assert "agg: resting on aggregator pages alone" in out and "ETF flows" in out
    verbose = invoke("-v", "crypto", "--offline", env=env).out
    assert "aggregator, published 2026-02-04" in verbose and "not public" in verbose


def test_a_figure_with_a_primary_source_is_not_marked():
    out = invoke("labor", "--offline").out
    assert "agg" not in out
    assert "[1] Challenger, Gray & Christmas: from challengergray.com (job cuts)" in out


@pytest.fixture(scope="module")
def default_report() -> ReportResult:
    return execute(Request(command="report", offline=True)).result  # type: ignore[return-value]


def aggregator_only(source: Source) -> Source:
    return source.model_copy(update={"quality": "aggregator", "corroboration": (), "quality_note": "test"})


def test_job_cuts_on_aggregators_alone_make_no_headline(default_report: ReportResult):
    labor = default_report.labor
    assert labor is not None and labor.job_cuts is not None
    assert report.labor_headlines(labor)  # the record January is a headline on its primary source
    cuts = labor.job_cuts.model_copy(update={"source": aggregator_only(labor.job_cuts.source)})
    assert report.labor_headlines(labor.model_copy(update={"job_cuts": cuts})) == []


def test_an_index_move_on_aggregators_alone_makes_no_headline(default_report: ReportResult):
    indices = default_report.indices
    assert indices is not None
    before = report.indices_headlines(indices)
    assert any(h.text.startswith("KOSPI") for h in before)
    rows = [
        r.model_copy(update={"source": aggregator_only(r.source)}) if r.symbol == "KOSPI" else r
        for r in indices.indices
    ]
    after = report.indices_headlines(indices.model_copy(update={"indices": rows}))
    assert not any(h.text.startswith("KOSPI") for h in after)
    assert len(after) == len(before) - 1
