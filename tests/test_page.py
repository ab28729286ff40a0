"""`report --export FILE.html` (and `chart --export FILE.html`): a page laid out for reading.

The page is rendered once a module (it draws every chart). A headless Chromium, when the
machine has one (`.ci/run` installs the distribution's package where it can), loads it at
1400 and 390 px and measures that nothing scrolls sideways; the screenshots it takes are
left in the test's tmp_path, and copied to $PAGE_SCREENSHOTS when set (the README's docs/ pictures).
"""

from __future__ import annotations

import html.parser
import os
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import ClassVar

import pytest

from harness import invoke
from marketshock import export, page, runner
from marketshock import formatting as f
from marketshock.models.results.report import Headline, ReportResult
from marketshock.models.series import Source
from marketshock.runner import Request

BROWSER = shutil.which("chromium") or shutil.which("chromium-headless-shell") or shutil.which("google-chrome")


@cache
def outcome() -> runner.Outcome:
    return runner.execute(Request(command="report", offline=True))


@cache
def report_html() -> str:
    content = export.outcome_picture(outcome(), "html")
    assert isinstance(content, str)
    return content


class Page(html.parser.HTMLParser):
    """What a browser would load: tags, anything fetched from elsewhere, the visible text, the tables."""

    FETCH: ClassVar = {"src", "href", "srcset", "poster", "data"}

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.fetched: list[str] = []
        self.links: list[str] = []
        self.text: list[str] = []
        self.cells: list[tuple[str, str]] = []  # (class, text) of each td
        self._cell: list[str] | None = None
        self._cls = ""
        self._style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if tag == "a" and name == "href":
                self.links.append(value)  # a link the reader may follow, not a request the page makes
            elif name in self.FETCH or (name == "xlink:href" and not (value or "").startswith("#")):
                self.fetched.append(f"{tag} {name}={value}")
        if tag == "td":
            self._cell, self._cls = [], dict(attrs).get("class") or ""
        self._style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.cells.append((self._cls, "".join(self._cell).strip()))
            self._cell = None
        if tag == "style":
            self._style = False

    def handle_data(self, data):
        if self._style:
            if "url(" in data or "@import" in data:
                self.fetched.append("style url()")
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    @property
    def plain(self) -> str:
        return " ".join(" ".join(self.text).split())


@cache
def parsed() -> Page:
    p = Page()
    p.feed(report_html())
    return p


def test_the_page_is_self_contained_and_runs_no_script():
    p = parsed()
    assert p.fetched == []
    assert "script" not in p.tags and "iframe" not in p.tags and "link" not in p.tags
    assert all(link.startswith("https://") or link.startswith("http://") for link in p.links)


def test_the_header_card_says_the_date_and_where_the_data_comes_from_then_the_headlines():
    text = parsed().plain
    header = text.index("Data as of 2026-02-06, from the bundled dataset (offline).")
    first = text.index("Bitcoin touched $60,074 on 2026-02-06, its lowest since 2024-10-11 (16-month low)")
    assert header < first < text.index("Big-tech capex")  # headlines before the tables


def test_every_section_is_a_real_table_with_numbers_right_aligned():
    p = parsed()
    assert p.tags.count("table") >= 5
    numeric = [text for cls, text in p.cells if "num" in cls]
    assert "5,089.14" in numeric  # KOSPI's last close
    assert any(text.startswith("+") for text in numeric) and any(text.startswith("-") for text in numeric)


def test_up_and_down_are_coloured_and_carry_their_sign():
    html_text = report_html()
    assert '<span class="down">-1.44%</span>' in html_text
    assert '<span class="up">+' in html_text


def test_the_page_holds_the_figures_of_the_json():
    result = outcome().result
    assert isinstance(result, ReportResult) and result.crypto and result.indices and result.labor
    text = parsed().plain

    def shown(value: float | None) -> bool:
        if value is None:
            return True
        forms = {f.usd(value, 0), f.usd(value, 2), f.number(value), f.number(value, 2), f.pct(value), f.pct(value, 2)}
        return any(form in text for form in forms)

    figures = {}
    for a in result.crypto.assets:
        figures |= {f"{a.symbol} {k}": getattr(a, k) for k in ("price", "low", "change_1d_pct", "change_7d_pct")}
        figures[f"{a.symbol} change_ytd_pct"] = a.change_ytd_pct
    for row in result.indices.indices:
        figures |= {f"{row.symbol} {k}": getattr(row, k) for k in ("last", "change_1d_pct", "change_5d_pct")}
    if result.labor.claims is not None:
        c = result.labor.claims
        figures |= {"initial claims": c.initial, "4-week average": c.four_week_avg, "continuing": c.continuing}
    if result.labor.job_cuts is not None:
        figures["job cuts"] = result.labor.job_cuts.value
    missing = {name: value for name, value in figures.items() if not shown(value)}
    assert missing == {}
    for h in result.headlines:
        assert f.safe_text(h.text) in text


def test_the_charts_are_inline_svg_with_their_marks():
    html_text = report_html()
    assert html_text.count("<svg") >= 3  # BTC, ETH and the index levels
    assert "<?xml" not in html_text
    assert "2026-02-06: low $60,074" in html_text and "lowest since 2024-10-11" in html_text


def test_the_sources_come_last_and_collapsed():
    html_text = report_html()
    details = html_text.index("<details>")
    assert details > html_text.rindex("</table>")
    assert "Yahoo Finance" in html_text[details:] and "<summary>Sources and notes" in html_text


def test_text_from_outside_is_shown_as_text():
    bad = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    result = outcome().result
    assert isinstance(result, ReportResult)
    tainted = result.model_copy(update={"headlines": [Headline(section="crypto", text=bad, why="<b>why</b>")]})
    out = page.report_page(runner.Outcome("report", outcome().as_of, "bundled", tainted, []), [])
    assert "<script" not in out and "<img" not in out and "<b>why" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    # Only web addresses become links: a javascript: URL in a reference stays text.
    links = page.source_line(Source(provider="x", reference="javascript:alert(1) https://example.org/a?b=<c>"))
    assert [link.href for link in links if link.href] == ["https://example.org/a?b="]


def test_chart_html_export_is_a_page_with_the_chart(tmp_path):
    run = invoke("chart", "BTC", "--offline", "--since", "2024-09-01", "--export", "btc.html", cwd=tmp_path)
    assert run.code == 0
    p = Page()
    p.feed((tmp_path / "btc.html").read_text(encoding="utf-8"))
    assert p.fetched == [] and "script" not in p.tags and "svg" in p.tags
    assert "2026-02-06: low $60,074, the lowest since 2024-10-11 (16-month low)" in p.plain


# --- in a browser ------------------------------------------------------------------------------

# The page has no script; a test page around it measures it in a frame as wide as the screen asked
# for (headless Chromium will not open a window narrower than 500 px, and a phone is 390).
FRAME = """<!DOCTYPE html><html><head><style>body{{margin:0}}iframe{{border:0;display:block}}</style></head>
<body><iframe id="f" src="report.html" width="{width}" height="2400"></iframe><script>
document.getElementById("f").addEventListener("load", function () {{
  document.title = "W " + this.contentDocument.documentElement.scrollWidth + " " + this.contentWindow.innerWidth;
}});
</script></body></html>"""


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert BROWSER is not None
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--user-data-dir={tmp_path / 'p'}"]
    return subprocess.run([BROWSER, *flags, *args], capture_output=True, text=True, timeout=180)


@pytest.mark.slow
@pytest.mark.skipif(BROWSER is None, reason="no headless Chromium here (.ci/run installs the 'chromium' package)")
@pytest.mark.parametrize("width", [1400, 390])
def test_nothing_scrolls_sideways_at_laptop_and_phone_widths(tmp_path, width):
    (tmp_path / "report.html").write_text(report_html(), encoding="utf-8")
    (tmp_path / "frame.html").write_text(FRAME.format(width=width), encoding="utf-8")
    window = f"--window-size={max(width, 500)},1800"
    dom = chromium(
        tmp_path,
        "--allow-file-access-from-files",
        "--virtual-time-budget=10000",
        window,
        "--dump-dom",
        (tmp_path / "frame.html").as_uri(),
    ).stdout
    measured = dom.split("<title>W ", 1)[1].split("<", 1)[0].split()
    scroll_width, inner_width = int(measured[0]), int(measured[1])
    assert inner_width == width
    assert scroll_width <= inner_width
    shot = tmp_path / f"report-{width}.png"
    chromium(
        tmp_path,
        f"--screenshot={shot}",
        window,
        (tmp_path / ("report.html" if width >= 500 else "frame.html")).as_uri(),
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000
    keep = os.environ.get("PAGE_SCREENSHOTS")  # the README's pictures: PAGE_SCREENSHOTS=docs
    if keep:
        shutil.copyfile(shot, Path(keep) / shot.name)


def test_the_header_card_says_what_is_out_of_date():
    fresh = Source(provider="FRED", reference="ICSA")
    stale = Source(provider="Yahoo Finance", reference="BTC-USD", stale=True)
    lines = page.status(outcome().as_of, "live", [fresh, stale], ["labor: fred: ICSA: connection refused"])
    assert lines[0] == "Data as of 2026-02-06, from live data (live)."
    assert "Out of date: Yahoo Finance failed; cached values are shown and marked stale." in lines
    assert "Not shown: labor: fred: ICSA: connection refused" in lines
