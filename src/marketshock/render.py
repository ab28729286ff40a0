"""Rich tables for people: colour for up and down, sparklines, sources as footnotes.

Every string that comes from data is wrapped in `Text` (never parsed as markup) and
cleaned of control characters. Colour and box drawing are decided by the console:
none when stdout is not a terminal or NO_COLOR is set.
"""

from __future__ import annotations

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from marketshock import formatting as f
from marketshock.models.results import (
    CapexResult,
    CryptoResult,
    Headline,
    IndicesResult,
    LaborResult,
    ReportResult,
)
from marketshock.models.series import Source

UP, DOWN = "green", "red"


def text(value: object, style: str = "") -> Text:
    """Data shown as inert text."""
    return Text(f.safe_text(str(value)), style=style)


def signed_text(display: str, value: float | None) -> Text:
    style = "" if value is None or value == 0 else (UP if value > 0 else DOWN)
    return text(display, style)


def spark(values: list[float]) -> Text:
    if len(values) < 2:
        return text("")
    style = UP if values[-1] > values[-2] else DOWN if values[-1] < values[-2] else ""
    return text(f.sparkline(values), style)


class Footnotes:
    """Numbered sources under a table: each distinct source once."""

    def __init__(self) -> None:
        self.sources: list[Source] = []

    def mark(self, source: Source) -> str:
        if source not in self.sources:
            self.sources.append(source)
        return f"[{self.sources.index(source) + 1}]"

    def renderable(self) -> Text:
        out = Text(style="dim")
        for i, s in enumerate(self.sources, 1):
            ref = f" {s.reference}" if s.reference else ""
            note = f" ({s.note})" if s.note else ""
            out.append(f.safe_text(f"[{i}] {s.provider}:{ref}{note}\n"))
        out.rstrip()
        return out


def _table(title: str, console: Console) -> Table:
    decorated = console.is_terminal
    return Table(
        title=text(title, "bold" if decorated else ""),
        title_justify="left",
        box=box.SIMPLE_HEAD if decorated else None,
        show_edge=False,
        pad_edge=False,
    )


def crypto(result: CryptoResult, console: Console, ytd: bool = True) -> RenderableType:
    notes = Footnotes()
    table = _table("Crypto", console)
    for header in ("asset", "date", "close", "day low", "1d", "7d"):
        table.add_column(header, justify="left" if header in ("asset", "date") else "right")
    if ytd:
        table.add_column("YTD", justify="right")
        table.add_column("YTD at low", justify="right")
    for header in ("lowest since", "from ATH", "30 days"):
        table.add_column(header, justify="right" if header == "from ATH" else "left")
    for a in result.assets:
        since = f"{a.lowest_since} ({a.lowest_since_months} mo)" if a.lowest_since else f"lowest since {a.data_starts}"
        row = [
            text(f"{a.symbol} {notes.mark(a.source)}"),
            text(a.date),
            text(f.usd(a.price, 2 if a.price < 1000 else 0)),
            text(f.usd(a.low, 2 if a.low < 1000 else 0)),
            signed_text(f.pct(a.change_1d_pct), a.change_1d_pct),
            signed_text(f.pct(a.change_7d_pct), a.change_7d_pct),
        ]
        if ytd:
            row += [
                signed_text(f.pct(a.change_ytd_pct), a.change_ytd_pct),
                signed_text(f.pct(a.change_ytd_at_low_pct), a.change_ytd_at_low_pct),
            ]
        row += [text(since), signed_text(f.pct(a.drawdown_pct), a.drawdown_pct), spark(a.recent_closes)]
        table.add_row(*row)
    parts: list[RenderableType] = [table]
    if result.market_cap:
        caps = _table("Total crypto market value", console)
        for header in ("provider", "peak", "then", "wiped out", "change"):
            caps.add_column(header, justify="left" if header == "provider" else "right")
        for c in result.market_cap:
            marks = "".join(notes.mark(s) for s in c.sources)
            caps.add_row(
                text(f"{c.provider} {marks}"),
                text(f"{f.usd_short(c.peak_usd)} ({c.peak_date})"),
                text(f"{f.usd_short(c.value_usd)} ({c.value_date})"),
                text(f.usd_short(c.wiped_out_usd)),
                signed_text(f.pct(c.change_pct), c.change_pct),
            )
        parts.append(caps)
    if result.etf_flows:
        flows = _table("US spot bitcoin ETF net flows by month", console)
        for header in ("month", "net flow", "funds", "how"):
            flows.add_column(header, justify="right" if header == "net flow" else "left")
        for m in result.etf_flows:
            how = m.method if m.method == "quoted" else f"{m.method}, {m.days} days"
            if m.partial:
                how += ", month not over"
            amount = f"{m.qualifier} {f.usd_short(m.net_flow_usd)}".strip()
            flows.add_row(
                text(m.month),
                signed_text(amount, m.net_flow_usd),
                text(m.scope),
                text(f"{m.provider}, {how} {notes.mark(m.source)}"),
            )
        parts.append(flows)
    parts.append(notes.renderable())
    return Group(*parts)


def indices(result: IndicesResult, console: Console) -> RenderableType:
    notes = Footnotes()
    table = _table("Indices", console)
    for header in ("index", "kind", "date", "last", "1d", "5d", "streak", "30 sessions"):
        table.add_column(header, justify="right" if header in ("last", "1d", "5d", "streak") else "left")
    extra: list[Text] = []
    for r in result.indices:
        kind = f"proxy for {r.proxy_for}" if r.proxy_for else r.kind
        streak = f"{r.streak:+d}" if r.streak else "0"
        if not r.streak_complete:
            streak = f"≥{abs(r.streak)}" if r.streak > 0 else f"≤{r.streak}"
        table.add_row(
            text(f"{r.name} ({r.symbol}) {notes.mark(r.source)}"),
            text(kind),
            text(r.date or "n/a"),
            text(f.number(r.last, 2) if r.last is not None else "n/a"),
            signed_text(f.pct(r.change_1d_pct, 2), r.change_1d_pct),
            signed_text(f.pct(r.change_5d_pct, 2), r.change_5d_pct),
            signed_text(streak, r.streak),
            spark(r.recent_closes),
        )
        for note in r.notes:
            extra.append(text(f"{r.symbol}: {note}"))
        if r.unavailable:
            extra.append(text(f"{r.symbol}: n/a, {r.unavailable}"))
    return Group(table, *extra, notes.renderable())


def capex(result: CapexResult, console: Console) -> RenderableType:
    notes = Footnotes()
    table = _table("Big-tech capex and the stock's reaction", console)
    for header in ("company", "last FY capex", "guidance", "growth", "reaction", "session"):
        table.add_column(header, justify="left" if header in ("company", "session") else "right")
    gaps: list[Text] = []
    for c in result.companies:
        marks = "".join(notes.mark(s) for s in c.sources)
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
        table.add_row(
            text(f"{c.name} ({c.ticker}) {marks}"),
            text(actual),
            text(guide),
            signed_text(f.pct(c.guidance_growth_pct), c.guidance_growth_pct),
            signed_text(f.pct(c.reaction_pct), c.reaction_pct),
            text(session),
        )
        for gap in c.gaps:
            gaps.append(text(f"{c.ticker}: n/a, {gap}"))
    return Group(table, *gaps, notes.renderable())


def labor(result: LaborResult, console: Console) -> RenderableType:
    notes = Footnotes()
    parts: list[RenderableType] = []
    cuts = result.job_cuts
    if cuts:
        month = f.month_name(int(cuts.month[5:]))
        table = _table(f"Challenger job cuts: every {month}", console)
        table.add_column("month")
        table.add_column("job cuts", justify="right")
        table.add_column("rank")
        table.add_row(
            text(f"{cuts.month} {notes.mark(cuts.source)}"), text(f.number(cuts.value), "bold"), text(cuts.rank_text)
        )
        history = [v for y, v in cuts.same_month_history]
        table.add_row(
            text(f"{cuts.same_month_history[0][0]}-{cuts.same_month_history[-1][0]}"),
            text(f"{f.number(min(history))}-{f.number(max(history))}"),
            spark([float(v) for v in history]),
        )
        parts.append(table)
    if result.claims:
        table = _table("US jobless claims (seasonally adjusted)", console)
        for header in ("week ending", "vintage", "initial", "change", "4-week avg", "continuing", "12 weeks"):
            table.add_column(header, justify="left" if header in ("week ending", "vintage", "12 weeks") else "right")
        for week, trend in ((result.claims, result.recent_initial_claims), (result.claims_first_print, [])):
            if week is None:
                continue
            cont = f.number(week.continuing)
            if week.continuing_week_ending:
                cont += f" (w/e {week.continuing_week_ending})"
            table.add_row(
                text(f"{week.week_ending} {notes.mark(week.source)}"),
                text(f"{week.vintage}, released {week.released}" if week.vintage == "first print" else week.vintage),
                text(f.number(week.initial)),
                signed_text(f.signed(week.change), -week.change if week.change else None),
                text(f.number(week.four_week_avg)),
                text(cont),
                spark([float(v) for v in trend]),
            )
        parts.append(table)
    parts.append(notes.renderable())
    return Group(*parts)


def headlines(lines: list[Headline], console: Console) -> RenderableType:
    out = Text()
    for line in lines:
        out.append("• " if console.is_terminal else "- ")
        out.append(f.safe_text(line.text) + "\n")
    out.rstrip()
    return out


def report(result: ReportResult, console: Console) -> RenderableType:
    parts: list[RenderableType] = [headlines(result.headlines, console)]
    if result.indices:
        parts += [Text(""), indices(result.indices, console)]
    if result.earnings_capex:
        parts += [Text(""), capex(result.earnings_capex, console)]
    if result.labor:
        parts += [Text(""), labor(result.labor, console)]
    if result.crypto:
        parts += [Text(""), crypto(result.crypto, console)]
    return Group(*parts)
