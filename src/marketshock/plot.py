"""Charts as real pictures (PNG, SVG, PDF) drawn with matplotlib, for `chart --export` and the report.

`picture(chart, fmt, ...)` draws a `ChartResult` (what `chart --json` prints) as a figure
with axes, light gridlines and the marks the tables report, each with a text label, and
returns the file's bytes. `card(...)` is the report's one-screen summary for a chat.

Only the Agg family of canvases is used, through `matplotlib.figure.Figure` (never pyplot,
so no global backend is chosen and no window can open). matplotlib is imported inside the
functions: this module is loaded only when a picture is exported, and `--help` or `--json`
never pay for it.

Output is deterministic: matplotlib's own DejaVu fonts (text drawn as paths in SVG, embedded
in PDF), no creation date in the metadata, a fixed SVG id salt, so the same data gives the
same bytes and tests can compare files.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from marketshock import formatting as f
from marketshock.errors import MissingExtra
from marketshock.models.charts import ChartMark, ChartResult

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FORMATS = ("png", "svg", "pdf")
# 8 x 4.5 inches at 150 dpi: 1200 x 675 px, a 16:9 picture that chats and slides show well.
SIZE = (8.0, 4.5)
DPI = 150
CARD_SIZE = (8.0, 6.0)  # 1200 x 900 px: the header, the headlines, then the chart

# Okabe & Ito's palette, told apart with every common colour-vision deficiency; each mark also
# has its own marker shape and a text label, so nothing depends on colour alone.
BLUE, ORANGE, SKY, GREEN, VERMILLION, PURPLE, BLACK, GREY = (
    "#0072B2",
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#000000",
    "#6E6E6E",
)
MARKS: dict[str, tuple[str, str]] = {  # kind: (marker, colour)
    "lowest-since": ("v", VERMILLION),
    "earlier-low": ("v", ORANGE),
    "all-time-high": ("^", GREEN),
    "window-high": ("^", GREEN),
    "latest": ("o", BLACK),
    "market-measure": ("X", PURPLE),
    "highest-since": ("s", ORANGE),
}

# No dates, no versions: a file depends on its data only (matplotlib's version is not in it either).
_METADATA: dict[str, dict[str, str | None]] = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
}


@contextmanager
def _style(text_as_text: bool = False) -> Iterator[None]:
    try:
        import matplotlib
    except ImportError:  # pragma: no cover - matplotlib is a dependency; a broken install says so
        raise MissingExtra("pictures need matplotlib, which is not installed: pip install 'matplotlib>=3.8'") from None
    with matplotlib.rc_context(
        {
            "font.family": "DejaVu Sans",  # shipped with matplotlib: the same glyphs on every machine
            "font.size": 8,
            "axes.titlesize": 10,
            "axes.titleweight": "bold",
            "axes.edgecolor": GREY,
            "axes.labelcolor": "#333333",
            "xtick.color": "#333333",
            "ytick.color": "#333333",
            # Text as outlines: the viewer needs no font (each text kept as a comment). In a page,
            # text stays text (smaller, searchable, in the page's sans-serif).
            "svg.fonttype": "none" if text_as_text else "path",
            "svg.hashsalt": "marketshock",  # fixed ids: the same chart, the same file
            "pdf.fonttype": 42,
            "path.simplify": True,
            "text.parse_math": False,  # "$60,074 ... $1,749" in data is money, not a formula
        }
    ):
        yield


def _save(fig: Figure, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"no picture format {fmt!r}: one of {', '.join(FORMATS)}")
    out = io.BytesIO()
    fig.savefig(out, format=fmt, dpi=DPI, metadata=_METADATA[fmt], facecolor="white")
    return out.getvalue()


# --- labels ------------------------------------------------------------------------------


def value_text(value: float, unit: str) -> str:
    """A level as the tables write it: "$60,074", "$2.45", "5,089.14", "205,000"."""
    if unit == "USD":
        return f.usd(value, 2 if abs(value) < 1000 else 0)
    if unit == "index points":
        return f.number(value, 2)
    return f.number(value)


def mark_label(mark: ChartMark, chart: ChartResult) -> str:
    """A few words beside a mark; the legend line (`mark.text`) is longer and goes in `--json`."""
    value = value_text(mark.value, chart.unit)
    by_kind = {m.kind: m for m in chart.marks}
    if mark.kind == "lowest-since":
        earlier = by_kind.get("earlier-low")
        since = f"lowest since {earlier.x}" if earlier else "lowest in the data"
        return f"{mark.x}: low {value}\n{since}"
    if mark.kind == "earlier-low":
        return f"{mark.x}: low {value}\nthe last lower low"
    if mark.kind == "all-time-high":
        return f"highest close {value}\n{mark.x}"
    if mark.kind == "window-high":
        return f"high {value}\n{mark.x}"
    if mark.kind == "highest-since":
        return f"{mark.x[:4]}: {value}\nthe last higher"
    if mark.kind == "market-measure":  # "2026-02-03: sell-side sidecar 09:06 KST (KOSPI200 futures -5%)"
        return f"{mark.x}: {mark.text.split(': ', 1)[-1].split(' (')[0]}"
    return f"{mark.x}: {value}"


def caption(chart: ChartResult, as_of: dt.date, source: str) -> str:
    from marketshock import export

    lines = [export.providers_line(chart.sources) or "Sources: see `marketshock chart --json`"]
    data = "the bundled dataset" if source == "bundled" else f"{source} data"
    away = [f"{mark_label(m, chart).replace(chr(10), ', ')} (before the chart starts)" for m in chart.marks]
    away = [a for a, m in zip(away, chart.marks, strict=True) if not m.in_window]
    lines += [*chart.notes, *away]
    lines.append(f"marketshock chart {chart.series}: data as of {as_of}, from {data}")
    return "\n".join(f.safe_text(line) for line in lines)


def chart_title(chart: ChartResult, as_of: dt.date) -> str:
    from marketshock import charts

    return f"{charts.title(chart)}\nas of {as_of}"


# --- drawing ------------------------------------------------------------------------------


def _number_axis(ax: Axes, unit: str) -> None:
    from matplotlib.ticker import FuncFormatter

    def tick(value: float, _: object) -> str:
        text = f"{value:,.0f}" if abs(value) >= 100 or value == 0 else f"{value:,.2f}".rstrip("0").rstrip(".")
        return f"${text}" if unit == "USD" else text

    ax.yaxis.set_major_formatter(FuncFormatter(tick))
    ax.set_ylabel(unit)


def _grid(ax: Axes) -> None:
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _annotate(
    ax: Axes, label: str, x: Any, y: float, colour: str, above: bool, frac: float, stack: int | None = None
) -> None:
    """A label beside a mark, pointed at it: above a high, below a low, towards the middle of
    the plot so it stays inside; or, with `stack`, the stack-th of a column of labels in the
    plot's lower right corner (a run of trading curbs a few days apart)."""
    align = "right" if frac > 0.7 or stack is not None else "left" if frac < 0.3 else "center"
    dx = {"right": -10, "left": 10, "center": 0}[align]
    ax.annotate(
        label,
        xy=(x, y),
        xytext=(0.98, 0.04 + 0.075 * stack) if stack is not None else (dx, 16 if above else -16),
        textcoords="axes fraction" if stack is not None else "offset points",
        ha=align,
        va="bottom" if above or stack is not None else "top",
        fontsize=7.5,
        color=colour,
        fontweight="bold",
        bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": colour, "lw": 0.6, "alpha": 0.9},
        arrowprops={"arrowstyle": "-", "color": colour, "lw": 0.6},
        zorder=5,
    )


def _line(ax: Axes, chart: ChartResult) -> None:
    import matplotlib.dates as mdates

    days = [dt.date.fromisoformat(p.x) for p in chart.points]
    values = [p.value for p in chart.points]
    ax.plot(cast(Any, days), values, color=BLUE, linewidth=1.3, label=chart.measure, zorder=3)
    marks = [m for m in chart.marks if m.in_window]
    by_kind = {m.kind: m for m in marks}
    if "earlier-low" in by_kind and "lowest-since" in by_kind:
        low, last = by_kind["earlier-low"], by_kind["lowest-since"]
        ax.hlines(
            low.value,
            dt.date.fromisoformat(low.x),  # type: ignore[arg-type]
            dt.date.fromisoformat(last.x),  # type: ignore[arg-type]
            colors=ORANGE,
            linestyles="--",
            linewidth=1,
            label=f"level of the {low.x} low",
            zorder=2,
        )
    span = max(1, (days[-1] - days[0]).days)
    lows = [m.value for m in marks] + values
    bottom, top = min(lows), max(lows)
    pad = (top - bottom) * 0.22 or max(1.0, abs(top) * 0.05)
    highs = any(m.kind in ("all-time-high", "window-high") for m in marks)
    ax.set_ylim(bottom - pad, top + pad * (1.5 if highs else 1))  # room for a high's label under the title
    ax.set_xlim(days[0], days[-1] + dt.timedelta(days=max(1, span // 50)))  # type: ignore[arg-type]
    measures = 0
    for m in marks:
        day = dt.date.fromisoformat(m.x)
        marker, colour = MARKS[m.kind]
        ax.plot(cast(Any, [day]), [m.value], marker=marker, color=colour, markersize=7, linestyle="none", zorder=4)
        stack = None
        if m.kind == "market-measure":
            if measures >= 4:  # the first few are labelled, `--json` lists every one
                continue
            stack, measures = measures, measures + 1
        above = m.kind in ("all-time-high", "window-high")
        _annotate(ax, mark_label(m, chart), day, m.value, colour, above, (day - days[0]).days / span, stack)
    locator = mdates.AutoDateLocator(minticks=4, maxticks=9)  # type: ignore[no-untyped-call]  # matplotlib.dates is unannotated
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]  # as above
    if "earlier-low" in by_kind and "lowest-since" in by_kind:
        ax.legend(loc="upper left", fontsize=7, frameon=False)


def _bars(ax: Axes, chart: ChartResult) -> None:
    years = [p.x[:4] for p in chart.points]
    values = [p.value for p in chart.points]
    marks = {m.x: m for m in chart.marks if m.in_window}
    colours = [MARKS[marks[p.x].kind][1] if p.x in marks else SKY for p in chart.points]
    latest = next((m for m in marks.values() if m.kind == "latest"), None)
    colours = [VERMILLION if latest and p.x == latest.x else c for p, c in zip(chart.points, colours, strict=True)]
    xs = list(range(len(values)))
    ax.bar(xs, values, color=colours, width=0.72, zorder=3)
    since = next((m for m in marks.values() if m.kind == "highest-since"), None)
    xs_of = {p.x: i for i, p in enumerate(chart.points)}
    if latest is not None and since is not None:
        ax.hlines(
            latest.value,
            xs_of[since.x],
            xs_of[latest.x],
            colors=BLACK,
            linestyles="--",
            linewidth=0.9,
            label=f"{latest.x[:4]}'s level, from the last higher year",
            zorder=4,
        )
        ax.legend(loc="upper left", fontsize=7, frameon=False)
    ax.set_ylim(0, max(values) * 1.3)
    for x, m in marks.items():
        i = xs_of[x]
        colour = VERMILLION if m.kind == "latest" else MARKS[m.kind][1]
        _annotate(ax, mark_label(m, chart), i, m.value, colour, True, i / max(1, len(xs) - 1))
    step = max(1, round(len(xs) / 16))
    shown = [i for i in xs if i % step == (len(xs) - 1) % step]
    ax.set_xticks(shown, [years[i] for i in shown])
    ax.set_xlim(-0.7, len(xs) - 0.3)
    ax.grid(False, axis="x")


def _plot(ax: Axes, chart: ChartResult) -> None:
    _grid(ax)
    if chart.style == "bars":
        _bars(ax, chart)
    else:
        _line(ax, chart)
    _number_axis(ax, chart.unit)
    ax.tick_params(labelsize=7.5)


def chart_figure(chart: ChartResult, as_of: dt.date, source: str) -> Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=SIZE, dpi=DPI)
    fig.subplots_adjust(left=0.1, right=0.97, top=0.86, bottom=0.14 + 0.028 * _caption_lines(chart))
    ax = fig.add_subplot()
    _plot(ax, chart)
    ax.set_title(f.safe_text(chart_title(chart, as_of)), loc="left", fontsize=10)
    fig.text(0.01, 0.015, caption(chart, as_of, source), fontsize=6.5, color=GREY, va="bottom")
    return fig


def _caption_lines(chart: ChartResult) -> int:
    return 1 + len(chart.notes) + sum(not m.in_window for m in chart.marks)


def picture(chart: ChartResult, fmt: str, *, as_of: dt.date, source: str, text_as_text: bool = False) -> bytes:
    """The chart as the bytes of a PNG, SVG or PDF file (`text_as_text`: SVG text as <text>, for a page)."""
    with _style(text_as_text):
        return _save(chart_figure(chart, as_of, source), fmt)


def card(
    chart: ChartResult | None,
    fmt: str,
    *,
    title: str,
    header: str,
    headlines: Sequence[str],
    as_of: dt.date,
    source: str,
) -> bytes:
    """One screen for a chat: the header line, the top headlines, then the chart (if any)."""
    import textwrap

    with _style():
        from matplotlib.figure import Figure

        fig = Figure(figsize=CARD_SIZE, dpi=DPI)
        fig.text(0.03, 0.965, f.safe_text(title), fontsize=13, fontweight="bold", va="top")
        fig.text(0.03, 0.915, f.safe_text(header), fontsize=8, color=GREY, va="top")
        y = 0.87
        for line in headlines[:4]:
            wrapped = textwrap.fill(f.safe_text(line), 118, subsequent_indent="   ")
            fig.text(0.03, y, "•  " + wrapped, fontsize=8, va="top")
            y -= 0.024 * (wrapped.count("\n") + 1) + 0.014
        if chart is not None:
            ax = fig.add_axes((0.1, 0.14, 0.86, y - 0.22))
            _plot(ax, chart)
            ax.set_title(f.safe_text(chart_title(chart, as_of).replace("\n", ", ")), loc="left", fontsize=9)
            fig.text(0.03, 0.015, caption(chart, as_of, source), fontsize=6, color=GREY, va="bottom")
        return _save(fig, fmt)
