"""The report (or one chart) as an HTML page laid out for reading, on a laptop and on a phone.

The tables are the terminal's: each section's renderer builds its `render.Grid`s, and this
module reads their columns and cells (text, and which parts are up or down) into plain data
that a Jinja2 template lays out as real `<table>`s. So the page shows exactly the figures
the terminal and `--json` show, and no formatting is written twice.

The template autoescapes everything; the only markup let through unescaped is the charts'
SVG, which matplotlib writes (and escapes the text of) itself. The page is self-contained:
its style is inline, its charts are inline SVG, it has no script and asks for nothing.

Jinja2 and matplotlib are imported inside the functions: this module loads only on export.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from marketshock import formatting as f
from marketshock.errors import MissingExtra
from marketshock.models.series import Source

if TYPE_CHECKING:
    from pydantic import BaseModel
    from rich.console import Console, RenderableType
    from rich.style import Style
    from rich.text import Text

    from marketshock.models.charts import ChartResult
    from marketshock.runner import Outcome

TEMPLATE = "report.html.j2"
_URL = re.compile(r"https?://[^\s<>\"')\]]+")


@dataclass
class Run:
    """A piece of a cell with one look: "up", "down", "warn", "dim" or ""."""

    text: str
    kind: str = ""


@dataclass
class Table:
    title: str
    headers: list[str]
    numeric: list[bool]  # right-aligned columns
    rows: list[list[list[Run]]]


@dataclass
class Block:
    """A section's part, in order: a table or a paragraph."""

    table: Table | None = None
    text: list[Run] = field(default_factory=list)


@dataclass
class Chart:
    title: str
    svg: str  # matplotlib's SVG, without its XML prologue
    legend: list[str]


@dataclass
class Section:
    name: str
    blocks: list[Block]
    charts: list[Chart] = field(default_factory=list)


@dataclass
class Link:
    """A piece of a source line: a link where it is a web address."""

    text: str
    href: str = ""


# --- reading Rich's renderables ------------------------------------------------------------


def _kind(style: str | Style | None) -> str:
    from rich.style import Style

    if not style:
        return ""
    parsed = style if isinstance(style, Style) else Style.parse(str(style))
    colour = parsed.color.name if parsed.color is not None else ""
    if "red" in colour:
        return "down"
    if "green" in colour:
        return "up"
    if "yellow" in colour or "magenta" in colour:
        return "warn"
    return "dim" if parsed.dim else ""


def runs(text: Text) -> list[Run]:
    """The text in pieces of one look each, from its base style and its spans."""
    plain = text.plain
    kinds = [_kind(text.style)] * len(plain)
    for span in text.spans:
        kind = _kind(span.style)
        if kind:
            kinds[span.start : span.end] = [kind] * (min(span.end, len(plain)) - span.start)
    out: list[Run] = []
    for char, kind in zip(plain, kinds, strict=True):
        if out and out[-1].kind == kind:
            out[-1].text += char
        else:
            out.append(Run(char, kind))
    return out


def blocks(renderable: RenderableType) -> Iterable[Block]:
    """A section's renderable as tables and paragraphs (Groups opened, blank lines dropped)."""
    from rich.console import Group
    from rich.text import Text

    from marketshock import render

    if isinstance(renderable, Group):
        for part in renderable.renderables:
            yield from blocks(part)
    elif isinstance(renderable, render.Grid):
        title, kept = renderable._hoisted()
        columns = [renderable.columns[i] for i in kept]
        yield Block(
            table=Table(
                title=title,
                headers=[c.header for c in columns],
                numeric=[c.justify == "right" for c in columns],
                rows=[[runs(row[i]) for i in kept] for row in renderable.rows],
            )
        )
    elif isinstance(renderable, Text):
        if renderable.plain.strip():
            yield Block(text=runs(renderable))
    elif isinstance(renderable, str):
        if renderable.strip():
            yield Block(text=[Run(renderable)])
    else:  # pragma: no cover - every section renders Grids and Texts; say so if one day it does not
        raise TypeError(f"no HTML for a {type(renderable).__name__} in a section's tables")


def sections(result: BaseModel, command: str, console: Console) -> tuple[list[Section], list[Source], list[str]]:
    """Every section's blocks, and the sources and the legend lines behind their marks."""
    from marketshock import present, render
    from marketshock.models.results.report import ReportResult
    from marketshock.sections import registry

    legend = render.Legend(verbose=False)
    out = []
    if isinstance(result, ReportResult):
        for section in registry.REPORT_SECTIONS:
            part = getattr(result, section.field)
            if part:
                out.append(Section(section.name, list(blocks(section.renderer()(part, console, legend=legend)))))
    else:
        drawn = present.renderable(result, command, console)
        out.append(Section(command, list(blocks(drawn))))
    lines = legend.renderable().plain.splitlines()[1:] if legend.keys else []
    return out, [s for key in legend.keys for s in legend.sources[key]], lines


def source_line(source: Source) -> list[Link]:
    """A source in full, its web addresses as links (http and https only)."""
    ref = f" {source.reference}" if source.reference else ""
    note = f" ({source.note})" if source.note else ""
    stale = " STALE: the provider failed; a cached value is shown" if source.stale else ""
    text = f.safe_text(f"{source.provider}:{ref}{note}{stale}")
    out, at = [], 0
    for m in _URL.finditer(text):
        if m.start() > at:
            out.append(Link(text[at : m.start()]))
        out.append(Link(m.group(), m.group()))
        at = m.end()
    if at < len(text):
        out.append(Link(text[at:]))
    return out


# --- charts --------------------------------------------------------------------------------


def inline_svg(svg: bytes) -> str:
    """matplotlib's SVG ready to sit in a page: no XML prologue, as wide as its box."""
    text = svg.decode("utf-8")
    text = text[text.index("<svg") :]
    return re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 class="chart" role="img"', text, count=1)


def chart_blocks(shown: Sequence[ChartResult], as_of: dt.date, source: str) -> list[Chart]:
    from marketshock import charts, plot

    return [
        Chart(
            title=charts.title(c),
            svg=inline_svg(plot.picture(c, "svg", as_of=as_of, source=source, text_as_text=True)),
            legend=[m.text + ("" if m.in_window else " (before the chart starts)") for m in c.marks],
        )
        for c in shown
    ]


# --- the page --------------------------------------------------------------------------------


def _environment() -> Any:
    try:
        import jinja2
    except ImportError:  # pragma: no cover - Jinja2 is a dependency; a broken install says so
        raise MissingExtra("the HTML page needs Jinja2, which is not installed: pip install 'jinja2>=3.1'") from None
    return jinja2.Environment(
        loader=jinja2.PackageLoader("marketshock", "templates"),
        autoescape=True,  # every value is text, whatever it holds
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_page(**values: Any) -> str:
    text: str = _environment().get_template(TEMPLATE).render(**values)
    return text


def _console() -> Console:
    from rich.console import Console

    # Decorated as a colour terminal would be (so up and down are known), 160 wide (no folding here).
    return Console(width=160, force_terminal=True, color_system="truecolor", highlight=False, emoji=False)


def status(
    as_of: dt.date, source: str, sources: Sequence[Source], errors: Sequence[str], out_of_date: int = 0
) -> list[str]:
    """The header card's lines: the data's date and origin, then what is out of date or missing."""
    origin = "the bundled dataset (offline)" if source == "bundled" else f"live data ({source})"
    lines = [f"Data as of {as_of}, from {origin}."]
    if out_of_date:
        lines.append(
            f"{out_of_date} figure{'s are' if out_of_date > 1 else ' is'} out of date: older than "
            f"{'their' if out_of_date > 1 else 'its'} cadence allows, marked in the tables."
        )
    stale = sorted({s.provider for s in sources if s.stale})
    if stale:
        lines.append(f"Out of date: {', '.join(stale)} failed; cached values are shown and marked stale.")
    lines += [f"Not shown: {e}" for e in errors]
    if len(lines) == 1:
        lines.append("Every section is up to date for that day.")
    return [f.safe_text(line) for line in lines]


def report_page(outcome: Outcome, shown: Sequence[ChartResult]) -> str:
    """The report (or one section) as a self-contained page."""
    from marketshock import export
    from marketshock.models.results.report import ReportResult
    from marketshock.sections import freshness

    result = outcome.result
    if result is None:
        raise ValueError("nothing to export: the run produced no result")
    parts, used, legend = sections(result, outcome.command, _console())
    crypto = {a.symbol for a in result.crypto.assets} if isinstance(result, ReportResult) and result.crypto else set()
    loose: list[Chart] = []
    for chart, block in zip(shown, chart_blocks(shown, outcome.as_of, outcome.source), strict=True):
        # Each chart sits in its section, under the tables: crypto's assets, the indices' levels.
        home = next((p for p in parts if p.name == ("crypto" if chart.series in crypto else "indices")), None)
        (home.charts if home is not None else loose).append(block)
    every = export.sources_of(result)
    headlines = (
        [(f.safe_text(h.text), f.safe_text(h.why)) for h in result.headlines]
        if isinstance(result, ReportResult)
        else []
    )
    return render_page(
        title=f"marketshock {outcome.command}, {outcome.as_of}",
        status=status(
            outcome.as_of,
            outcome.source,
            every,
            [f"{e.section}: {e.message}" for e in outcome.errors],
            freshness.count(result),
        ),
        headlines=headlines,
        charts=loose,
        sections=parts,
        legend=legend,
        sources=[source_line(s) for s in dict.fromkeys([*used, *every])],
        footer=f"marketshock {outcome.command} --export, data as of {outcome.as_of}",
    )


def chart_page(chart: ChartResult, as_of: dt.date, source: str) -> str:
    """One chart as a page: the chart, what each mark says, its notes and sources."""
    from marketshock import charts

    return render_page(
        title=f"{charts.title(chart)}, as of {as_of}",
        status=status(as_of, source, chart.sources, []),
        headlines=[],
        charts=chart_blocks([chart], as_of, source),
        sections=[],
        legend=[f.safe_text(n) for n in chart.notes],
        sources=[source_line(s) for s in dict.fromkeys(chart.sources)],
        footer=f"marketshock chart {chart.series} --export, data as of {as_of}",
    )
