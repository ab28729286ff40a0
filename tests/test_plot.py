"""`chart SERIES --export FILE.png|.svg|.pdf`: real charts drawn with matplotlib.

A render costs a few tenths of a second, so the charts are built once a module and each
format rendered once (twice where a test shows two renders are the same bytes).

The PNG golden is `tests/golden/btc_chart_2024-09-01.png`; after a deliberate change, look
at the new picture and copy it over the golden (the failing test prints where it wrote it).
SVG text is drawn as outlines, and matplotlib keeps each text as a comment beside its
outline: the tests read the labels there.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import shutil
import struct
from functools import cache
from pathlib import Path

import pytest

from harness import PROJECT, invoke
from marketshock import charts, plot
from marketshock.context import RunContext
from marketshock.models.charts import ChartResult
from marketshock.providers import bundled

AS_OF = bundled.DEFAULT_AS_OF  # 2026-02-06
GOLDEN = PROJECT / "tests" / "golden" / "btc_chart_2024-09-01.png"


@cache
def chart(series: str, **options: object) -> ChartResult:
    ctx = RunContext(as_of=AS_OF, data=bundled.BundledData())
    return asyncio.run(charts.build(ctx, series, **options))  # type: ignore[arg-type]


@cache
def btc(fmt: str) -> bytes:
    return plot.picture(chart("BTC", since=dt.date(2024, 9, 1)), fmt, as_of=AS_OF, source="bundled")


def svg_texts(svg: bytes) -> str:
    """Every text of the picture, from the comments matplotlib writes beside each outline."""
    return "\n".join(re.findall(r"<!-- (.*?) -->", svg.decode("utf-8"), flags=re.S))


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_btc_png_matches_its_golden_picture(tmp_path):
    from matplotlib.testing.compare import compare_images

    actual = tmp_path / "btc.png"
    actual.write_bytes(btc("png"))
    # A small tolerance (RMS of the pixel difference, 0..255) absorbs a FreeType rasterizing a
    # glyph edge differently; a moved line, mark or label is far above it.
    diff = compare_images(str(GOLDEN), str(actual), tol=2)
    assert diff is None, f"{diff}; the new picture is {actual}"


def test_png_is_at_least_1200_by_675():
    assert png_size(btc("png")) >= (1200, 675)


def test_btc_chart_labels_the_lows_the_level_line_and_the_highest_close():
    texts = svg_texts(btc("svg"))
    assert "2026-02-06: low $60,074" in texts and "lowest since 2024-10-11" in texts
    assert "2024-10-11: low $60,046" in texts
    assert "level of the 2024-10-11 low" in texts  # the level line joining the two lows
    assert "highest close $124,753" in texts and "2025-10-06" in texts
    assert "Bitcoin (BTC): daily close (USD), from 2024-09-01 to 2026-02-06" in texts
    assert "as of 2026-02-06" in texts and "Sources: Yahoo Finance" in texts
    assert "$60,000" in texts and "USD" in texts  # the price axis and its unit


def test_svg_and_pdf_are_the_same_bytes_every_time_and_carry_no_date():
    again = plot.picture(chart("BTC", since=dt.date(2024, 9, 1)), "svg", as_of=AS_OF, source="bundled")
    assert again == btc("svg")
    pdf = btc("pdf")
    assert pdf.startswith(b"%PDF") and b"CreationDate" not in pdf and b"Matplotlib v" not in pdf
    assert b"<dc:date>" not in btc("svg") and b"Matplotlib v" not in btc("svg")  # no date, no version
    assert plot.picture(chart("BTC", since=dt.date(2024, 9, 1)), "pdf", as_of=AS_OF, source="bundled") == pdf


def test_job_cuts_bars_label_2026_and_the_last_higher_january():
    svg = plot.picture(chart("job-cuts", month=1), "svg", as_of=AS_OF, source="bundled")
    texts = svg_texts(svg)
    assert "2026-01: 108,435" in texts
    assert "2009: 241,749" in texts and "the last higher" in texts
    assert "2026's level, from the last higher year" in texts
    assert "every January, from 2009 to 2026" in texts


def test_chart_export_writes_the_picture_its_suffix_names(tmp_path):
    run = invoke("chart", "job-cuts", "--offline", "--month", "1", "--export", "jobs.pdf", cwd=tmp_path)
    assert run.code == 0 and run.err == "marketshock: wrote jobs.pdf\n"
    assert (tmp_path / "jobs.pdf").read_bytes().startswith(b"%PDF")


def test_the_terminal_recording_keeps_a_name_of_its_own(tmp_path):
    run = invoke("chart", "BTC", "--offline", "--export", "btc.term.svg", cwd=tmp_path)
    assert run.code == 0
    svg = (tmp_path / "btc.term.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "terminal" in svg  # Rich's recording, framed as a terminal


def test_outside_text_is_drawn_as_text_not_markup():
    # A label comes from data (curated files the user can extend): matplotlib's mathtext must not
    # read "$...$" as a formula, and SVG output must not carry it as markup.
    result = chart("BTC", since=dt.date(2024, 9, 1)).model_copy(update={"name": "<b>Bit</b> & $x^2$"})
    svg = plot.picture(result, "svg", as_of=AS_OF, source="bundled")
    assert "&lt;b&gt;Bit&lt;/b&gt; &amp; $x^2$" in svg_texts(svg)
    assert b"<b>" not in svg and b"Oblique" not in svg  # mathtext would set the x in italics


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_pdf_text_is_searchable(tmp_path):  # pragma: no cover - depends on poppler
    import subprocess

    path = Path(tmp_path / "btc.pdf")
    path.write_bytes(btc("pdf"))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "lowest since 2024-10-11" in text


def test_report_card_has_the_header_the_top_headlines_and_the_btc_chart():
    from marketshock import export, runner
    from marketshock.runner import Request

    outcome = runner.execute(Request(command="report", offline=True))
    texts = svg_texts(export.outcome_picture(outcome, "svg"))  # type: ignore[arg-type]
    assert "marketshock report, 2026-02-06" in texts and "from the bundled dataset" in texts
    assert "Bitcoin touched $60,074 on 2026-02-06, its lowest since 2024-10-11" in texts
    assert "lowest since 2024-10-11" in texts and "Bitcoin (BTC): daily close (USD)" in texts
