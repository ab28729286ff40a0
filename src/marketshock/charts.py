"""`marketshock chart`: one series as a picture, with what the analytics found marked on it.

Two halves. `build` asks the `MarketData` source for a series, cuts it to the as-of
date and marks it with the same analytics the tables use (`lowest_since`,
`drawdown_from_high`, `highest_same_month_since`), so a chart never disagrees with a
table. `draw` turns that `ChartResult` into a Rich renderable: a braille line for a
daily or weekly series, columns of block characters for a monthly one.

The drawing is made of Rich primitives (Text with styles), not a plotting library:
the same renderable then prints on a terminal, prints plain on a pipe, and records
into SVG/HTML with its colours, and it stays byte-for-byte stable for golden tests.
Rich is imported inside the drawing functions, never at import time.
"""

from __future__ import annotations

import asyncio
import bisect
import datetime as dt
import math
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING

from marketshock import aio, analytics
from marketshock import formatting as f
from marketshock.context import RunContext
from marketshock.errors import ProviderError, Unavailable, UnknownSymbolError, UsageError
from marketshock.models.charts import ChartMark, ChartPoint, ChartResult
from marketshock.models.economic import ClaimsFirstPrint, MonthlySeries, WeeklySeries
from marketshock.models.series import PriceSeries
from marketshock.models.sessions import IndexSession, IndexSessions

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.text import Text

    from marketshock.runner import Request


# Default windows: a year of a daily or weekly series, reaching back far enough to show
# the earlier low that the last day fell through (plus a month, so it is not on the edge).
DEFAULT_WINDOW = dt.timedelta(days=365)
EARLIER_LOW_MARGIN = dt.timedelta(days=31)
DEFAULT_HEIGHT = 16
MIN_WIDTH, MIN_HEIGHT = 40, 6
# Far beyond any screen or page; a bound so `--width 99999999` is a usage error, not minutes of drawing.
MAX_WIDTH, MAX_HEIGHT = 1000, 500
DEFAULT_EXPORT_WIDTH = 100

CLAIMS_SERIES = {"claims": "ICSA", "continuing-claims": "CCSA"}
ALIASES = {
    "icsa": "claims",
    "initial-claims": "claims",
    "ccsa": "continuing-claims",
    "jobcuts": "job-cuts",
    "challenger": "job-cuts",
}


def known(ctx: RunContext) -> str:
    """What `chart` can draw in this run: the universe's series with levels, then the labor series."""
    groups = ("crypto", "indices", "etfs", "companies")
    symbols = [s for s in ctx.universe.symbols(*groups) if ctx.universe.table.get(s) is None or _has_levels(ctx, s)]
    return ", ".join([*symbols, *CLAIMS_SERIES, "job-cuts"])


def _has_levels(ctx: RunContext, symbol: str) -> bool:
    row = ctx.universe.table.get(symbol)
    return row is None or row.form != "moves"


def normalize(series: str) -> str:
    """`claims`, `job-cuts` and their aliases in lower case; symbols in upper case."""
    key = series.strip().lower()
    key = ALIASES.get(key, key)
    return key if key in CLAIMS_SERIES or key == "job-cuts" else key.upper()


# --- building the chart's data ---------------------------------------------------------


def _price(value: float, unit: str) -> str:
    return f.usd(value, 2 if abs(value) < 1000 else 0) if unit == "USD" else f.price(value)


def default_start(last: dt.date, earlier_low: dt.date | None) -> dt.date:
    start = last - DEFAULT_WINDOW
    if earlier_low is not None:
        start = min(start, earlier_low - EARLIER_LOW_MARGIN)
    return start


def price_chart(series: PriceSeries, ctx: RunContext, since: dt.date | None = None) -> ChartResult:
    """Daily closes, the last day's "lowest since" and its earlier match, the highest close.

    The marks are computed on the whole history known on the as-of date (as the crypto
    and indices tables do), whatever window is drawn."""
    as_of = ctx.as_of
    known = series.up_to(as_of)
    bars = known.bars
    if not bars:
        raise Unavailable(f"{series.symbol}: no data on or before {as_of} (data starts {series.dates[0]})")
    unit = "index points" if series.calendar == "sessions" and not series.proxy_for else series.currency
    last = bars[-1]
    found = analytics.lowest_since(bars, known.gaps)
    low = found if isinstance(found, analytics.LowestSince) else None  # a gap leaves it unknown: no mark
    high = analytics.drawdown_from_high(known.dates, known.closes)
    assert high is not None  # bars is not empty
    start = since or default_start(last.date, low.date if low else None)
    window = [b for b in bars if b.date >= start]
    if not window:
        raise Unavailable(f"{series.symbol}: no data from {start} to {as_of} (last day {last.date})")
    first = window[0].date

    marks = []
    last_low = last.low if last.low is not None else last.close  # no low: `found` is Blocked, no mark uses it
    # "Lowest since the day before" says nothing: mark a low only when days in between were higher.
    if low is not None and low.date != bars[-2].date:
        months = f" ({low.months}-month low)" if low.months >= 1 else ""
        marks.append(
            ChartMark(
                kind="lowest-since",
                x=last.date.isoformat(),
                value=round(last_low, 2),
                text=f"{last.date}: low {_price(last_low, unit)}, the lowest since {low.date}{months}",
            )
        )
        marks.append(
            ChartMark(
                kind="earlier-low",
                x=low.date.isoformat(),
                value=round(low.low, 2),
                text=f"{low.date}: low {_price(low.low, unit)}, the last day lower than {last.date}'s low",
                in_window=low.date >= first,
            )
        )
    elif found is None:  # the lowest in the data (never said when a gap left it unknown)
        marks.append(
            ChartMark(
                kind="lowest-since",
                x=last.date.isoformat(),
                value=round(last_low, 2),
                text=f"{last.date}: low {_price(last_low, unit)}, the lowest in the data (since {bars[0].date})",
            )
        )
    marks.append(
        ChartMark(
            kind="all-time-high",
            x=high.peak_date.isoformat(),
            value=round(high.peak, 2),
            text=f"{high.peak_date}: close {_price(high.peak, unit)}, the highest close in the data "
            f"(since {bars[0].date}); {last.date}'s close is {f.pct(high.drawdown_pct)} from it",
            in_window=high.peak_date >= first,
        )
    )
    notes = []
    if series.proxy_for:
        notes.append(f"{series.symbol} is an ETF standing in for {series.proxy_for}")
    return ChartResult(
        series=series.symbol,
        name=series.name,
        style="line",
        measure="daily close",
        unit=unit,
        frequency="daily" if series.calendar == "utc-days" else "sessions",
        since=first.isoformat(),
        until=last.date.isoformat(),
        points=[ChartPoint(x=b.date.isoformat(), value=round(b.close, 2)) for b in window],
        marks=marks,
        notes=notes,
        sources=[series.source],
    )


def _close(session: IndexSession) -> float:
    """The close of a session kept for having one."""
    assert session.close is not None
    return float(session.close)


def sessions_chart(index: IndexSessions, ctx: RunContext, since: dt.date | None = None) -> ChartResult:
    """Curated index closes (rows skip sessions): the highest close, trading curbs, the last close."""
    as_of = ctx.as_of
    # The part of the data since the last span with no sessions (KOSPI: the curated closes after
    # the Stooq history): a chart never draws a line across years without a close.
    known = [s for s in index.segment(as_of) if s.close is not None]
    if not known:
        first = index.sessions[0].date if index.sessions else None
        raise Unavailable(f"{index.symbol}: no closes on or before {as_of} (data starts {first})")
    window = [s for s in known if since is None or s.date >= since]
    if not window:
        raise Unavailable(f"{index.symbol}: no closes from {since} to {as_of}")
    closes = [_close(s) for s in known]
    high = analytics.drawdown_from_high([s.date for s in known], closes)
    assert high is not None
    last = known[-1]
    first = window[0].date
    marks = [
        ChartMark(
            kind="all-time-high",
            x=high.peak_date.isoformat(),
            value=high.peak,
            text=f"{high.peak_date}: close {f.number(high.peak, 2)}, the highest close in the data "
            f"(curated closes since {known[0].date}); {last.date} is {f.pct(high.drawdown_pct)} from it",
            in_window=high.peak_date >= first,
            source=next(s.source for s in known if s.date == high.peak_date),
        )
    ]
    for s in window:
        if s.market_measure:
            marks.append(
                ChartMark(
                    kind="market-measure",
                    x=s.date.isoformat(),
                    value=_close(s),
                    text=f"{s.date}: {s.market_measure}",
                    source=s.source,
                )
            )
    change = f", {f.pct(last.change_pct, 2)} on the day" if last.change_pct is not None else ""
    marks.append(
        ChartMark(
            kind="latest",
            x=last.date.isoformat(),
            value=_close(last),
            text=f"{last.date}: close {f.number(last.close, 2)}{change}",
            source=last.source,
        )
    )
    return ChartResult(
        series=index.symbol,
        name=index.name,
        style="line",
        measure="close",
        unit="index points",
        frequency="sessions",
        since=first.isoformat(),
        until=last.date.isoformat(),
        points=[ChartPoint(x=s.date.isoformat(), value=_close(s)) for s in window],
        marks=marks,
        notes=["curated closes: the rows skip sessions, and the line joins the closes the data has"],
        sources=list(dict.fromkeys(s.source for s in window)),
    )


def claims_chart(
    series: WeeklySeries, ctx: RunContext, since: dt.date | None = None, prints: Sequence[ClaimsFirstPrint] = ()
) -> ChartResult:
    """Weekly claims known on the as-of date (published the Thursday or the week after);
    the latest week also as first printed, where `prints` has it (as the labor table shows)."""
    from marketshock.sections import labor

    as_of = ctx.as_of

    initial = series.series_id == "ICSA"
    lag = labor.INITIAL_CLAIMS_LAG if initial else labor.CONTINUING_CLAIMS_LAG
    n = series.published(lag, as_of)  # weeks[:n] are known on the as-of date
    if not n:
        raise Unavailable(f"{series.series_id}: no week published on or before {as_of}")
    start = since or as_of - DEFAULT_WINDOW
    s = bisect.bisect_left(series.weeks, start, hi=n)
    if s == n:
        raise Unavailable(f"{series.series_id}: no week from {start} to {as_of}")
    weeks, values = series.weeks[s:n], series.values[s:n]
    last, last_value = weeks[-1], values[-1]
    first = weeks[0]
    # No change on the week or 4-week average over a missing week (a gap of the series).
    wow = analytics.week_on_week(series.values[:n], series.weeks[:n], series.gaps)
    peak = analytics.drawdown_from_high(weeks, values)
    assert peak is not None
    change = f", {f.signed(wow.change)} on the week" if wow.change is not None else ""
    latest = f"week to {last}: {f.number(last_value)}{change} ({series.vintage})"
    marks = []
    if peak.peak_date == last:
        latest += ", the most in the chart"
    else:
        marks.append(
            ChartMark(
                kind="window-high",
                x=peak.peak_date.isoformat(),
                value=peak.peak,
                text=f"week to {peak.peak_date}: {f.number(peak.peak)}, the most in the chart",
            )
        )
    first_print = labor.first_print_figures(list(prints), last, ctx)
    if first_print is not None:
        printed = f", {f.signed(first_print.change)}" if first_print.change is not None else ""
        latest += f"; first printed as {f.number(first_print.initial)}{printed} on {first_print.released}"
    marks.append(ChartMark(kind="latest", x=last.isoformat(), value=last_value, text=latest))
    name = "claims" if initial else "continuing-claims"
    return ChartResult(
        series=name,
        name=series.name,
        style="line",
        measure="weekly",
        unit="claims",
        frequency="weekly",
        since=first.isoformat(),
        until=last.isoformat(),
        points=[ChartPoint(x=w.isoformat(), value=v) for w, v in zip(weeks, values, strict=True)],
        marks=marks,
        notes=[f"each week counted from its release ({lag.days} days after the week ends)"],
        sources=[series.source],
    )


def job_cuts_chart(
    series: MonthlySeries, ctx: RunContext, month: int | None = None, since: dt.date | None = None
) -> ChartResult:
    """One calendar month across the years (every January), the latest year ranked as the
    labor table ranks it: "the most for a January since 2009"."""
    from marketshock.sections import labor

    as_of = ctx.as_of
    known = [v for v in series.values if labor.job_cuts_known_on(v) <= as_of]
    if not known:
        raise Unavailable(f"job cuts: no month published on or before {as_of}")
    if month is None:
        month = max(known, key=lambda v: (v.year, v.month)).month
    same = sorted((v for v in known if v.month == month), key=lambda v: v.year)
    name = f.month_name(month)
    if not same:
        raise Unavailable(f"job cuts: no {name} published on or before {as_of}")
    latest = same[-1]
    history = [(v.year, int(v.value)) for v in same]
    rank = analytics.highest_same_month_since(history, latest.year)
    window = [v for v in same if since is None or dt.date(v.year, v.month, 1) >= since.replace(day=1)]
    if not window:
        raise Unavailable(f"job cuts: no {name} from {since} to {as_of}")
    rank_text = labor.rank_text(month, rank, history, latest.year)
    marks = [
        ChartMark(
            kind="latest",
            x=latest.label,
            value=latest.value,
            text=f"{name} {latest.year}: {f.number(latest.value)} job cuts" + (f", {rank_text}" if rank_text else ""),
            source=latest.source,
        )
    ]
    if rank.since_year is not None:
        higher = next(v for v in same if v.year == rank.since_year)
        between = [v for v in same if rank.since_year < v.year < latest.year]
        text = f"{name} {higher.year}: {f.number(higher.value)}, the last {name} with more"
        if between:
            below = "below" if all(v.value < latest.value for v in between) else "at or below"
            text += (
                f"; every {name} from {between[0].year} to {between[-1].year} "
                f"({len(between)} in the data) is {below} {latest.year}"
            )
        marks.append(
            ChartMark(
                kind="highest-since",
                x=higher.label,
                value=higher.value,
                text=text,
                in_window=higher in window,
                source=higher.source,
            )
        )
    return ChartResult(
        series="job-cuts",
        name=series.name,
        style="bars",
        measure=f"every {name}",
        unit="job cuts",
        frequency="monthly",
        since=window[0].label,
        until=window[-1].label,
        points=[ChartPoint(x=v.label, value=v.value) for v in window],
        marks=marks,
        notes=[],
        sources=list(dict.fromkeys(v.source for v in window)),
    )


async def build(ctx: RunContext, series: str, *, since: dt.date | None = None, month: int | None = None) -> ChartResult:
    """The chart of `series` as known at the end of `ctx.as_of`. Raises UsageError for a
    series or an option that does not apply, Unavailable when there is nothing to draw."""
    data = ctx.data
    key = normalize(series)
    if month is not None and key != "job-cuts":
        raise UsageError("--month applies to monthly series only (job-cuts)")
    try:
        if key == "job-cuts":
            return job_cuts_chart(await data.job_cuts(), ctx, month, since)
        if key in CLAIMS_SERIES:
            if key != "claims":
                return claims_chart(await data.weekly_claims(CLAIMS_SERIES[key]), ctx, since)
            weekly, prints = await asyncio.gather(
                data.weekly_claims(CLAIMS_SERIES[key]), data.claims_first_prints(), return_exceptions=True
            )
            if isinstance(weekly, BaseException):
                raise weekly
            # The first print is an extra: without it the revised series still charts.
            if isinstance(prints, ProviderError):
                prints = []
            elif isinstance(prints, BaseException):
                raise prints
            return claims_chart(weekly, ctx, since, prints)
        row = ctx.universe.table.get(key)
        if row is not None and row.form == "moves":
            raise UsageError(f"{key} has no index levels in the data (reported day moves only): nothing to chart")
        if row is not None and row.form == "sessions":
            return sessions_chart(await data.index_sessions(row.symbol), ctx, since)
        return price_chart(await data.price_history(key), ctx, since)
    except UnknownSymbolError as error:
        raise UsageError(f"unknown series {series!r}: try one of {known(ctx)} ({error.cause})") from None
    except ProviderError as error:
        raise Unavailable(str(error)) from None


# --- drawing ----------------------------------------------------------------------------

LINE_STYLE, GUIDE_STYLE, BAR_STYLE, AXIS_STYLE = "cyan", "yellow", "blue", "dim"
# What each mark looks like: the glyph tells marks apart without colour (NO_COLOR, a pipe).
GLYPHS: dict[str, tuple[str, str]] = {
    "lowest-since": ("▼", "bold red"),
    "earlier-low": ("▽", "yellow"),
    "all-time-high": ("▲", "green"),
    "window-high": ("▲", "green"),
    "latest": ("●", "bold"),
    "market-measure": ("!", "magenta"),
    "highest-since": ("█", "yellow"),
}
LATEST_BAR = ("█", "bold red")
GUIDE_LINE = "⠒"  # braille dots: the guide of a line chart sits at the exact dot row


def bar_guide(eighths: int) -> str:
    """The guide across bars at a height of `eighths`: a line at the bottom, middle or top
    of its cell, whichever is nearest the bar's top (a cell is eight eighths high)."""
    part = eighths % 8 or 8
    return "▁" if part <= 2 else "─" if part <= 5 else "▔"


# Braille dot bits by (row, column) of the 2x4 dots in a cell.
_BRAILLE = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
_EIGHTHS = " ▁▂▃▄▅▆▇█"

Cell = tuple[str, str]  # a character and its Rich style ("" for none)


class _Canvas:
    """A grid of character cells: braille dots for lines, glyphs and text drawn over them."""

    def __init__(self, cols: int, rows: int) -> None:
        self.cols, self.rows = cols, rows
        self.bits = [[0] * cols for _ in range(rows)]
        self.bit_style = [[""] * cols for _ in range(rows)]
        self.over: dict[tuple[int, int], Cell] = {}

    def dot(self, x: int, y: int, style: str) -> None:
        col, row = x // 2, y // 4
        if 0 <= col < self.cols and 0 <= row < self.rows:
            self.bits[row][col] |= _BRAILLE[y % 4][x % 2]
            self.bit_style[row][col] = style  # the last layer drawn colours the cell

    def segment(self, x0: int, y0: int, x1: int, y1: int, style: str) -> None:
        """Bresenham's line between two dots, both ends included."""
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        err = dx + dy
        while True:
            self.dot(x0, y0, style)
            if x0 == x1 and y0 == y1:
                return
            e2 = 2 * err
            if e2 >= dy:
                err += dy
                x0 += sx
            if e2 <= dx:
                err += dx
                y0 += sy

    def put(self, row: int, col: int, text: str, style: str) -> None:
        for i, char in enumerate(text):
            if 0 <= row < self.rows and 0 <= col + i < self.cols:
                self.over[(row, col + i)] = (char, style)

    def cost(self, row: int, col: int, length: int) -> int | None:
        """How many drawn cells a text would hide there; None where it must not go
        (outside the canvas, or over a glyph or another label)."""
        if not (0 <= row < self.rows and col >= 0 and col + length <= self.cols):
            return None
        if any((row, c) in self.over for c in range(col, col + length)):
            return None
        return sum(1 for c in range(col, col + length) if self.bits[row][c])

    def cells(self) -> list[list[Cell]]:
        return [
            [
                self.over.get((r, c))
                or ((chr(0x2800 | self.bits[r][c]), self.bit_style[r][c]) if self.bits[r][c] else (" ", ""))
                for c in range(self.cols)
            ]
            for r in range(self.rows)
        ]


def nice_ticks(low: float, high: float, count: int) -> tuple[list[float], float]:
    """About `count` round values (steps of 1, 2, 2.5 or 5 times a power of ten) in [low, high]."""
    raw = (high - low) / max(1, count)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * (1 - 1e-9))
    first, last = math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)
    return [i * step for i in range(first, last + 1)], step


def tick_label(value: float, step: float, unit: str) -> str:
    decimals = 0 if step >= 1 and float(step).is_integer() else max(0, math.ceil(-math.log10(step) - 1e-9))
    if not float(round(step * 10**decimals, 9)).is_integer():
        decimals += 1
    text = f"{abs(value):,.{decimals}f}"
    sign = "-" if value < 0 and text.strip("0.,") else ""
    return f"{sign}${text}" if unit == "USD" else f"{sign}{text}"


def _month_starts(first: dt.date, last: dt.date, every: int) -> list[dt.date]:
    """First days of months from `first` to `last`: every `every` months counted from
    January, or when `every` is 12 or more, the Januaries of years divisible by every // 12."""
    index = first.year * 12 + first.month - 1 + (first.day > 1)
    out = []
    while (day := dt.date(index // 12, index % 12 + 1, 1)) <= last:
        month = index % 12
        if (every < 12 and month % every == 0) or (every >= 12 and month == 0 and day.year % (every // 12) == 0):
            out.append(day)
        index += 1
    return out


def date_ticks(first: dt.date, last: dt.date, column: Callable[[dt.date], int], cols: int) -> list[tuple[int, str]]:
    """Tick columns and labels for a time axis: the finest calendar step whose labels fit."""
    candidates: list[tuple[list[dt.date], Callable[[dt.date], str]]] = []
    for weeks in (1, 2):
        monday = first + dt.timedelta(days=-first.weekday() % 7)
        days = [monday + dt.timedelta(weeks=weeks * i) for i in range((last - monday).days // (7 * weeks) + 1)]
        candidates.append((days, dt.date.isoformat))
    for months in (1, 2, 3, 6):
        candidates.append((_month_starts(first, last, months), lambda d: f"{d.year:04d}-{d.month:02d}"))
    for years in (1, 2, 5, 10, 20):
        candidates.append((_month_starts(first, last, 12 * years), lambda d: f"{d.year:04d}"))
    for days, label in candidates:
        if len(days) < 2:
            continue
        columns = [column(d) for d in days]
        width = max(len(label(d)) for d in days)
        if min(b - a for a, b in pairwise(columns)) >= width + 3:
            return [(c, label(d)) for c, d in zip(columns, days, strict=True)]
    return [(column(first), first.isoformat()), (column(last), last.isoformat())]


def _axis_rows(
    canvas: _Canvas, y_labels: dict[int, str], x_labels: list[tuple[int, str, str]], ticks: list[int], zero: str
) -> list[list[Cell]]:
    """The canvas with its y axis on the left, the x axis line and its labels below."""
    width = max([len(s) for s in y_labels.values()] + [len(zero)])
    rows: list[list[Cell]] = []
    for r, line in enumerate(canvas.cells()):
        label = y_labels.get(r, "")
        rows.append([(c, "") for c in label.rjust(width)] + [(" ", ""), ("┤" if label else "│", AXIS_STYLE), *line])
    axis = ["─"] * canvas.cols
    for c in ticks:
        if 0 <= c < canvas.cols:
            axis[c] = "┬"
    rows.append([(c, "") for c in zero.rjust(width)] + [(" ", ""), ("└", AXIS_STYLE)] + [(c, AXIS_STYLE) for c in axis])
    under: list[Cell] = [(" ", "")] * canvas.cols
    end = -1
    for col, text, style in x_labels:
        start = max(min(max(0, col), canvas.cols - len(text)), end + 1)
        if start - col > len(text) // 2 or start + len(text) > canvas.cols:
            continue  # pushed too far from its tick by the label before it
        under[start : start + len(text)] = [(c, style) for c in text]
        end = start + len(text)
    rows.append([(" ", "")] * (width + 2) + under)
    return rows


def _to_text(rows: list[list[Cell]]) -> Text:
    from rich.text import Text

    out = Text(no_wrap=True, overflow="crop")
    for i, row in enumerate(rows):
        if i:
            out.append("\n")
        run, style = "", None
        for char, cell_style in row:
            if cell_style != style and run:
                out.append(run, style or "")
                run = ""
            run, style = run + char, cell_style
        out.append(run.rstrip() if not style else run, style or "")
    return out


def _plot_width(labels: Sequence[str], width: int) -> int:
    return width - max(len(s) for s in labels) - 3  # labels, " ┤", one column to spare on the right


def _place_label(canvas: _Canvas, row: int, col: int, text: str, style: str, below: bool) -> None:
    """Put a mark's label where it hides the least of the line, preferring below a low
    and above a high; leave it out (the legend has it) when it fits nowhere."""
    n, near, far = len(text), row + (1 if below else -1), row + (-1 if below else 1)
    spots = [
        (near, col - n // 2),
        (near, col - n + 1),
        (near, col),
        (row, col + 2),
        (row, col - n - 1),
        (far, col - n // 2),
    ]
    costs = [(cost, i) for i, (r, c) in enumerate(spots) if (cost := canvas.cost(r, c, n)) is not None]
    if costs:
        r, c = spots[min(costs)[1]]
        canvas.put(r, c, text, style)


def _day(x: str) -> dt.date:
    return dt.date.fromisoformat(x)


def line_plot(chart: ChartResult, width: int, height: int) -> tuple[list[list[Cell]], str]:
    days = [_day(p.x) for p in chart.points]
    marks = [m for m in chart.marks if m.in_window]
    values = [p.value for p in chart.points] + [m.value for m in marks]
    low, high = min(values), max(values)
    if high == low:
        low, high = low - max(1.0, abs(low) * 0.01), high + max(1.0, abs(high) * 0.01)
    pad = (high - low) * 1.5 / height  # room for labels above the top and below the bottom
    y0, y1 = low - pad, high + pad
    ticks, step = nice_ticks(y0, y1, max(3, height // 3))
    labels = [tick_label(t, step, chart.unit) for t in ticks]
    cols = _plot_width(labels, width)
    canvas = _Canvas(cols, height)
    span = max(1, (days[-1] - days[0]).days)

    def x_of(day: dt.date) -> int:
        return round((day - days[0]).days / span * (2 * cols - 1))

    def y_of(value: float) -> int:
        return round((y1 - value) / (y1 - y0) * (4 * height - 1))

    by_kind = {m.kind: m for m in marks}
    guide = GUIDE_LINE if "earlier-low" in by_kind and "lowest-since" in by_kind else ""
    if guide:
        y = y_of(by_kind["earlier-low"].value)
        for x in range(x_of(_day(by_kind["earlier-low"].x)) + 2, x_of(_day(by_kind["lowest-since"].x)) - 1, 2):
            canvas.dot(x, y, GUIDE_STYLE)
    xy = [(x_of(d), y_of(p.value)) for d, p in zip(days, chart.points, strict=True)]
    if len(xy) == 1:
        canvas.dot(*xy[0], LINE_STYLE)
    for (xa, ya), (xb, yb) in pairwise(xy):
        canvas.segment(xa, ya, xb, yb, LINE_STYLE)
    placed = []
    for m in marks:
        glyph, style = GLYPHS[m.kind]
        row, col = y_of(m.value) // 4, x_of(_day(m.x)) // 2
        canvas.put(row, col, glyph, style)
        placed.append((m, row, col, style))
    for m, row, col, style in placed:
        if m.kind != "market-measure":  # several a week: the legend dates them
            _place_label(
                canvas, row, col, m.x, style.replace("bold ", ""), below=m.kind in ("lowest-since", "earlier-low")
            )
    y_labels: dict[int, str] = {}
    for t, text in zip(ticks, labels, strict=True):
        row = y_of(t) // 4
        if 0 <= row < height:
            y_labels.setdefault(row, text)
    x_ticks = date_ticks(days[0], days[-1], lambda d: x_of(d) // 2, cols)
    x_labels = [(c - len(s) // 2, s, "") for c, s in x_ticks]
    return _axis_rows(canvas, y_labels, x_labels, [c for c, _ in x_ticks], ""), guide


def bar_plot(chart: ChartResult, width: int, height: int) -> tuple[list[list[Cell]], str]:
    values = [p.value for p in chart.points]
    top = max(max(values), 1.0) * (1 + 1.5 / height)  # room for a value above the tallest bar
    _, step = nice_ticks(0, top, max(3, height // 3))
    y1 = math.ceil(top / step) * step  # the axis ends on a round value above the tallest bar
    ticks = [step * i for i in range(1, round(y1 / step) + 1)]
    labels = [tick_label(t, step, chart.unit) for t in ticks]
    cols = _plot_width([*labels, "0"], width)
    n = len(values)
    slot = cols // n
    if slot < 2:
        raise UsageError(f"{width} columns are too few for {n} bars: widen with --width or shorten with --since")
    bar = slot - 1 if slot <= 5 else min(8, slot - 2)
    canvas = _Canvas(cols, height)
    marks = {m.x: m for m in chart.marks if m.in_window}
    latest = next((m for m in chart.marks if m.kind == "latest"), None)

    def eighths(value: float) -> int:
        return max(0, round(value / y1 * height * 8))

    margin = max(1, (cols - n * slot + slot - bar) // 2)  # centred, off the axis

    def start(i: int) -> int:
        return margin + i * slot

    styles = []
    for i, p in enumerate(chart.points):
        mark = marks.get(p.x)
        style = LATEST_BAR[1] if mark and mark.kind == "latest" else GLYPHS[mark.kind][1] if mark else BAR_STYLE
        styles.append(style)
        full, part = divmod(eighths(p.value), 8)
        for k in range(full):
            canvas.put(height - 1 - k, start(i), "█" * bar, style)
        if part:
            canvas.put(height - 1 - full, start(i), _EIGHTHS[part] * bar, style)
    xs = [p.x for p in chart.points]
    since = next((m for m in chart.marks if m.kind == "highest-since" and m.in_window), None)
    guide = ""
    if latest is not None and since is not None:
        # A line at the latest bar's height from the last taller bar: every bar between stands below it.
        row = height - 1 - (eighths(latest.value) - 1) // 8
        guide = bar_guide(eighths(latest.value))
        for c in range(start(xs.index(since.x)) + bar, start(xs.index(latest.x))):
            if (row, c) not in canvas.over:
                canvas.put(row, c, guide, GUIDE_STYLE)
    for i, p in enumerate(chart.points):
        if p.x in marks:
            text = f.number(p.value)
            row = height - 1 - (eighths(p.value) - 1) // 8 - 1
            col = start(i) + bar // 2 - len(text) // 2
            col = min(max(0, col), cols - len(text))
            for r in (row, row - 1):
                if canvas.cost(r, col, len(text)) is not None:
                    canvas.put(r, col, text, styles[i].replace("bold ", ""))
                    break
    y_labels: dict[int, str] = {}
    for t, text in zip(ticks, labels, strict=True):
        row = height - round(t / y1 * height)
        if 0 <= row < height:
            y_labels.setdefault(row, text)
    # Years under the bars: four digits when a slot has room, else two; every bar that fits.
    years = [p.x[:4] for p in chart.points]
    short = slot < 5
    x_labels = []
    for i, year in enumerate(years):
        text = year[2:] if short else year
        style = "bold" if chart.points[i].x in marks else ""
        x_labels.append((start(i), text, style))
    wanted = {i for i, p in enumerate(chart.points) if p.x in marks}
    keep, end = [], -1
    for i, (c, text, style) in enumerate(x_labels):
        later_wanted = [j for j in wanted if j > i and x_labels[j][0] <= c + len(text)]
        if c > end and (i in wanted or not later_wanted):
            keep.append((c, text, style))
            end = c + len(text)
    return _axis_rows(canvas, y_labels, keep, [], "0"), guide


def legend(chart: ChartResult, guide: str = "") -> list[Text]:
    """A line a mark, then what the guide line is (drawn with `guide`), if one was drawn."""
    from rich.text import Text

    lines = []
    for m in chart.marks:
        glyph, style = LATEST_BAR if chart.style == "bars" and m.kind == "latest" else GLYPHS[m.kind]
        line = Text()
        line.append(glyph, style if m.in_window else "dim")
        line.append(" " + f.safe_text(m.text + ("" if m.in_window else " (before the chart starts: see --since)")))
        lines.append(line)
    kinds = {m.kind for m in chart.marks if m.in_window}
    if guide and chart.style == "line" and {"earlier-low", "lowest-since"} <= kinds:
        low = next(m for m in chart.marks if m.kind == "earlier-low")
        line = Text()
        line.append(guide * 2, GUIDE_STYLE)
        line.append(f" the level of the {low.x} low, which the line falls through")
        lines.append(line)
    if guide and chart.style == "bars" and {"highest-since", "latest"} <= kinds:
        latest = next(m for m in chart.marks if m.kind == "latest")
        line = Text()
        line.append(guide * 2, GUIDE_STYLE)
        line.append(f" the level of {latest.x}, from the last higher bar")
        lines.append(line)
    return lines


def title(chart: ChartResult) -> str:
    """E.g. "Bitcoin (BTC): daily close (USD), from 2024-09-01 to 2026-02-06"."""
    who = chart.name if not chart.series.isupper() or chart.series in chart.name else f"{chart.name} ({chart.series})"
    unit = "" if chart.unit.lower() in chart.name.lower() else f" ({chart.unit})"
    since, until = (chart.since[:4], chart.until[:4]) if chart.frequency == "monthly" else (chart.since, chart.until)
    return f"{who}: {chart.measure}{unit}, from {since} to {until}"


def draw(chart: ChartResult, console: Console, width: int | None = None, height: int | None = None) -> RenderableType:
    """The chart at `width` columns (default: the console's) and a plot `height` rows high."""
    from rich.console import Group

    from marketshock import render

    width = width or console.width
    height = height or DEFAULT_HEIGHT
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        raise UsageError(f"a chart needs at least {MIN_WIDTH} columns and {MIN_HEIGHT} rows (got {width}x{height})")
    rows, guide = bar_plot(chart, width, height) if chart.style == "bars" else line_plot(chart, width, height)
    parts: list[RenderableType] = [render.text(title(chart), "bold" if console.is_terminal else ""), _to_text(rows)]
    parts += legend(chart, guide)
    parts += [render.text(note, "dim") for note in chart.notes]
    notes = render.Footnotes()
    sources = chart.sources
    if len(sources) > 3:  # one curated row a point: cite the marked ones, --json has every one
        sources = list(dict.fromkeys(m.source for m in chart.marks if m.source)) or sources[:1]
    for s in sources:
        notes.mark(s)
    footer = notes.renderable()
    if len(sources) < len(chart.sources):
        footer.append(f"\n({len(chart.sources)} sources in all: `--json` lists each one)")
    parts.append(footer)
    return Group(*parts)


# --- the command ------------------------------------------------------------------------


def parse_since(text: str | None, as_of: dt.date) -> dt.date | None:
    if text is None:
        return None
    from marketshock.dates import parse_day

    day = parse_day(text, "--since")
    if day >= as_of:
        raise UsageError(f"--since {day} is not before the as-of date {as_of}")
    return day


def console(no_color: bool, width: int | None = None, file: object = None) -> Console:
    """stdout as Rich sees it (the one console factory, `present.console`): the terminal's width
    and colours, or plain text 80 wide on a pipe (COLUMNS sets the width there)."""
    from marketshock import present

    return present.console(no_color, file, width, pipe_width=80)


def build_many(request: Request, series: Sequence[str]) -> list[ChartResult]:
    """The charts of several series from one data source, at their default windows (for the
    report's page and card). A series that cannot be charted is left out: the tables say why."""
    from marketshock import config, runner

    loaded = config.load(request.config_path)
    universe, _ = runner.run_universe(loaded, request)
    data, as_of = runner.data_source(request, loaded.settings, universe)
    ctx = RunContext(as_of=as_of, data=data, universe=universe)

    async def all_of() -> list[ChartResult | BaseException]:
        try:
            return await asyncio.gather(*(build(ctx, s) for s in series), return_exceptions=True)
        finally:
            close = getattr(data, "aclose", None)
            if close is not None:
                await close()

    results = aio.run(all_of())
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, UsageError):
            raise result
    return [r for r in results if isinstance(r, ChartResult)]


def run(
    request: Request,
    series: str,
    *,
    since: str | None = None,
    month: int | None = None,
    width: int | None = None,
    height: int | None = None,
    export_path: str | None = None,
) -> int:
    """`marketshock chart`: print the chart (or its data as JSON) and save it if asked."""
    from marketshock import config, export, output, runner

    for name, value, least, most in (
        ("--width", width, MIN_WIDTH, MAX_WIDTH),
        ("--height", height, MIN_HEIGHT, MAX_HEIGHT),
    ):
        if value is not None and value < least:
            raise UsageError(f"{name} must be at least {least}")
        if value is not None and value > most:
            raise UsageError(f"{name} must be at most {most}")
    to = export.target(export_path) if export_path else None
    loaded = config.load(request.config_path)
    universe, _ = runner.run_universe(loaded, request)
    data, as_of = runner.data_source(request, loaded.settings, universe)
    ctx = RunContext(as_of=as_of, data=data, universe=universe)

    async def build_and_close() -> ChartResult:
        try:
            return await build(ctx, series, since=parse_since(since, as_of), month=month)
        finally:
            close = getattr(data, "aclose", None)  # a live source holds an HTTP client
            if close is not None:
                await close()

    result = aio.run(build_and_close())
    if request.json:
        output.write_json(output.envelope("chart", as_of, data.name, result, []))
    else:
        out = console(request.no_color, width)
        out.print(draw(result, out, width, height))
    if to is not None and to.format in export.PICTURES:
        from marketshock import plot

        export.atomic_write(to.path, plot.picture(result, to.format, as_of=as_of, source=data.name))
        if not request.quiet:
            runner.warn(f"wrote {to.path}")
    elif to is not None and to.format == "html":
        from marketshock import page

        export.atomic_write(to.path, page.chart_page(result, as_of, data.name))
        if not request.quiet:
            runner.warn(f"wrote {to.path}")
    elif to is not None:
        export.write(
            lambda c: draw(result, c, c.width, height),
            to,
            title=f"marketshock chart {result.series}",
            as_of=as_of,
            source=data.name,
            sources=result.sources,
            width=width or DEFAULT_EXPORT_WIDTH,
            no_color=request.no_color,
        )
        if not request.quiet:
            runner.warn(f"wrote {to.path}")
    return 0
