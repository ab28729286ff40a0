"""`--export FILE.term.svg|.term.html|.txt`: the report and charts as recordings of what a terminal shows
(the pictures drawn with matplotlib are tests/test_plot.py's).

The exported files are compared with golden files in `__snapshots__/test_export/`: open
the .svg and .html there in a browser to see them. They depend on Rich's export format,
so a Rich upgrade may need `python -m pytest tests/test_export.py --snapshot-update`
after looking at the new pictures.
"""

from __future__ import annotations

import datetime as dt
import html.parser
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import ClassVar

import pytest
from rich.terminal_theme import SVG_EXPORT_THEME

from goldens import HtmlGolden, SvgGolden
from harness import invoke
from marketshock import charts, export, runner
from marketshock.errors import UsageError
from marketshock.runner import Request

HEADLINE = "Bitcoin touched $60,074 on 2026-02-06, its lowest since 2024-10-11 (16-month low)"


def report_outcome() -> runner.Outcome:
    return runner.execute(Request(command="report", offline=True))


def export_report(path: Path, no_color: bool = False) -> str:
    export.export_outcome(report_outcome(), export.target(str(path)), no_color=no_color)
    return path.read_text(encoding="utf-8")


def export_chart(path: Path, series: str, capsys, **options) -> str:
    code = charts.run(Request(command="chart", offline=True, quiet=True), series, export_path=str(path), **options)
    assert code == 0
    capsys.readouterr()  # the chart printed on stdout as well
    return path.read_text(encoding="utf-8")


class Page(html.parser.HTMLParser):
    """What a browser would load from a page: tags, external references, the visible text."""

    VOID: ClassVar[set[str]] = {"meta", "link", "br", "img", "input", "hr", "source"}

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.tags: list[str] = []
        self.external: list[str] = []
        self.text: list[str] = []
        self.title = ""
        self.balanced = True

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in self.VOID:
            self.open.append(tag)
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.external.append(value)

    def handle_endtag(self, tag):
        if not self.open or self.open.pop() != tag:
            self.balanced = False

    def handle_data(self, data):
        if self.open and self.open[-1] == "title":
            self.title += data
        self.text.append(data)


# --- the report ------------------------------------------------------------------------------


def test_report_svg_matches_its_golden_picture(tmp_path, snapshot):
    assert export_report(tmp_path / "r.term.svg") == snapshot.use_extension(SvgGolden)


def test_report_html_matches_its_golden_page(tmp_path, snapshot):
    assert export_report(tmp_path / "r.term.html") == snapshot.use_extension(HtmlGolden)


def test_report_html_is_a_valid_self_contained_page(tmp_path):
    page = Page()
    page.feed(export_report(tmp_path / "r.term.html"))
    page.close()
    assert page.tags[:3] == ["html", "head", "meta"]
    assert page.balanced and page.open == []
    assert "script" not in page.tags and "link" not in page.tags and "iframe" not in page.tags
    assert page.external == []  # no stylesheet, script, font or image fetched from anywhere
    assert page.title == "marketshock report, data as of 2026-02-06"
    text = "".join(page.text)
    assert "marketshock report: data as of 2026-02-06, from the bundled dataset" in text
    assert HEADLINE in text
    assert "Sources: Yahoo Finance; " in text


def test_report_svg_is_well_formed_and_fetches_nothing(tmp_path):
    svg = export_report(tmp_path / "r.term.svg")
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    style = "".join(e.text or "" for e in root.iter("{http://www.w3.org/2000/svg}style"))
    assert "url(" not in style  # Rich's remote font is dropped; the viewer's monospace font is used
    shown = "".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")).replace("\xa0", " ")
    assert "marketshock report, data as of 2026-02-06" in shown  # the window title
    assert "lowest since 2024-10-11" in shown


def test_report_text_export_is_the_plain_report_with_its_date_and_sources(tmp_path):
    text = export_report(tmp_path / "r.txt")
    assert "\x1b" not in text
    assert text.startswith("marketshock report: data as of 2026-02-06, from the bundled dataset\n")
    assert HEADLINE in text
    assert "Sources: Yahoo Finance; " in text.splitlines()[-1] or "Sources: Yahoo Finance; " in text


@pytest.mark.parametrize("suffix", ["txt", "html"])
def test_an_export_says_how_many_figures_are_out_of_date_as_the_terminal_does(tmp_path, suffix):
    # 2026-03-26, the bundled data's last day: the curated events of February are weeks old.
    outcome = runner.execute(Request(command="report", offline=True, as_of="2026-03-26"))
    terminal = invoke("report", "--offline", "--as-of", "2026-03-26").out.splitlines()[0]
    old = int(terminal.rsplit("; ", 1)[1].split()[0])
    assert old > 0
    path = tmp_path / f"r.{suffix}"
    export.export_outcome(outcome, export.target(str(path)))
    text = path.read_text(encoding="utf-8")
    if suffix == "txt":
        assert text.splitlines()[0].endswith(f"from the bundled dataset; {old} figures out of date")
    else:
        assert f"{old} figures are out of date: older than their cadence allows" in text


def test_export_keeps_the_colours_unless_no_color(tmp_path):
    red = SVG_EXPORT_THEME.ansi_colors[1].hex  # ANSI red, as the theme draws it
    assert red in export_report(tmp_path / "colour.term.svg")
    assert red not in export_report(tmp_path / "plain.term.svg", no_color=True)


def test_report_export_prints_the_same_report_on_stdout(tmp_path):
    plain = invoke("report", "--offline", cwd=tmp_path)
    exported = invoke("report", "--offline", "--export", "r.term.svg", cwd=tmp_path)
    assert exported.code == plain.code == 0
    assert exported.out == plain.out
    assert exported.err == f"marketshock: wrote {'r.term.svg'}\n"
    assert (tmp_path / "r.term.svg").stat().st_size > 10_000


def test_export_does_not_depend_on_the_terminal_environment(tmp_path):
    invoke("report", "--offline", "--export", "r.term.html", cwd=tmp_path, env={"COLUMNS": "50", "NO_COLOR": "1"})
    assert (tmp_path / "r.term.html").read_text(encoding="utf-8") == export_report(tmp_path / "again.term.html")


def test_a_section_outcome_exports_too_as_a_snapshot_would(tmp_path):
    outcome = runner.execute(Request(command="crypto", offline=True))
    path = export.export_outcome(outcome, export.target(str(tmp_path / "crypto.txt")))
    text = path.read_text(encoding="utf-8")
    assert text.startswith("marketshock crypto: data as of 2026-02-06")
    assert "lowest since" in text


# --- charts ------------------------------------------------------------------------------------


def test_btc_chart_svg_matches_its_golden_picture(tmp_path, snapshot, capsys):
    svg = export_chart(tmp_path / "btc.term.svg", "BTC", capsys, since="2024-09-01", height=16)
    assert svg == snapshot.use_extension(SvgGolden)
    assert "2024-10-11" in svg and "2026-02-06" in svg


def test_job_cuts_chart_svg_matches_its_golden_picture(tmp_path, snapshot, capsys):
    svg = export_chart(tmp_path / "jobcuts.term.svg", "job-cuts", capsys, month=1, height=16)
    assert svg == snapshot.use_extension(SvgGolden)
    assert "108,435" in svg and "241,749" in svg


def test_chart_html_export_is_self_contained(tmp_path, capsys):
    page = Page()
    page.feed(export_chart(tmp_path / "btc.term.html", "BTC", capsys, since="2024-09-01"))
    assert page.external == [] and "script" not in page.tags
    assert page.title == "marketshock chart BTC, data as of 2026-02-06"
    assert "the lowest since 2024-10-11 (16-month low)" in "".join(page.text)


def test_chart_export_is_as_wide_as_asked(tmp_path, capsys):
    text = export_chart(tmp_path / "eth.txt", "ETH", capsys, width=120)
    axis = next(row for row in text.splitlines() if "└" in row)
    assert len(axis) == 119


# --- writing the file --------------------------------------------------------------------------


def test_export_replaces_an_existing_file_whole_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text("x" * 1_000_000, encoding="utf-8")
    export_report(path)
    assert path.read_text(encoding="utf-8").startswith("marketshock report")
    assert [p.name for p in tmp_path.iterdir()] == ["r.txt"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "r.txt"
    path.write_text("before", encoding="utf-8")

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(UsageError, match="No space left on device"):
        export_report(path)
    assert path.read_text(encoding="utf-8") == "before"
    assert [p.name for p in tmp_path.iterdir()] == ["r.txt"]


@pytest.mark.parametrize(
    ("name", "message"),
    [("r.gif", "must end in .png, .svg, .pdf or .html"), ("missing/r.svg", "no directory"), ("pics", "is a directory")],
)
def test_a_bad_export_path_is_refused_before_any_work(tmp_path, name, message):
    (tmp_path / "pics").mkdir()
    run = invoke("report", "--offline", "--export", name, cwd=tmp_path)
    assert run.code == 2
    assert run.out == ""
    assert message in run.err and len(run.err.splitlines()) == 1
    assert [p.name for p in tmp_path.rglob("*")] == ["pics"]


def test_sources_of_a_result_are_collected_once_each():
    sources = export.sources_of(report_outcome().result)
    assert len(sources) == len(set(sources))
    assert {"Yahoo Finance", "FRED", "Challenger, Gray & Christmas", "curated"} <= {s.provider for s in sources}


# --- seen in a browser ---------------------------------------------------------------------------

BROWSER = shutil.which("chromium") or shutil.which("chromium-headless-shell") or shutil.which("google-chrome")


@pytest.mark.slow
@pytest.mark.skipif(BROWSER is None, reason="no headless Chromium on this machine")
def test_report_html_and_svg_open_in_a_headless_browser(tmp_path):
    export_report(tmp_path / "r.term.html")
    export_report(tmp_path / "r.term.svg")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}"]
    page = (tmp_path / "r.term.html").as_uri()
    dom = subprocess.run([BROWSER, *flags, "--dump-dom", page], capture_output=True, text=True, timeout=120)
    assert HEADLINE in dom.stdout
    shot = tmp_path / "r.png"
    subprocess.run(
        [BROWSER, *flags, f"--screenshot={shot}", "--window-size=1600,1200", (tmp_path / "r.term.svg").as_uri()],
        capture_output=True,
        timeout=120,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 50_000  # a rendered page of text, not a blank image


def test_as_of_in_heading_is_the_data_date_not_today():
    assert export.heading("marketshock report", dt.date(2026, 2, 6), "bundled") == (
        "marketshock report: data as of 2026-02-06, from the bundled dataset"
    )
