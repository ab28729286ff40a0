"""Pictures of what a terminal shows: SVG, HTML or plain text through Rich's console recording.

`write` takes a function that draws for a given console (tables and charts decide
their decoration from the console), records it on a terminal-like console with
colours, and writes the file atomically: a reader never sees half a picture. Every
file opens with what it is, the as-of date of its data and where the data came
from. `export_outcome` does that for a finished run (`runner.execute`), so the
report, and later a snapshot, can save what a terminal would have shown.

Rich is imported inside the functions: this module is loaded only when exporting.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from marketshock.errors import UsageError
from marketshock.models.series import Source

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from marketshock.models.charts import ChartResult
    from marketshock.runner import Outcome, Request

# The file name's ending picks the format. Pictures (.png, .svg, .pdf) are drawn with
# matplotlib (`plot`), .html is a page laid out for reading (`page`, Jinja2); the recordings of
# what a terminal shows keep a clear name of their own: .term.svg, .term.html, .txt.
FORMATS = {
    ".term.svg": "term-svg",
    ".term.html": "term-html",
    ".svg": "svg",
    ".png": "png",
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    ".txt": "txt",
}
PICTURES = ("png", "svg", "pdf")  # matplotlib's
RECORDINGS = {"term-svg": "svg", "term-html": "html", "txt": "txt"}  # Rich's console recording
# A picture is as wide as what it shows, within these bounds (tables wider than the
# maximum wrap, as they would in a terminal that wide).
MIN_WIDTH, MAX_WIDTH = 80, 160

Draw = Callable[["Console"], "RenderableType"]

# Rich's SVG asks a CDN for the Fira Code font when the viewer lacks it. A file meant to
# be shared should not call out when opened: keep the local font and the monospace fallback.
_REMOTE_FONT = re.compile(r',\s*url\("https?://[^"]*"\)\s*format\("[^"]*"\)')

# Rich fills {stylesheet}, {foreground}, {background} and {code}; CSS braces are doubled.
_HTML_PAGE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>@TITLE@</title>
<meta name="description" content="@DESCRIPTION@">
<style>
{stylesheet}
body {{
    color: {foreground};
    background-color: {background};
    margin: 1.5em;
}}
pre {{
    font-family: Menlo, 'DejaVu Sans Mono', Consolas, 'Courier New', monospace;
    line-height: 1.2;
}}
</style>
</head>
<body>
<pre><code style="font-family:inherit">{code}</code></pre>
</body>
</html>
"""


@dataclass(frozen=True)
class Target:
    path: Path
    format: str  # a value of FORMATS


def target(path: str) -> Target:
    """Check an --export path before any work is done: a known suffix, an existing directory."""
    p = Path(path).expanduser()
    if p.is_dir():
        raise UsageError(f"--export {path!r} is a directory")
    fmt = next((fmt for end, fmt in FORMATS.items() if p.name.lower().endswith(end)), None)
    if fmt is None:
        raise UsageError(
            f"--export {path!r}: the file name must end in .png, .svg, .pdf or .html "
            "(pictures and a page), or .term.svg, .term.html or .txt (what the terminal shows)"
        )
    if not p.parent.is_dir():
        raise UsageError(f"--export {path!r}: no directory {str(p.parent)!r}")
    return Target(p, fmt)


def sources_of(model: object) -> list[Source]:
    """Every distinct `Source` inside a result model, in the order they appear."""

    def walk(value: object) -> Iterator[Source]:
        if isinstance(value, Source):
            yield value
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                yield from walk(getattr(value, name))
        elif isinstance(value, list | tuple):
            for item in value:
                yield from walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                yield from walk(item)

    return list(dict.fromkeys(walk(model)))


def providers_line(sources: Sequence[Source]) -> str:
    names = [s.provider for s in sources]
    named = [n for n in dict.fromkeys(names) if n != "curated"]
    if "curated" in names:
        named.append("figures curated from the pages cited in the notes")
    return "Sources: " + "; ".join(named) if named else ""


def heading(title: str, as_of: dt.date, source: str, out_of_date: int = 0) -> str:
    """'marketshock report: data as of 2026-11-30, from live data; 35 figures out of date': a file
    read later says what the terminal's header line said (`freshness.count` of the result)."""
    data = "the bundled dataset" if source == "bundled" else f"{source} data"
    old = f"; {out_of_date} figure{'s' if out_of_date > 1 else ''} out of date" if out_of_date else ""
    return f"{title}: data as of {as_of}, from {data}{old}"


def record(
    draw: Draw,
    *,
    title: str,
    as_of: dt.date,
    source: str,
    sources: Sequence[Source],
    width: int | None,
    no_color: bool,
    out_of_date: int = 0,
) -> Console:
    """Draw on a recording console that behaves like a colour terminal of `width` columns
    (default: as wide as the drawing, within MIN_WIDTH..MAX_WIDTH). Environment variables
    (COLUMNS, NO_COLOR, FORCE_COLOR) do not change a file: only `width` and `no_color` do."""
    from rich.console import Console, Group
    from rich.measure import Measurement
    from rich.text import Text

    from marketshock import formatting

    console = Console(
        record=True,
        file=io.StringIO(),
        width=width or MAX_WIDTH,
        height=50,
        force_terminal=True,
        force_jupyter=False,
        force_interactive=False,
        color_system="truecolor",
        no_color=no_color,
        highlight=False,
        emoji=False,
        legacy_windows=False,
        soft_wrap=False,
    )
    head = Text(formatting.safe_text(heading(title, as_of, source, out_of_date)), style="bold")
    body = draw(console)
    provenance = Text(formatting.safe_text(providers_line(sources)), style="dim")
    page = Group(head, Text(""), body, Text(""), provenance)
    if width is None:
        needed = Measurement.get(console, console.options, page).maximum
        console.width = max(MIN_WIDTH, min(MAX_WIDTH, needed))
        page = Group(head, Text(""), draw(console), Text(""), provenance)
    if no_color:
        # Recording keeps every style whatever no_color says: strip the colours here
        # and keep bold and dim, as a terminal with NO_COLOR would.
        from rich.segment import Segment, Segments

        console.print(Segments(Segment.remove_color(console.render(page))))
    else:
        console.print(page)
    return console


def render(console: Console, fmt: str, title: str, as_of: dt.date) -> str:
    """The recorded console as the text of an SVG, HTML or plain-text file."""
    from rich.terminal_theme import SVG_EXPORT_THEME

    name = f"{title}, data as of {as_of}"
    if fmt == "svg":
        # A fixed id keeps the file identical from run to run (Rich would hash the content).
        svg = console.export_svg(title=name, theme=SVG_EXPORT_THEME, clear=False, unique_id="marketshock")
        return _REMOTE_FONT.sub("", svg)
    if fmt == "html":
        escaped = html.escape(name).replace("{", "{{").replace("}", "}}")
        page = _HTML_PAGE.replace("@TITLE@", escaped).replace("@DESCRIPTION@", escaped)
        return console.export_html(theme=SVG_EXPORT_THEME, clear=False, code_format=page, inline_styles=False)
    return console.export_text(clear=False, styles=False)


def atomic_write(path: Path, content: str | bytes) -> None:
    """Write the picture atomically (files.atomic_write); UsageError naming the path on failure."""
    from marketshock import files

    try:
        files.atomic_write(path, content.encode("utf-8") if isinstance(content, str) else content)
    except OSError as error:
        raise UsageError(f"cannot write {str(path)!r}: {error.strerror}") from None


def write(
    draw: Draw,
    to: Target,
    *,
    title: str,
    as_of: dt.date,
    source: str,
    sources: Sequence[Source],
    width: int | None = None,
    no_color: bool = False,
) -> Path:
    """Record what `draw` shows and write it to `to` as SVG, HTML or text (a terminal recording). Returns the path."""
    fmt = RECORDINGS.get(to.format, to.format)
    console = record(draw, title=title, as_of=as_of, source=source, sources=sources, width=width, no_color=no_color)
    atomic_write(to.path, render(console, fmt, title, as_of))
    return to.path


def chart_series(result: BaseModel) -> list[str]:
    """What the report's page and card chart: its crypto assets, then its indices with levels."""
    from marketshock.models.results.report import ReportResult

    if not isinstance(result, ReportResult):
        return []
    series = [a.symbol for a in result.crypto.assets] if result.crypto else []
    if result.indices:
        series += [row.symbol for row in result.indices.indices if row.last is not None and "moves" not in row.kind]
    return list(dict.fromkeys(series))


def outcome_charts(outcome: Outcome, request: Request | None, limit: int | None = None) -> list[ChartResult]:
    """The charts of a finished report, from the same data source and as-of date."""
    from dataclasses import replace

    from marketshock import charts
    from marketshock.runner import Request

    if outcome.result is None:
        return []
    series = chart_series(outcome.result)[:limit]
    base = request or Request(command="report", offline=outcome.source == "bundled")
    ask = replace(base, command="chart", as_of=outcome.as_of.isoformat(), json=False, quiet=True)
    return charts.build_many(ask, series) if series else []


def headline_lines(result: BaseModel) -> list[str]:
    from marketshock.models.results.report import ReportResult

    return [h.text for h in result.headlines] if isinstance(result, ReportResult) else []


def outcome_picture(
    outcome: Outcome, fmt: str, *, ytd: bool = True, no_color: bool = False, request: Request | None = None
) -> str | bytes:
    """A finished run (report or one section) as the content of a file in format `fmt` (a value of
    FORMATS), for a caller that writes it itself (`snapshot --export`, under its lock): a summary
    card (.png, .svg, .pdf), the page (.html), or a recording of its tables (.term.svg, .term.html, .txt)."""
    from marketshock import present

    if outcome.result is None:
        raise ValueError("nothing to export: the run produced no result")
    from marketshock.sections import freshness

    result = outcome.result
    title = f"marketshock {outcome.command}"
    old = freshness.count(result)
    if fmt in PICTURES:
        from marketshock import plot

        shown = outcome_charts(outcome, request, limit=1)
        return plot.card(
            shown[0] if shown else None,
            fmt,
            title=f"marketshock {outcome.command}, {outcome.as_of}",
            header=heading(title, outcome.as_of, outcome.source, old).split(": ", 1)[1]
            + (f"; {len(outcome.errors)} section(s) failed" if outcome.errors else ""),
            headlines=headline_lines(result),
            as_of=outcome.as_of,
            source=outcome.source,
        )
    if fmt == "html":
        from marketshock import page

        return page.report_page(outcome, outcome_charts(outcome, request))
    console = record(
        lambda console: present.renderable(result, outcome.command, console, ytd=ytd),
        title=title,
        as_of=outcome.as_of,
        source=outcome.source,
        sources=sources_of(result),
        width=None,
        no_color=no_color,
        out_of_date=old,
    )
    return render(console, RECORDINGS.get(fmt, fmt), title, outcome.as_of)


def export_outcome(
    outcome: Outcome, to: Target, *, ytd: bool = True, no_color: bool = False, request: Request | None = None
) -> Path:
    """A finished run (report or one section), as a picture, a page or a recording at `to`."""
    atomic_write(to.path, outcome_picture(outcome, to.format, ytd=ytd, no_color=no_color, request=request))
    return to.path


def run(request: Request, path: str) -> int:
    """`report --export FILE`: print as usual, and save the same report as a picture, a page or a recording."""
    from marketshock import present, runner

    to = target(path)
    outcome = runner.execute(request)
    present.show(outcome, request)
    if outcome.result is not None:
        export_outcome(outcome, to, ytd=request.ytd, no_color=request.no_color, request=request)
        if not request.quiet:
            runner.warn(f"wrote {to.path}")
    return outcome.exit_code
