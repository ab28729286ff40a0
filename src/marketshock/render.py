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
    ShockResult,
)
from marketshock.models.series import Source

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
        return f"[{self.sources.index(source) + 1}{stale}]"

    def renderable(self) -> Text:
        out = Text(style="dim")
        for i, s in enumerate(self.sources, 1):
            ref = f" {s.reference}" if s.reference else ""
            note = f" ({s.note})" if s.note else ""
            if s.stale and s.fetched_at is not None:
                note += f" STALE: cached value fetched {s.fetched_at:%Y-%m-%d %H:%M} UTC, the provider failed"
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


def titled_table(title: str, console: Console) -> Table:
    """An empty table in the house style, for commands that build their own rows."""
    return _table(title, console)


def gap_pct(value: float | None, field: str, gap_figures: list[str], decimals: int | None = None) -> Text:
    """A percentage, or the reason it is blank: a gap in the data under it (named in warnings)."""
    if value is None and field in gap_figures:
        return text("n/a (gap)")
    return signed_text(f.pct(value) if decimals is None else f.pct(value, decimals), value)


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
        if "lowest_since" in a.gap_figures:
            since = "n/a (gap in the data, see warnings)"
        row = [
            text(f"{a.symbol} {notes.mark(a.source)}"),
            text(a.date),
            text(f.usd(a.price, 2 if a.price < 1000 else 0)),
            text(f.usd(a.low, 2 if a.low is not None and a.low < 1000 else 0)),
            gap_pct(a.change_1d_pct, "change_1d_pct", a.gap_figures),
            gap_pct(a.change_7d_pct, "change_7d_pct", a.gap_figures),
        ]
        if ytd:
            row += [
                gap_pct(a.change_ytd_pct, "change_ytd_pct", a.gap_figures),
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
            if m.data_ends:
                how += f", data ends {m.data_ends}"
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
        streak = f"{r.streak:+d}" if r.streak else "0" if r.streak == 0 else "n/a (gap)"
        if r.streak is not None and not r.streak_complete:
            streak = f"≥{abs(r.streak)}" if r.streak > 0 else f"≤{r.streak}"
        table.add_row(
            text(f"{r.name} ({r.symbol}) {notes.mark(r.source)}"),
            text(kind),
            text(r.date or "n/a"),
            text(f.number(r.last, 2) if r.last is not None else "n/a"),
            gap_pct(r.change_1d_pct, "change_1d_pct", r.gap_figures, 2),
            gap_pct(r.change_5d_pct, "change_5d_pct", r.gap_figures, 2),
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
            spark([float(v) for v in history], rise_is_bad=True),
        )
        parts.append(table)
    if result.claims:
        table = _table("US jobless claims (seasonally adjusted)", console)
        for header in ("week ending", "vintage", "initial", "change", "4-week avg", "continuing", "12 weeks"):
            table.add_column(header, justify="left" if header in ("week ending", "vintage", "12 weeks") else "right")
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
                text(f"{week.week_ending} {notes.mark(week.source)}"),
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
            )
        parts.append(table)
    parts.append(notes.renderable())
    return Group(*parts)


def headlines(lines: list[Headline], console: Console) -> RenderableType:
    out = Text()
    for line in lines:
        out.append("• " if console.is_terminal else "- ")
        out.append(f.safe_text(line.text))
        if line.why:
            out.append(f.safe_text(f" — {line.why}"), style="dim")
        out.append("\n")
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
    if result.shock:
        parts += [Text(""), shock(result.shock, console)]
    return Group(*parts)


def _series_label(symbol: str, name: str, proxy_for: str | None) -> str:
    return f"{symbol} ({proxy_for} proxy)" if proxy_for else f"{symbol} ({name})"


def _short_since(rank_text: str, *words: str) -> str:
    """A rank in a table cell whose header names the period: 'fall since 2022-11-09'."""
    for word in words:
        rank_text = rank_text.replace(word, "")
    return rank_text.removeprefix("the ").replace(" the data", " data")


def shock(result: ShockResult, console: Console) -> RenderableType:
    notes = Footnotes()
    moves = _table("How unusual is each move? Ranked by |z-score| against the trailing 365 days", console)
    numeric = ("1d", "z (returns)", "7d", "30d vol", "pctile")
    for header in ("series", "date", "1d", "z (returns)", "the day", "7d", "the week", "30d vol", "pctile"):
        # A narrow series column leaves the figures and "since" dates room to stay on one line.
        # On a narrow terminal cells fold rather than lose a date's digits to an ellipsis.
        moves.add_column(
            header,
            justify="right" if header in numeric else "left",
            max_width=24 if header == "series" else None,
            min_width=10 if header in ("date", "the day", "the week") else None,  # an ISO date
            overflow="fold",
        )
    unranked: list[Text] = []
    for m in result.moves:
        z = f"{m.zscore:+.2f} ({m.zscore_observations})" if m.zscore is not None else "n/a"
        vol = "n/a"
        if m.vol_30d_annualized_pct is not None:
            vol = f"{m.vol_30d_annualized_pct:.0f}% {m.vol_annualization}"
        moves.add_row(
            text(f"{_series_label(m.symbol, m.name, m.proxy_for)} {notes.mark(m.source)}"),
            text(m.date or "n/a"),
            signed_text(f.pct(m.change_pct), m.change_pct),
            signed_text(z, m.zscore),
            text(_short_since(m.rank_text, "largest one-day ")),
            signed_text(f.pct(m.change_7d_pct), m.change_7d_pct),
            text(_short_since(m.week_rank_text, "", " week")),
            text(vol),
            text(f"{m.vol_percentile:.0f}" if m.vol_percentile is not None else "n/a"),
        )
        if m.note:
            unranked.append(text(f"{m.symbol}: {m.note}"))
    parts: list[RenderableType] = [moves, *unranked]
    if result.window and result.window_changes:
        w = result.window
        title = f"The shock window: the last {w.sessions} sessions, from the close of {w.start}; largest fall first"
        changes = _table(title, console)
        for header in ("rank", "series", "from", "to", "change"):
            changes.add_column(
                header, justify="left" if header in ("series", "from", "to") else "right", overflow="fold"
            )
        for c in result.window_changes:
            changes.add_row(
                text(c.rank),
                text(_series_label(c.symbol, c.name, c.proxy_for)),
                text(f"{f.price(c.start_close)} ({c.start_date})"),
                text(f"{f.price(c.end_close)} ({c.end_date})"),
                signed_text(f.pct(c.change_pct), c.change_pct),
            )
        parts += [Text(""), changes]
    if result.correlations:
        days = result.correlations[0].window_days
        corr = _table(
            f"{days}-day correlation of daily returns on common dates, now and at the window's start", console
        )
        for header in ("pair", "now", "returns", "then", "returns "):
            corr.add_column(header, justify="left" if header == "pair" else "right", overflow="fold")
        for c in result.correlations:
            corr.add_row(
                text(f"{c.a} / {c.b}"),
                text(f"{c.correlation:+.2f}" if c.correlation is not None else "n/a"),
                text(c.observations),
                text(f"{c.prior_correlation:+.2f} ({c.prior_end})" if c.prior_correlation is not None else "n/a"),
                text(c.prior_observations),
            )
        parts += [Text(""), corr]
    method = Text("How these are computed:\n", style="dim")
    for line in result.method:
        method.append(f.safe_text(f"- {line}\n"))
    method.rstrip()
    parts += [Text(""), method, notes.renderable()]
    return Group(*parts)
