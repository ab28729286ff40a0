"""Rich tables for people: colour for up and down, sparklines, sources as footnotes.

Every string that comes from data is wrapped in `Text` (never parsed as markup) and
cleaned of control characters. Colour and box drawing are decided by the console:
none when stdout is not a terminal or NO_COLOR is set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from marketshock import analytics
from marketshock import formatting as f
from marketshock.models.results.capex import CapexCompany, CapexResult
from marketshock.models.results.compare import CompareResult
from marketshock.models.results.crypto import CryptoResult
from marketshock.models.results.indices import IndicesResult
from marketshock.models.results.labor import LaborResult
from marketshock.models.results.report import Headline, ReportResult
from marketshock.models.results.shock import MoveStats, ShockResult
from marketshock.models.series import Source

if TYPE_CHECKING:
    from marketshock.models.results import DatedRow

UP, DOWN = "green", "red"


def text(value: object, style: str = "") -> Text:
    """Data shown as inert text."""
    return Text(f.safe_text(str(value)), style=style)


def signed_text(display: str, value: float | None) -> Text:
    style = "" if value is None or value == 0 else (UP if value > 0 else DOWN)
    return text(display, style)


def spark(values: list[float], rise_is_bad: bool = False) -> Text:
    """A sparkline scaled to its own row, coloured by the last point's direction: green
    for a rise, red for a fall (the other way round where a rise is bad news, like claims)."""
    if len(values) < 2:
        return text("")
    up, down = (DOWN, UP) if rise_is_bad else (UP, DOWN)
    style = up if values[-1] > values[-2] else down if values[-1] < values[-2] else ""
    return text(f.sparkline(values), style)


class Footnotes:
    """Numbered sources under a table: each distinct source once."""

    def __init__(self) -> None:
        self.sources: list[Source] = []

    def mark(self, source: Source) -> str:
        if source not in self.sources:
            self.sources.append(source)
        stale = " stale" if source.stale else ""
        return f"[{self.sources.index(source) + 1}{stale}{_agg(source)}]"

    def renderable(self) -> Text:
        out = Text(style="dim")
        for i, s in enumerate(self.sources, 1):
            ref = f" {s.reference}" if s.reference else ""
            note = f" ({s.note})" if s.note else ""
            if s.stale and s.fetched_at is not None:
                note += f" STALE: cached value fetched {s.fetched_at:%Y-%m-%d %H:%M} UTC, the provider failed"
            out.append(f.safe_text(f"[{i}] {s.provider}:{ref}{note}{_quality(s)}\n"))
        out.rstrip()
        return out


AGG_MARK = " agg"  # beside a source mark: the figure rests on aggregator pages alone


def _agg(source: Source) -> str:
    return AGG_MARK if source.aggregator_only else ""


def _quality(source: Source) -> str:
    """'; secondary, published 2026-02-06' and, for a figure on aggregators alone, why."""
    if source.quality is None:
        return ""
    published = f", published {source.published}" if source.published else ""
    why = f"; {source.quality_note}" if source.aggregator_only and source.quality_note else ""
    return f"; {source.quality}{published}{why}"


_PINNED = re.compile(r"\s*\([^()]*@ ?[0-9a-f]{7,40}\)")  # "(owner/repo @ <commit>)"


def _how(source: Source) -> str:
    """How a figure was obtained, in a few words: the reference without its URL path, commit or symbol."""
    ref = source.reference.strip()
    if source.provider == "curated":
        return "figures read from the cited pages"
    if ref.startswith(("http://", "https://")):
        return f"from {urlsplit(ref).netloc.removeprefix('www.')}"
    ref = _PINNED.sub("", ref)
    first, _, rest = ref.partition(" ")
    if rest and re.fullmatch(r"[\^A-Z0-9.=-]+", first):  # "BTC-USD daily bars ...": the symbol is the subject
        ref = rest
    return ref


class Legend:
    """Short marks in the tables and one line per source at the end: who published it, and how
    it was obtained. The full references (URLs, commits, notes) are the JSON's, `sources`'
    and, with `verbose`, this legend's: then there is one numbered line per distinct source."""

    def __init__(self, verbose: bool = False) -> None:
        self.verbose = verbose
        self.keys: list[object] = []
        self.sources: dict[object, list[Source]] = {}
        self.subjects: dict[object, list[str]] = {}
        self.aggregator_only: list[str] = []  # subjects of figures resting on aggregator pages alone

    def _key(self, source: Source) -> object:
        return source if self.verbose else (source.provider, _how(source))

    def mark(self, source: Source, subject: str = "") -> str:
        key = self._key(source)
        if key not in self.sources:
            self.keys.append(key)
            self.sources[key], self.subjects[key] = [], []
        if source not in self.sources[key]:
            self.sources[key].append(source)
        if subject and subject not in self.subjects[key]:
            self.subjects[key].append(subject)
        if source.aggregator_only and (subject or source.reference) not in self.aggregator_only:
            self.aggregator_only.append(subject or source.reference)
        stale = " stale" if source.stale else ""
        return f"[{self.keys.index(key) + 1}{stale}{_agg(source)}]"

    def marks(self, sources: list[Source], subject: str = "") -> str:
        return "".join(dict.fromkeys(self.mark(s, subject) for s in sources))

    def renderable(self) -> Text:
        out = Text(style="dim")
        if self.keys and not self.verbose:
            out.append("Sources (full references: -v, --json):\n")
        for i, key in enumerate(self.keys, 1):
            sources = self.sources[key]
            if self.verbose:
                s = sources[0]
                ref = f" {s.reference}" if s.reference else ""
                note = f" ({s.note})" if s.note else ""
                line = f"[{i}] {s.provider}:{ref}{note}{_quality(s)}"
            else:
                assert isinstance(key, tuple)  # not verbose: keys are (provider, how obtained)
                provider, how = str(key[0]), str(key[1])
                subjects = ", ".join(self.subjects[key])
                line = f"[{i}] {provider}: {how}" + (f" ({subjects})" if subjects else "")
            stale = [s for s in sources if s.stale and s.fetched_at is not None]
            if stale:
                line += f"; STALE: cached value fetched {stale[0].fetched_at:%Y-%m-%d %H:%M} UTC, the provider failed"
            out.append(f.safe_text(line) + "\n")
        if self.aggregator_only:
            why = "" if self.verbose else " (why: -v, --json)"
            out.append(
                f.safe_text(
                    f"{AGG_MARK.strip()}: resting on aggregator pages alone, no primary source or news report "
                    f"found{why}: {', '.join(self.aggregator_only)}"
                )
                + "\n"
            )
        out.rstrip()
        return out


# --- tables that fit: whole figures at any width -------------------------------------------

GAPS = (2, 1)  # spaces between columns: two where they fit, one where the terminal is narrow
FOLD_MIN = 12  # a folding column keeps at least this width (or its longest word, if shorter)
SHORT_CELL = 16  # a cell this short is broken over lines only when nothing longer can give way


@dataclass(frozen=True)
class Col:
    """A column of a `Grid`.

    drop: 0 never leaves the table; on a narrow terminal the highest numbers leave first.
    wrap: the cells may break at spaces (a figure with its date, a note); any other cell is
      shown whole on one line or, when its column cannot fit, not at all.
    fold: text, not figures (a path, a URL): a word too long for the column folds over lines.
    key: names the row; repeated in each part when a table too wide for the screen splits.
    hoist: when every row holds the same value it is said once, in the title.
    """

    header: str
    justify: Literal["left", "right"] = "right"
    drop: int = 0
    wrap: bool = False
    fold: bool = False
    key: bool = False
    hoist: bool = False


def _plain(cell: Text) -> str:
    return cell.plain


def _width_range(col: Col, cells: list[Text], full_header: bool) -> tuple[int, int]:
    """The narrowest a column can be without cutting a word or a figure, and its natural width
    (with the header on one line, or folded between its words)."""
    header_words = col.header.split() or [""]
    low = max(cell_len(w) for w in header_words)
    high = cell_len(col.header) if full_header else low
    for cell in cells:
        for line in _plain(cell).splitlines() or [""]:
            high = max(high, cell_len(line))
            words = line.split() if col.wrap else [line]
            low = max(low, *(min(cell_len(w), FOLD_MIN) if col.fold else cell_len(w) for w in words or [""]))
    return low, high


def _lines(value: str, width: int) -> int:
    """Lines a cell takes when wrapped between words at `width` (as Rich wraps it)."""
    count = 0
    for line in value.splitlines() or [""]:
        count += 1
        used = 0
        for word in line.split():
            size = cell_len(word)
            if size > width:  # only in a folding column: the word runs over whole lines
                count += (used > 0) + (size - 1) // width
                used = size % width or width
            elif used and used + 1 + size > width:
                count += 1
                used = size
            else:
                used += size + (1 if used else 0)
    return count


class _Shape:
    """The cells of some columns as plain strings, and the lines they take at a given width."""

    def __init__(self, columns: list[list[str]]) -> None:
        self.columns = columns
        self.cache: dict[tuple[int, int], list[int]] = {}

    def lines(self, col: int, width: int) -> list[int]:
        if (col, width) not in self.cache:
            self.cache[col, width] = [_lines(v, width) for v in self.columns[col]]
        return self.cache[col, width]

    def height(self, widths: list[int]) -> int:
        per_column = [self.lines(c, w) for c, w in enumerate(widths)]
        return sum(max(row) for row in zip(*per_column, strict=True))

    def cost(self, widths: list[int]) -> tuple[int, int]:
        """Short cells broken (a header aside), then the table's height: a long description wraps
        before "3h 00m old" does."""
        broken = sum(
            1
            for c, w in enumerate(widths)
            for value, lines in zip(self.columns[c][1:], self.lines(c, w)[1:], strict=True)
            if lines > 1 and cell_len(value) <= SHORT_CELL
        )
        return broken, self.height(widths)


def _widths(ranges: list[tuple[int, int]], gap: int, width: int, shape: _Shape | None = None) -> list[int] | None:
    """Column widths that fit `width`: the natural widths, or (given the cells' shape) narrower
    ones, taking each column away where it costs the fewest lines. None when it cannot fit."""
    widths = [high for _, high in ranges]
    room = width - gap * (len(ranges) - 1)
    if sum(widths) <= room:
        return widths
    if shape is None or sum(low for low, _ in ranges) > room:
        return None
    while sum(widths) > room:
        best: tuple[int, int, int, int] | None = None
        for i, (low, _) in enumerate(ranges):
            if widths[i] > low:
                trial = [*widths[:i], widths[i] - 1, *widths[i + 1 :]]
                cost = (*shape.cost(trial), -widths[i], i)
                best = cost if best is None or cost < best else best
        assert best is not None
        widths[best[-1]] -= 1
    return widths


class Grid:
    """A table that lays itself out for the width it is given, so that no figure is ever cut:
    columns leave by priority, wrap columns break between words, and a table that still does not
    fit is split in two, each part repeating the key columns. Layout happens at render time, so
    the same Grid fits a terminal, a pipe or an exported picture."""

    def __init__(self, title: str, columns: list[Col], *, decorated: bool) -> None:
        self.title = title
        self.columns = columns
        self.rows: list[list[Text]] = []
        self.decorated = decorated

    def add_column(
        self, header: str, justify: Literal["left", "right"] = "left", *, overflow: str = "", **_: object
    ) -> None:
        """Rich's Table.add_column, for code that builds its own rows: the first column names the
        row; a column that may fold (overflow="fold") wraps between words; no column ever leaves."""
        fold = overflow == "fold"
        self.columns.append(Col(header, justify, key=not self.columns, wrap=fold, fold=fold))

    def add_row(self, *cells: Text | str) -> None:
        self.rows.append([c if isinstance(c, Text) else text(c) for c in cells])

    def _hoisted(self) -> tuple[str, list[int]]:
        """The title with constant columns folded in, and the indices of the columns left."""
        title, kept = self.title, []
        for i, col in enumerate(self.columns):
            values = {_plain(r[i]) for r in self.rows}
            if col.hoist and self.rows and len(values) == 1:
                title = f"{title}, {values.pop()}" if title else values.pop()
            else:
                kept.append(i)
        return title, kept

    def layout(self, width: int) -> tuple[str, list[tuple[list[int], list[int], int]]]:
        """The title and the parts to print: (column indices, their widths, gap) for each.

        In order of preference: every column on one line each (columns leave by priority,
        wide gaps before narrow); then wrap columns broken between words, with the column set
        that makes the table shortest (the most columns among equals); then, when even the
        essential columns do not fit, the table split in parts that repeat its key columns."""
        title, kept = self._hoisted()
        full = {i: _width_range(self.columns[i], [r[i] for r in self.rows], True) for i in kept}
        ranges = {i: _width_range(self.columns[i], [r[i] for r in self.rows], False) for i in kept}
        order = sorted((i for i in kept if self.columns[i].drop), key=lambda i: -self.columns[i].drop)
        sets = [[i for i in kept if i not in order[:n]] for n in range(len(order) + 1)]
        for cols in sets:
            for natural in (full, ranges):  # headers on one line, then folded between words
                for gap in GAPS:
                    widths = _widths([natural[i] for i in cols], gap, width)
                    if widths is not None:
                        return title, [(cols, widths, gap)]
        wrapped = []
        for n, cols in enumerate(sets):
            shape = self._shape(cols)
            widths = _widths([ranges[i] for i in cols], 1, width, shape)
            if widths is not None:
                wrapped.append((shape.height(widths), n, cols, widths))
        if wrapped:
            _, _, cols, widths = min(wrapped)
            return title, [(cols, widths, 1)]
        essential = sets[-1]
        keys = [i for i in essential if self.columns[i].key]
        rest = [i for i in essential if i not in keys]
        parts: list[tuple[list[int], list[int], int]] = []
        while rest:
            take = 1
            while take < len(rest) and _widths(
                [ranges[i] for i in keys + rest[: take + 1]], 1, width, self._shape(keys + rest[: take + 1])
            ):
                take += 1
            cols = keys + rest[:take]
            widths = _widths([ranges[i] for i in cols], 1, width, self._shape(cols)) or [ranges[i][1] for i in cols]
            parts.append((cols, widths, 1))
            rest = rest[take:]
        return title, parts or [(keys, [ranges[i][1] for i in keys], 1)]

    def _shape(self, cols: list[int]) -> _Shape:
        """The header and cells of these columns, as plain text."""
        return _Shape([[self.columns[i].header] + [_plain(r[i]) for r in self.rows] for i in cols])

    def _table(self, cols: list[int], widths: list[int], gap: int) -> Table:
        table = Table(
            box=None,
            show_edge=False,
            pad_edge=False,
            padding=(0, gap, 0, 0),
            header_style="bold" if self.decorated else "",
        )
        for i, w in zip(cols, widths, strict=True):
            col = self.columns[i]
            table.add_column(col.header, justify=col.justify, width=w, overflow="fold")
        for row in self.rows:
            table.add_row(*(row[i] for i in cols))
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        title, parts = self.layout(options.max_width)
        if title:
            yield text(title, "bold" if self.decorated else "")
        for cols, widths, gap in parts:
            yield self._table(cols, widths, gap)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        title, kept = self._hoisted()
        ranges = [_width_range(self.columns[i], [r[i] for r in self.rows], True) for i in kept]
        natural = sum(high for _, high in ranges) + GAPS[0] * (len(ranges) - 1)
        return Measurement(min(natural, options.max_width), max(natural, cell_len(title)))


def titled_table(title: str, console: Console) -> Grid:
    """An empty table in the house style, for commands that build their own rows: it takes
    `add_column` and `add_row` as Rich's Table does, and fits the width as every Grid does."""
    return Grid(title, [], decorated=console.is_terminal)


def _sourced(parts: list[RenderableType], legend: Legend, own: bool) -> RenderableType:
    """A section's parts, followed by its legend when the section owns it (not in the report)."""
    return Group(*parts, legend.renderable()) if own else Group(*parts)


def old(day: object, age_days: int | None, out_of_date: bool) -> str:
    """A row's day, and its age when it is out of date: '2026-01-31, 303 days old' (issue 12)."""
    if out_of_date and age_days is not None:
        return f"{day}, {age_days} day{'s' if age_days != 1 else ''} old"
    return str(day)


def dated(day: object, row: DatedRow) -> Text:
    """The date cell of a row, marked (and styled) when it is out of date."""
    if day is None:
        return text("n/a")
    return text(old(day, row.age_days, row.out_of_date), "yellow" if row.out_of_date else "")


def _aged(row: DatedRow) -> str:
    """The style of a cell showing an out-of-date row's day (as `dated` styles it)."""
    return "yellow" if row.out_of_date else ""


def _signed(value: float | None, decimals: int = 1) -> Text:
    return signed_text(f.pct(value, decimals), value)


def _gap_signed(value: float | None, field: str, gap_figures: list[str], decimals: int = 1) -> Text:
    """A percentage, or the reason it is blank: a gap in the data under it (named in warnings)."""
    if value is None and field in gap_figures:
        return text("n/a (gap)")
    return _signed(value, decimals)


def crypto(
    result: CryptoResult, console: Console, ytd: bool = True, legend: Legend | None = None, verbose: bool = False
) -> RenderableType:
    own, legend = legend is None, legend or Legend(verbose)
    decorated = console.is_terminal
    columns = [
        Col("asset", "left", key=True),
        Col("date", "left", hoist=True),
        Col("close"),
        Col("day low"),
        Col("1d"),
        Col("7d"),
    ]
    if ytd:
        columns += [Col("YTD"), Col("YTD at low")]
    columns += [
        Col("lowest since", "left", wrap=True),
        Col("from ATH"),
        Col("30 days", "left", drop=2),
        Col("src", "left", drop=3),
    ]
    table = Grid("Crypto", columns, decorated=decorated)
    for a in result.assets:
        since = f"{a.lowest_since} ({a.lowest_since_months} mo)" if a.lowest_since else f"in data since {a.data_starts}"
        if "lowest_since" in a.gap_figures:
            since = "n/a (gap, see warnings)"
        row = [
            text(a.symbol),
            dated(a.date, a),
            text(f.usd(a.price, 2 if a.price < 1000 else 0)),
            text(f.usd(a.low, 2 if a.low is not None and a.low < 1000 else 0)),
            _gap_signed(a.change_1d_pct, "change_1d_pct", a.gap_figures),
            _gap_signed(a.change_7d_pct, "change_7d_pct", a.gap_figures),
        ]
        if ytd:
            row += [_gap_signed(a.change_ytd_pct, "change_ytd_pct", a.gap_figures), _signed(a.change_ytd_at_low_pct)]
        row += [text(since), _signed(a.drawdown_pct), spark(a.recent_closes), text(legend.mark(a.source, a.symbol))]
        table.add_row(*row)
    parts: list[RenderableType] = [table]
    if result.market_cap:
        caps = Grid(
            "Total crypto market value",
            [
                Col("provider", "left", key=True),
                Col("peak", wrap=True),
                Col("then", wrap=True),
                Col("wiped out"),
                Col("change"),
                Col("src", "left", drop=3),
            ],
            decorated=decorated,
        )
        for c in result.market_cap:
            caps.add_row(
                text(c.provider),
                text(f"{f.usd_short(c.peak_usd)} ({c.peak_date})"),
                text(f"{f.usd_short(c.value_usd)} ({old(c.value_date, c.age_days, c.out_of_date)})"),
                text(f.usd_short(c.wiped_out_usd)),
                _signed(c.change_pct),
                text(legend.marks(c.sources, "crypto market value")),
            )
        parts.append(caps)
    if result.etf_flows:
        flows = Grid(
            "US spot bitcoin ETF net flows by month",
            [
                Col("month", "left", key=True),
                Col("net flow"),
                Col("funds", "left", wrap=True),
                Col("how", "left", wrap=True),
                Col("src", "left", drop=3),
            ],
            decorated=decorated,
        )
        for m in result.etf_flows:
            how = m.method if m.method == "quoted" else f"{m.days}-day sum"
            if m.partial:
                how += ", month not over"
            if m.data_ends:
                how += f", data ends {m.data_ends}"
            if m.out_of_date:
                how += f", {old(m.date, m.age_days, True)}"
            amount = f"{m.qualifier} {f.usd_short(m.net_flow_usd)}".strip()
            flows.add_row(
                text(m.month),
                signed_text(amount, m.net_flow_usd),
                text(m.scope),
                text(f"{m.provider}: {how}"),
                text(legend.mark(m.source, "ETF flows")),
            )
        parts.append(flows)
    return _sourced(parts, legend, own)


def indices(
    result: IndicesResult, console: Console, legend: Legend | None = None, verbose: bool = False
) -> RenderableType:
    own, legend = legend is None, legend or Legend(verbose)
    table = Grid(
        "Indices",
        [
            Col("index", "left", key=True),
            Col("name", "left", drop=1),
            Col("kind", "left", drop=4),
            Col("date", "left", hoist=True),
            Col("last"),
            Col("1d"),
            Col("5d"),
            Col("streak"),
            Col("30 sessions", "left", drop=3),
            Col("src", "left", drop=2),
        ],
        decorated=console.is_terminal,
    )
    extra: list[Text] = []
    for r in result.indices:
        kind = f"proxy for {r.proxy_for}" if r.proxy_for else r.kind
        streak = f"{r.streak:+d}" if r.streak else "0" if r.streak == 0 else "n/a (gap)"
        if r.streak is not None and not r.streak_complete:
            streak = f"≥{abs(r.streak)}" if r.streak > 0 else f"≤{r.streak}"
        table.add_row(
            text(r.symbol),
            text(r.name),
            text(kind),
            dated(r.date, r),
            text(f.number(r.last, 2) if r.last is not None else "n/a"),
            _gap_signed(r.change_1d_pct, "change_1d_pct", r.gap_figures, 2),
            _gap_signed(r.change_5d_pct, "change_5d_pct", r.gap_figures, 2),
            signed_text(streak, r.streak),
            spark(r.recent_closes),
            text(legend.mark(r.source, r.symbol)),
        )
        if len(r.notes) == 1:
            extra.append(text(f"{r.symbol}: {r.notes[0]}"))
        elif r.notes:  # one line a note, under the symbol: no note wraps for want of the symbol's width
            extra.append(text(f"{r.symbol}:"))
            extra += [text(f"  {note}") for note in r.notes]
        if r.unavailable:
            extra.append(text(f"{r.symbol}: n/a, {r.unavailable}"))
    return _sourced([table, *extra], legend, own)


def capex(result: CapexResult, console: Console, legend: Legend | None = None, verbose: bool = False) -> RenderableType:
    own, legend = legend is None, legend or Legend(verbose)
    # The reaction from data beside the curated one, when the source could look for it (live).
    # Offline no row has one: the title line says the data is bundled, --json says why per row,
    # and the report stays within its 150 lines (tests/test_pty.py).
    looked = any(c.release_accepted_at or any(g.startswith("from data:") for g in c.gaps) for c in result.companies)
    table = Grid(
        "Big-tech capex and the stock's reaction",
        [
            Col("ticker", "left", key=True),
            Col("company", "left", drop=1),
            Col("last FY capex", wrap=True),
            Col("guidance", wrap=True),
            Col("growth"),
            Col("reaction"),
            Col("session", "left", wrap=True),
            *([Col("from data", wrap=True)] if looked else []),
            Col("src", "left", drop=2),
        ],
        decorated=console.is_terminal,
    )
    gaps: list[Text] = []
    computed: list[Text] = []
    for c in result.companies:
        actual = f"{f.usd_short(c.capex_actual_usd)} (FY{c.capex_actual_year})" if c.capex_actual_usd else "n/a"
        if c.capex_guidance_high_usd is None:
            guide = "n/a"
        elif c.capex_guidance_low_usd in (None, c.capex_guidance_high_usd):
            guide = f"{f.usd_short(c.capex_guidance_high_usd)} ({c.guidance_year})"
        else:
            guide = (
                f"{f.usd_short(c.capex_guidance_low_usd)}-{f.usd_short(c.capex_guidance_high_usd)} ({c.guidance_year})"
            )
        session = f"{c.reaction_session} {c.reaction_date}" if c.reaction_date else "n/a"
        if c.out_of_date and c.date is not None:
            # The row's day is the report's while its event is shown, else the actual's (sections/capex.py).
            event = c.capex_guidance_high_usd is not None or c.reaction_pct is not None
            shown = "report" if event else "actual"
            session += f" ({shown} {old(c.date, c.age_days, True)})"
        table.add_row(
            text(c.ticker),
            text(c.name),
            text(actual),
            text(guide),
            _signed(c.guidance_growth_pct),
            _signed(c.reaction_pct),
            text(session),
            *([_from_data(c)] if looked else []),
            text(legend.marks(c.sources, c.ticker)),
        )
        if c.reaction_from_data_pct is not None:
            computed.append(text(f"{c.ticker} from data: {_from_data_line(c)}"))
        for gap in c.gaps:
            gaps.append(text(f"{c.ticker}: n/a, {gap}"))
    return _sourced([table, *computed, *gaps], legend, own)


def _from_data(c: CapexCompany) -> Text:
    """The reaction from data in the table: the session's move and its z-score."""
    if c.reaction_from_data_pct is None:
        return text("n/a")
    shown = f.pct(c.reaction_from_data_pct, 2)
    if c.reaction_zscore is not None:
        shown += f" z {c.reaction_zscore:+.2f}"
    return signed_text(shown, c.reaction_from_data_pct)


def _from_data_line(c: CapexCompany) -> str:
    """The reaction from data in words, under the table: the release, the session, the rank."""
    assert c.reaction_from_data_pct is not None and c.release_accepted_at is not None
    assert c.release_timing is not None and c.reaction_from_data_session is not None
    label = analytics.timing_label(c.release_timing, c.release_accepted_at.date(), c.reaction_from_data_session)
    line = (
        f"8-K Item 2.02 accepted {c.release_accepted_at:%Y-%m-%d %H:%M} ET ({label}); "
        f"{c.reaction_from_data_session} close {f.pct(c.reaction_from_data_pct, 2)} "
        f"vs {c.reaction_from_data_prior_session}"
    )
    if c.reaction_zscore is not None:
        line += f", z {c.reaction_zscore:+.2f} over {c.reaction_zscore_observations} daily returns"
    if c.after_hours_pct is not None:
        line += f"; after hours {f.pct(c.after_hours_pct, 2)}"
    return line


def labor(result: LaborResult, console: Console, legend: Legend | None = None, verbose: bool = False) -> RenderableType:
    own, legend = legend is None, legend or Legend(verbose)
    decorated = console.is_terminal
    parts: list[RenderableType] = []
    cuts = result.job_cuts
    if cuts:
        month = f.month_name(int(cuts.month[5:]))
        table = Grid(
            f"Challenger job cuts: every {month}",
            [
                Col("month", "left", key=True),
                Col("job cuts"),
                Col("rank", "left", wrap=True),
                Col("src", "left", drop=2),
            ],
            decorated=decorated,
        )
        table.add_row(
            text(cuts.month if not cuts.out_of_date else f"{cuts.month} ({old(cuts.date, cuts.age_days, True)})"),
            text(f.number(cuts.value), "bold"),
            text(cuts.rank_text),
            text(legend.mark(cuts.source, "job cuts")),
        )
        history = [v for y, v in cuts.same_month_history]
        table.add_row(
            text(f"{cuts.same_month_history[0][0]}-{cuts.same_month_history[-1][0]}"),
            text(f"{f.number(min(history))}-{f.number(max(history))}"),
            spark([float(v) for v in history], rise_is_bad=True),
            text(""),
        )
        parts.append(table)
    if result.claims:
        table = Grid(
            "US jobless claims (seasonally adjusted)",
            [
                Col("week ending", "left", key=True),
                Col("vintage", "left", wrap=True),
                Col("initial"),
                Col("change"),
                Col("4-week avg"),
                Col("continuing", wrap=True),
                Col("12 weeks", "left", drop=3),
                Col("src", "left", drop=2),
            ],
            decorated=decorated,
        )
        # The 12-week trend is the vintage's: it sits on the vintage's row (the later revision, if shown).
        later = result.claims_later_revision
        trend_now, trend_later = ([], result.recent_initial_claims) if later else (result.recent_initial_claims, [])
        for week, trend in ((result.claims, trend_now), (later, trend_later)):
            if week is None:
                continue
            cont = f.number(week.continuing)
            if week.continuing_week_ending:
                cont += f" (w/e {week.continuing_week_ending})"
            table.add_row(
                dated(week.week_ending, week),
                text(f"{week.vintage}, released {week.released}" if week.vintage == "first print" else week.vintage),
                text(f.number(week.initial)),
                text("n/a (gap)")
                if week.change is None and "change" in week.gap_figures
                else signed_text(f.signed(week.change), -week.change if week.change else None),
                text(
                    "n/a (gap)"
                    if week.four_week_avg is None and "four_week_avg" in week.gap_figures
                    else f.number(week.four_week_avg)
                ),
                text(cont),
                spark([float(v) for v in trend], rise_is_bad=True),
                text(legend.mark(week.source, "jobless claims")),
            )
        parts.append(table)
    return _sourced(parts, legend, own)


def headlines(lines: list[Headline], console: Console) -> Text:
    """One bullet a headline: the fact, then (dim) what makes it significant."""
    out = Text()
    if not lines:
        out.append("No headline: no move or superlative today is significant enough (see the tables).")
    for line in lines:
        out.append("• " if console.is_terminal else "- ")
        out.append(f.safe_text(line.text))
        if line.why:
            out.append(f.safe_text(f" — {line.why}"), style="dim")
        out.append("\n")
    out.rstrip()
    return out


def report(
    result: ReportResult, console: Console, verbose: bool = False, with_headlines: bool = True
) -> RenderableType:
    """The headlines (unless the caller prints them itself), every section's tables, and one legend
    of sources at the end."""
    from marketshock.sections import registry

    legend = Legend(verbose)
    parts: list[RenderableType] = [headlines(result.headlines, console), Text("")] if with_headlines else []
    for section in registry.REPORT_SECTIONS:
        part = getattr(result, section.field)
        if part:
            parts += [section.renderer()(part, console, legend=legend), Text("")]
    parts.append(legend.renderable())
    return Group(*parts)


def _series_label(symbol: str, name: str, proxy_for: str | None) -> str:
    return f"{symbol} ({proxy_for} proxy)" if proxy_for else f"{symbol} ({name})"


def _since(rank_text: str) -> str:
    """A rank in a cell whose header says what it ranks: '2022-11-09', or 'in the data'
    ('largest one-day fall since 2022-11-09'; the sign of the move says fall or rise)."""
    if " in the data (since " in rank_text:
        return "in data since " + rank_text.rsplit(" (since ", 1)[1].rstrip(")")
    return rank_text.rsplit(" since ", 1)[1] if " since " in rank_text else rank_text


def _correlations(result: ShockResult, decorated: bool) -> Grid:
    """Correlations as a matrix: a row for each series, a column group for each series it is paired
    with (BTC, ETH): now and at the window's start, each with its count of common returns."""
    pairs = result.correlations
    days, prior = pairs[0].window_days, next((c.prior_end for c in pairs if c.prior_end), None)
    left = list(dict.fromkeys(c.a for c in pairs))
    rows = list(dict.fromkeys(c.b for c in pairs))
    title = f"{days}-day correlation of returns (n: common dates), now"
    # "Now" is the as-of date's window; where its latest common return is out of date, say how old.
    aged = sorted((c.date, c.age_days) for c in pairs if c.out_of_date and c.date)
    title += f" (data to {old(aged[-1][0], aged[-1][1], True)})" if aged else ""
    title += f" and then, at {prior}" if prior else ""
    columns = [Col("with", "left", key=True)]
    for a in left:
        columns += [Col(f"{a} now"), Col("n"), Col("then"), Col("n ")]
    grid = Grid(title, columns, decorated=decorated)
    by_pair = {(c.a, c.b): c for c in pairs}

    def corr(value: float | None) -> str:
        return f"{value:+.2f}" if value is not None else "n/a"

    for b in rows:
        cells = [text(b)]
        for a in left:
            c = by_pair.get((a, b))
            cells += (
                [
                    text(corr(c.correlation)),
                    text(c.observations),
                    text(corr(c.prior_correlation)),
                    text(c.prior_observations),
                ]
                if c
                else [text("")] * 4
            )
        grid.add_row(*cells)
    return grid


FOLLOWED_MIN_ABS_Z = 2.0  # the moves whose "what followed" line the tables show


def followed_line(m: MoveStats) -> str:
    """'BTC: after 10 earlier falls this large, a month later the median was +21.3% (8 of 10 up)',
    or '' when there is nothing to say."""
    if m.followed is None or m.change_pct is None:
        return ""
    word = "falls" if m.change_pct < 0 else "rises"
    h21 = m.followed.h21
    if h21 is None:
        n = len(m.followed.episodes)
        return f"{m.symbol}: {n} earlier {word} this large in the data, too few to say what usually follows"
    ups = round(h21.up_share * h21.n)
    return (
        f"{m.symbol}: after {h21.n} earlier {word} this large, 21 sessions later the median was "
        f"{h21.median_pct:+.1f}% ({h21.min_pct:+.1f}% to {h21.max_pct:+.1f}%; {ups} of {h21.n} up)"
    )


def shock(
    result: ShockResult,
    console: Console,
    legend: Legend | None = None,
    verbose: bool = False,
) -> RenderableType:
    """The moves ranked by how unusual they are, the shock window, the correlations, and how they
    are computed (in a report, only when its sources are listed in full)."""
    own, legend = legend is None, legend or Legend(verbose)
    method = own or legend.verbose
    decorated = console.is_terminal
    moves = Grid(
        "How unusual was each move? By |z-score| against the trailing 365 days",
        [
            Col("series", "left", key=True),
            Col("name", "left", drop=1),
            Col("date", "left", hoist=True),
            Col("1d"),
            Col("z (returns)", wrap=True),
            Col("1d largest since", "left", wrap=True),
            Col("7d"),
            Col("7d largest since", "left", wrap=True),
            Col("30d vol"),
            Col("vol pctile"),
            Col("src", "left", drop=2),
        ],
        decorated=decorated,
    )
    unranked: list[Text] = []
    for m in result.moves:
        z = f"{m.zscore:+.2f} ({m.zscore_observations})" if m.zscore is not None else "n/a"
        vol = f"{m.vol_30d_annualized_pct:.0f}%" if m.vol_30d_annualized_pct is not None else "n/a"
        moves.add_row(
            text(m.symbol),
            text(f"{m.proxy_for} proxy" if m.proxy_for else m.name),
            dated(m.date, m),
            _signed(m.change_pct),
            signed_text(z, m.zscore),
            text(_since(m.rank_text)),
            _signed(m.change_7d_pct),
            text(_since(m.week_rank_text)),
            text(vol),
            text(f"{m.vol_percentile:.0f}" if m.vol_percentile is not None else "n/a"),
            text(legend.mark(m.source, m.symbol)),
        )
        if m.note:
            unranked.append(text(f"{m.symbol}: {m.note}"))
    parts: list[RenderableType] = [moves, *unranked]
    # For the day's unusual moves only, and on `shock`'s own screen (the report stays short):
    # every series' figures are in --json.
    unusual = [m for m in result.moves if m.zscore is not None and abs(m.zscore) >= FOLLOWED_MIN_ABS_Z]
    followed = [line for m in unusual if (line := followed_line(m))] if own else []
    if followed:
        block = Text("What followed earlier moves this large (21 sessions later; crypto: days):\n", style="bold")
        for line in followed:
            block.append(f.safe_text(f"  {line}\n"))
        block.rstrip()
        parts += [Text(""), block]
    if result.window and result.window_changes:
        w = result.window
        title = f"Shock window: last {w.sessions} sessions from the close of {w.start}"
        # Marked like the other tables when the window's last session is out of date.
        last = next((c for c in result.window_changes if c.end_date == w.end and c.out_of_date), None)
        title += f" to {old(w.end, last.age_days, True)}" if last else ""
        title += ", largest fall first"
        changes = Grid(
            title,
            [
                Col("rank", key=True),
                Col("series", "left", key=True),
                Col("name", "left", drop=1),
                Col("from", wrap=True),
                Col("to", wrap=True),
                Col("change"),
            ],
            decorated=decorated,
        )
        for c in result.window_changes:
            changes.add_row(
                text(c.rank),
                text(c.symbol),
                text(f"{c.proxy_for} proxy" if c.proxy_for else c.name),
                text(f"{f.price(c.start_close)} ({c.start_date})"),
                text(f"{f.price(c.end_close)} ({old(c.end_date, c.age_days, c.out_of_date)})", _aged(c)),
                _signed(c.change_pct),
            )
        parts += [Text(""), changes]
    if result.correlations:
        parts += [Text(""), _correlations(result, decorated)]
    if method:
        how = Text("How these are computed:\n", style="dim")
        for line in result.method:
            how.append(f.safe_text(f"- {line}\n"))
        how.rstrip()
        parts += [Text(""), how]
    return _sourced(parts, legend, own)


def compare(
    result: CompareResult,
    console: Console,
    legend: Legend | None = None,
    verbose: bool = False,
) -> RenderableType:
    """The current shock's episode beside each past shock's, series by series, and the method."""
    own, legend = legend is None, legend or Legend(verbose)
    grid = Grid(
        f"The shock window of {result.as_of} beside past shocks: peak to trough",
        [
            Col("shock", "left", key=True, wrap=True),
            Col("series", "left", key=True),
            Col("peak", "left", drop=2),
            Col("trough", "left", drop=1),
            Col("fall"),
            Col("to trough"),
            Col("regained", "left", wrap=True),
            Col("largest day", wrap=True),
            Col("VIX peak"),
        ],
        decorated=console.is_terminal,
    )
    for r in result.rows:
        regained = (
            f"{r.regained_date} ({r.sessions_to_regain} session{'' if r.sessions_to_regain == 1 else 's'})"
            if r.regained_date is not None and r.sessions_to_regain is not None
            else "not yet"
        )
        day = f"{f.pct(r.largest_move_pct, 1)} ({r.largest_move_date})" if r.largest_move_pct is not None else "n/a"
        grid.add_row(
            text(
                r.shock if r.current or r.shock == str(r.shock_date) else f"{r.shock} {r.shock_date}",
                "bold" if r.current else "",
            ),
            text(r.symbol),
            text(f"{f.price(r.peak_close)} ({r.peak_date})"),
            text(f"{f.price(r.trough_close)} ({r.trough_date})"),
            _signed(r.fall_pct),
            text(str(r.sessions_to_trough)),
            text(regained),
            signed_text(day, r.largest_move_pct),
            text(f"{r.vix_peak:.1f}" if r.vix_peak is not None else "n/a"),
        )
    parts: list[RenderableType] = [grid]
    skipped = [s for s in result.shocks if not any(r.shock == s.name for r in result.rows)]
    if skipped:
        parts.append(text("no series with data at: " + ", ".join(f"{s.name} ({s.date})" for s in skipped), "dim"))
    if own or legend.verbose:
        how = Text("How these are computed:\n", style="dim")
        for line in result.method:
            how.append(f.safe_text(f"- {line}\n"))
        for s in result.shocks:
            if s.source:
                how.append(f.safe_text(f"- {s.name} ({s.date}): {s.note}; source: {s.source}\n"))
        how.rstrip()
        parts += [Text(""), how]
    return _sourced(parts, legend, own)
