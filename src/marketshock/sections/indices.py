"""`indices`: last level, day and 5-day change, streak, and market-measure notes.

Three kinds of series feed it: daily bars (ETF proxies, VIX), curated index closes
with the source's stated day change (KOSPI, whose rows skip sessions), and reported
day moves with no level at all (MSCI Asia-Pacific ex-Japan).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from marketshock import analytics, formatting
from marketshock.context import RunContext
from marketshock.models.envelope import WarningEntry
from marketshock.models.results.indices import IndexRow, IndicesResult
from marketshock.models.series import DailyCloses, PriceSeries, Source
from marketshock.models.sessions import IndexMoves, IndexSession, IndexSessions
from marketshock.notes import warn
from marketshock.providers.base import daily_closes, index_sessions
from marketshock.sections.gaps import gap_warnings, suspect_note, suspect_warning
from marketshock.sections.universe import each_symbol

SPARK_SESSIONS = 30
NOTE_DAYS = 7  # market-measure events of the past week are shown with the row
KOSPI_CIRCUIT_BREAKER_PCT = -8.0  # KRX level 1: KOSPI -8% from the prior close for a minute
MOVE_MAX_AGE_DAYS = 7  # a reported index move older than this is not shown as the latest move


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def next_weekday(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def contiguous_tail(dates: list[dt.date]) -> int:
    """How many of the last dates follow each other weekday by weekday (no session
    missing between them, as far as a weekday calendar can tell)."""
    if not dates:
        return 0
    run = 1
    for earlier, later in zip(reversed(dates[:-1]), reversed(dates[1:]), strict=False):
        if next_weekday(earlier) != later:
            break
        run += 1
    return run


def streak_is_complete(changes: Sequence[float | None], streak: int) -> bool:
    """Whether a streak over consecutive rows is known to have started where it did: the row
    before it moved the other way or not at all. A run back to the first row, or to a row whose
    change is unknown, may be longer than the data shows."""
    if streak == 0:
        return True  # no run to extend
    before = len(changes) - abs(streak) - 1
    return before >= 0 and changes[before] is not None


def no_figure_row(
    symbol: str, name: str, kind: str, reason: str, source: Source, proxy_for: str | None = None
) -> IndexRow:
    """A row that says why it has no figure, rather than a missing row."""
    return IndexRow(
        symbol=symbol,
        name=name,
        kind=kind,
        proxy_for=proxy_for,
        date=None,
        last=None,
        change_1d_pct=None,
        change_5d_pct=None,
        streak=0,
        unavailable=reason,
        source=source,
    )


def bar_row(series: PriceSeries | DailyCloses, ctx: RunContext) -> IndexRow:
    """Figures of a daily series, from its closes alone. A figure whose sessions include a gap (a session the provider
    sent without a close) is null, the gap named in the envelope's `warnings`."""
    series = series.up_to(ctx.as_of)
    closes, dates, gaps = series.closes, series.dates, series.gaps
    kind = "ETF proxy" if series.proxy_for else "index"
    if not dates:
        reason = f"no data on or before {ctx.as_of}"
        return no_figure_row(series.symbol, series.name, kind, reason, series.source, series.proxy_for)
    log = analytics.GapLog()
    change_1d = analytics.change_over_sessions(closes, 1, dates, gaps, log.to("change_1d_pct"))
    change_5d = analytics.change_over_sessions(closes, 5, dates, gaps, log.to("change_5d_pct"))
    streak = analytics.streak_over(dates[-60:], closes[-60:], gaps, log.to("streak"))
    for warning in gap_warnings("indices", series, log, ctx.as_of):
        warn(warning)
    # A move only an unapplied split explains, within the 5 sessions shown: flagged, never a headline.
    suspect = [d for d in series.suspect if d >= dates[max(0, len(dates) - 6)]]
    for day in suspect:
        warn(suspect_warning("indices", series.symbol, day, "flagged in the row's notes and kept out of headlines"))
    return IndexRow(
        symbol=series.symbol,
        name=series.name,
        kind=kind,
        proxy_for=series.proxy_for,
        date=dates[-1],
        last=round(closes[-1], 2),
        change_1d_pct=_round(change_1d),
        change_5d_pct=_round(change_5d),
        streak=streak,
        gap_figures=log.figures,
        notes=[suspect_note(d) for d in suspect],
        recent_closes=[round(c, 2) for c in closes[-SPARK_SESSIONS:]],
        source=series.source,
    )


def session_row(index: IndexSessions, ctx: RunContext) -> IndexRow:
    sessions = [s for s in index.sessions if s.date <= ctx.as_of]
    if not sessions:
        first = index.sessions[0].date if index.sessions else None
        reason = f"no closes on or before {ctx.as_of} (data starts {first})"
        return no_figure_row(index.symbol, index.name, "index", reason, Source(provider="curated"))
    last = sessions[-1]
    span = index.break_at(ctx.as_of)
    if span is not None:
        return gap_row(index, last, span)
    dates = [s.date for s in sessions]
    recent_gaps = [g for g in index.gaps if dates[max(0, len(dates) - 6)] < g <= ctx.as_of]
    for gap in recent_gaps:
        warn(
            WarningEntry(
                section="indices",
                symbol=index.symbol,
                kind="gap",
                date=gap,
                message=f"{index.symbol} has no close on {gap} (a session): the day change, 5-day change and "
                "streak across it are left blank rather than measured over a longer period",
            )
        )
    # A streak or a 5-day change may only span rows that are consecutive sessions.
    run = contiguous_tail(dates)
    tail = sessions[-run:]
    changes = [s.change_pct for s in tail]
    streak: int | None = analytics.streak(changes)
    streak_complete = streak_is_complete(changes, streak or 0)
    if not streak_complete and streak:
        # The change into the row before the run is unknown; a gap before that row made it so.
        start = len(dates) - abs(streak) - 1  # the row before the run
        before = dates[start - 1] if start >= 1 else dates[0] - dt.timedelta(days=7)
        if analytics.first_gap(index.gaps, before, last.date) is not None:
            streak = None  # the run meets a session without a close: its length is unknown, not a lower bound
    if last.change_pct is None and last.close is None:
        # A session whose close was left out of the data (its only source was an aggregator):
        # the day is known to have traded, its move is not, so neither is any streak into it.
        streak = None
    change_5d = None
    if run >= 6 and tail[-1].close is not None and tail[-6].close is not None:
        change_5d = analytics.change_pct(tail[-1].close, tail[-6].close)
    notes = []
    if last.close is None and last.source.note:
        notes.append(f"{last.date}: {last.source.note}")
    low_note = intraday_note(last, sessions[-2] if run >= 2 else None)
    if low_note:
        notes.append(low_note)
    for s in sessions:
        if s.market_measure and (ctx.as_of - s.date).days < NOTE_DAYS:
            measure = s.market_measure
            if s.intraday_low is not None:
                # The day's low is in the data: its intraday fall is measured above, not quoted.
                measure = "; ".join(p for p in measure.split("; ") if "intraday" not in p)
            if measure:
                notes.append(f"{s.date}: {measure}")
    if last.change_pct is not None and last.change_pct <= KOSPI_CIRCUIT_BREAKER_PCT:
        notes.append(f"{last.date}: close beyond the {KOSPI_CIRCUIT_BREAKER_PCT:.0f}% circuit-breaker level")
    recent = [s.close for s in sessions if s.close is not None and (ctx.as_of - s.date).days <= 45]
    return IndexRow(
        symbol=index.symbol,
        name=index.name,
        kind="index",
        date=last.date,
        last=last.close,
        change_1d_pct=last.change_pct,
        change_5d_pct=_round(change_5d),
        streak=streak,
        streak_complete=streak_complete,
        notes=notes,
        recent_closes=recent,
        source=last.source,
    )


def break_reason(symbol: str, last: IndexSession, gap: tuple[dt.date, dt.date]) -> str:
    return (
        f"no {symbol} close from {gap[0]} to {gap[1]} in the bundled data (a gap between its sources); "
        f"the last close before it, on {last.date}, is not a current figure"
    )


def gap_row(index: IndexSessions, last: IndexSession, gap: tuple[dt.date, dt.date]) -> IndexRow:
    """As-of inside a span with no sessions: the last close with its own date (freshness marks it
    old), no day or 5-day change and no streak, and the gap said in the row."""
    return IndexRow(
        symbol=index.symbol,
        name=index.name,
        kind="index",
        date=last.date,
        last=last.close,
        change_1d_pct=None,
        change_5d_pct=None,
        streak=None,
        streak_complete=False,
        unavailable=break_reason(index.symbol, last, gap),
        source=last.source,
    )


def intraday_note(last: IndexSession, prior: IndexSession | None) -> str:
    """'2026-02-06: fell 5.1% intraday (low 4,899.30 against the prior close 5,163.57), closed -1.44%':
    the intraday fall from the data (the day's low against the prior session's close), or ''."""
    if last.intraday_low is None or last.close is None or last.change_pct is None:
        return ""
    # The prior close: the previous session's where it is the one the day change was measured from.
    prior_close = prior.close if prior is not None and prior.close is not None else None
    if prior_close is None:
        prior_close = last.close / (1 + last.change_pct / 100)
    move = analytics.change_pct(last.intraday_low, prior_close)
    if move is None:
        return ""
    how = f"fell {formatting.pct(-move)[1:]} intraday" if move < 0 else "held at or above the prior close"
    return (
        f"{last.date}: {how} (low {formatting.number(last.intraday_low, 2)} against the prior close "
        f"{formatting.number(prior_close, 2)}), closed {formatting.pct(last.change_pct, 2)}"
    )


def moves_row(index: IndexMoves, ctx: RunContext) -> IndexRow:
    moves = [m for m in index.moves if m.date <= ctx.as_of]
    no_level = "no index levels in the data: reported day moves only"
    kind = "index (moves only)"
    if not moves:
        reason = f"no reported move on or before {ctx.as_of}; {no_level}"
        return no_figure_row(index.symbol, index.name, kind, reason, Source(provider="curated"))
    # Reported moves are sparse: one from weeks ago is not "the day's move" of the as-of date.
    if (ctx.as_of - moves[-1].date).days > MOVE_MAX_AGE_DAYS:
        reason = (
            f"no reported move in the {MOVE_MAX_AGE_DAYS} days to {ctx.as_of} "
            f"(the last was on {moves[-1].date}); {no_level}"
        )
        return no_figure_row(index.symbol, index.name, kind, reason, moves[-1].source)
    last = moves[-1]
    run = contiguous_tail([m.date for m in moves])
    tail = moves[-run:]
    changes = [m.change_pct for m in tail]
    streak = analytics.streak(changes)
    return IndexRow(
        symbol=index.symbol,
        name=index.name,
        kind=kind,
        date=last.date,
        last=None,
        change_1d_pct=last.change_pct,
        change_5d_pct=None,
        streak=streak,
        streak_complete=streak_is_complete(changes, streak),
        notes=[f"{last.date}: move as reported {last.measured_at}; {no_level}"],
        source=last.source,
    )


def form(ctx: RunContext, symbol: str) -> str:
    """How the instrument table says a symbol's series comes: bars, sessions or moves."""
    row = ctx.universe.table.get(symbol)
    return row.form if row is not None else "bars"


async def _row(ctx: RunContext, symbol: str) -> IndexRow:
    kind = form(ctx, symbol)
    if kind == "sessions":
        return session_row(await index_sessions(ctx.data, symbol, ctx.as_of), ctx)
    if kind == "moves":
        return moves_row(await ctx.data.index_moves(symbol), ctx)
    # Closes only: a bundled series then never converts its open, high, low and volume columns.
    return bar_row(await daily_closes(ctx.data, symbol), ctx)


async def build(ctx: RunContext) -> IndicesResult:
    """A row for every index and ETF of the universe (the Asian gauges the article names, the
    US benchmarks and metals it ran through, by default); a row whose provider fails is filed
    as a note and left out, unless all fail."""
    symbols = ctx.universe.symbols("indices", "etfs")
    rows = [row for _, row in await each_symbol(ctx, symbols, lambda s: _row(ctx, s))]
    return IndicesResult(indices=rows)
