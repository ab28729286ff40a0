"""`shock`: how unusual each of the day's moves is, ranked, and the cross-asset view of the
shock window (each series' change side by side; rolling correlations of BTC and ETH with
every index that has a daily series).

Every series the other sections show is covered: crypto and the daily index series get the
full statistics (`move_stats`); the curated index rows (KOSPI, MSCI Asia-Pacific ex-Japan)
are listed with their reported move and why they cannot be ranked.
"""

from __future__ import annotations

import bisect
import datetime as dt
from typing import Any

from marketshock import analytics
from marketshock import move_stats as ms
from marketshock.context import RunContext
from marketshock.models.results.shock import (
    Followed,
    FollowedOutcome,
    MoveStats,
    PairCorrelation,
    ShockResult,
    ShockWindow,
    WindowChange,
)
from marketshock.models.series import DailyCloses, Source
from marketshock.models.sessions import IndexMoves, IndexSessions
from marketshock.notes import warn
from marketshock.providers.base import daily_closes, index_sessions
from marketshock.sections import indices
from marketshock.sections.gaps import SUSPECT, gap_warnings, suspect_warning
from marketshock.sections.universe import each_symbol

_DAY = dt.timedelta(days=1)

DEFAULT_WINDOW = 10  # sessions up to as-of
MAX_WINDOW = 260  # about a year of sessions

METHOD = [
    "day's move: log return from the previous row (crypto: UTC calendar days; exchange-traded: sessions)",
    f"z-score: (return - mean) / sample standard deviation of the returns dated in the "
    f"{ms.ZSCORE_WINDOW_DAYS} calendar days before the day, the day excluded; none on fewer than "
    f"{ms.MIN_OBSERVATIONS} returns",
    "largest fall/rise since: the most recent earlier day with a larger move the same way; "
    "'in the data' when no earlier day moved more",
    f"worst/best week since: the {ms.WEEK_DAYS}-calendar-day change ranked the same way, against earlier weeks "
    "that share no day with it",
    f"30-day volatility: sample standard deviation of the returns dated in the {ms.VOL_WINDOW_DAYS} calendar days "
    "ending on the day, annualized by sqrt(365) for crypto (every day trades) and sqrt(252) for exchange-traded "
    "series (sessions); percentile within the series' own history up to the day",
    "shock window: the last N sessions (exchange-traded calendar) up to as-of; each series' change from its "
    "close on or before the window's start to its last close on or before as-of",
    f"correlation: closes sampled on the dates both series have (crypto's weekend folds into Monday), log "
    f"returns from one common date to the next, Pearson's correlation over the {ms.CORRELATION_WINDOW_DAYS} "
    f"calendar days ending on the day (at least {ms.CORRELATION_MIN_OBSERVATIONS} returns)",
    "no look-ahead: every window ends on the as-of day; later data is never read",
]


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _kind(series: DailyCloses) -> str:
    if series.calendar == "utc-days":
        return "crypto"
    return "ETF proxy" if series.proxy_for else "index"


def _over_gaps(dates: list[dt.date], returns: list[float | None], gaps: tuple[dt.date, ...]) -> list[float | None]:
    """A return from the close before a gap to the close after it spans more than one day (or
    session): it is no day's move, so it is None, like the first row's."""
    if not gaps:
        return returns
    out = list(returns)
    # Row k spans gap g when dates[k - 1] < g < dates[k]: k is bisect_left(dates, g) unless g is
    # itself a date. One search per gap rather than a test per row.
    n = len(dates)
    for gap in gaps:
        k = bisect.bisect_left(dates, gap)
        if 0 < k < n and dates[k] != gap:
            out[k] = None
    return out


def move_figures(series: DailyCloses, as_of: dt.date, log: analytics.GapLog | None = None) -> MoveStats:
    """Every statistic of one daily series' last move on or before `as_of`. A statistic whose
    window holds a gap (a day or session without a close) is null; `log` hears which gap."""
    log = log if log is not None else analytics.GapLog()
    s = series.up_to(as_of)
    gaps = s.gaps
    dates, closes = list(s.dates), list(s.closes)
    periods = ms.PERIODS_PER_YEAR.get(s.calendar, ms.PERIODS_PER_YEAR["sessions"])
    if len(dates) < 2:
        return _unranked(
            s.symbol,
            s.name,
            _kind(s),
            s.source,
            f"{len(dates)} close(s) on or before {as_of}: no move to measure",
            proxy_for=s.proxy_for,
            vol_annualization=f"sqrt({periods})",
            date=dates[-1] if dates else None,
            close=_round(closes[-1]) if closes else None,
            data_starts=dates[0] if dates else None,
            observations=len(dates),
        )
    i = len(dates) - 1
    returns = _over_gaps(dates, ms.log_returns(closes), gaps)
    last = dates[i]

    def spans_gap(figure: str, start: dt.date) -> bool:
        """Whether the figure's window, the days after `start` up to the last, holds a gap."""
        gap = analytics.first_gap(gaps, start, last)
        if gap is not None:
            log.to(figure)(gap)
        return gap is not None

    if spans_gap("change_pct", dates[i - 1]):
        returns[i] = None
    day_move = returns[i]  # shown as it is, flagged when suspect
    suspect = set(s.suspect)
    if suspect:  # kept out of z-scores and superlatives: neither the day nor its window counts them
        returns = [None if d in suspect else r for d, r in zip(dates, returns, strict=True)]
    z = ms.zscore(dates, returns, i)
    if z.zscore is not None and spans_gap("zscore", last - dt.timedelta(days=ms.ZSCORE_WINDOW_DAYS) - _DAY):
        z = ms.ZScore(None, z.observations, z.mean, z.sd)
    day = ms.largest_since(dates, returns, i)
    if day.direction and spans_gap("largest_since", (day.since or dates[0]) - _DAY):
        day = ms.Since(None, None, False)
    week = ms.week_since(dates, closes, i)
    change_7d = ms.change_over_calendar_days(dates, closes, i)
    week_base = ms.last_on_or_before(dates, last - dt.timedelta(days=ms.WEEK_DAYS))
    base_day = last - dt.timedelta(days=ms.WEEK_DAYS)
    base_gap = analytics.first_gap(gaps, dates[week_base], base_day) if week_base is not None else None
    if base_gap is not None:
        log.to("change_7d_pct")(base_gap)
        change_7d = None  # the close 7 days before is a gap: an earlier one would make a longer change
        week = ms.Since(None, None, False)
    elif week.direction and spans_gap("worst_week_since", (week.since or dates[0]) - _DAY):
        week = ms.Since(None, None, False)
    vols = ms.rolling_volatility(dates, returns, periods)
    vol = vols[i]
    if vol is not None and spans_gap("vol_30d_annualized_pct", last - dt.timedelta(days=ms.VOL_WINDOW_DAYS)):
        vol = None
    first_vol = next((d for d, v in zip(dates, vols, strict=True) if v is not None), None)
    vol_from = ms.last_on_or_before(dates, dates[i] - dt.timedelta(days=ms.VOL_WINDOW_DAYS))
    vol_obs = sum(1 for r in returns[(vol_from or -1) + 1 :] if r is not None)
    note = ""
    if last in suspect:
        note = f"{SUSPECT} on {last}: no z-score or rank"
    elif "zscore" in log.by_figure:
        note = f"no z-score: a gap on {log.by_figure['zscore'][0]} in its {ms.ZSCORE_WINDOW_DAYS}-day window"
    elif z.zscore is None:
        note = (
            f"no z-score: {z.observations} returns in the {ms.ZSCORE_WINDOW_DAYS} days before {dates[i]}, "
            f"fewer than {ms.MIN_OBSERVATIONS}"
        )
    return MoveStats(
        symbol=s.symbol,
        name=s.name,
        kind=_kind(s),
        proxy_for=s.proxy_for,
        vol_annualization=f"sqrt({periods})",
        source=s.source,
        date=dates[i],
        close=_round(closes[i]),
        change_pct=_round(ms.to_pct(day_move)),
        zscore=_round(z.zscore),
        zscore_observations=z.observations,
        largest_fall_since=day.since if day.direction == "fall" else None,
        largest_rise_since=day.since if day.direction == "rise" else None,
        largest_in_data=day.largest_in_data,
        rank_text=day.text("largest one-day fall", "largest one-day rise", dates[0]),
        change_7d_pct=_round(ms.to_pct(change_7d)),
        worst_week_since=week.since if week.direction == "fall" else None,
        best_week_since=week.since if week.direction == "rise" else None,
        week_largest_in_data=week.largest_in_data,
        week_rank_text=week.text("worst week", "best week", dates[0]),
        vol_30d_annualized_pct=_round(vol),
        vol_30d_observations=vol_obs,
        vol_percentile=_round(ms.percentile_rank(vols, vol), 1) if vol is not None else None,  # vols end at i
        vol_history_starts=first_vol,
        data_starts=dates[0],
        observations=len(dates),
        note=note,
        followed=followed_figures(ms.what_followed(dates, closes, gaps, s.suspect)) if day_move is not None else None,
    )


def _outcome(outcome: ms.Outcome | None) -> FollowedOutcome | None:
    if outcome is None:
        return None
    return FollowedOutcome(
        n=outcome.n,
        median_pct=round(outcome.median_pct, 2),
        min_pct=round(outcome.min_pct, 2),
        max_pct=round(outcome.max_pct, 2),
        up_share=round(outcome.up_share, 3),
    )


def followed_figures(followed: ms.Followed) -> Followed:
    """The result model of `move_stats.what_followed`: percentages rounded to 2 places."""
    h5, h21, h63 = (_outcome(followed.outcomes[h]) for h in ms.FOLLOW_HORIZONS)
    return Followed(episodes=list(followed.episodes), h5=h5, h21=h21, h63=h63, reason=followed.reason)


def _unranked(symbol: str, name: str, kind: str, source: Source, note: str, **figures: Any) -> MoveStats:
    """A row with no statistics, saying why; `figures` holds what is known (date, close, ...)."""
    return MoveStats(
        symbol=symbol,
        name=name,
        kind=kind,
        proxy_for=figures.get("proxy_for"),
        date=figures.get("date"),
        close=figures.get("close"),
        change_pct=figures.get("change_pct"),
        zscore=None,
        zscore_observations=0,
        largest_fall_since=None,
        largest_rise_since=None,
        largest_in_data=False,
        rank_text="",
        change_7d_pct=None,
        worst_week_since=None,
        best_week_since=None,
        week_largest_in_data=False,
        week_rank_text="",
        vol_30d_annualized_pct=None,
        vol_30d_observations=0,
        vol_annualization=figures.get("vol_annualization", ""),
        vol_percentile=None,
        vol_history_starts=None,
        data_starts=figures.get("data_starts"),
        observations=figures.get("observations", 0),
        note=note,
        source=source,
    )


def session_move(index: IndexSessions, as_of: dt.date) -> MoveStats:
    """An index of `sessions` form: its last move, not ranked (curated rows skip sessions and are
    few). Only the part of the data after the last span with no sessions counts; inside such a
    span there is no move, and the row says so with the last close's own date."""
    known = index.segment(as_of)
    gap = index.break_at(as_of)
    if gap is not None and known:
        last_close = known[-1]
        return _unranked(
            index.symbol,
            index.name,
            "index (no close at this date)",
            last_close.source,
            f"not ranked: {indices.break_reason(index.symbol, last_close, gap)}",
            date=last_close.date,
            close=last_close.close,
            change_pct=None,
            data_starts=known[0].date,
            observations=len(known),
        )
    # The last session's own close and day change: an older session's change is not this day's
    # move (a session whose prior close is not in the data has no change, and the note says so).
    last = known[-1] if known else None
    curated = not known or known[-1].source.provider == "curated"
    note = (
        f"not ranked: {len(known)} curated closes that skip sessions, too few for a z-score "
        f"(needs {ms.MIN_OBSERVATIONS} daily returns)"
        if curated
        else f"not ranked: {len(known)} daily closes from {known[0].source.provider}; the ranking reads "
        "the daily-bar series only"
    )
    if last is not None and last.change_pct is None:
        note += f"; no day change for {last.date}: the data states none and has no prior close beside it"
    return _unranked(
        index.symbol,
        index.name,
        "index (curated closes)" if curated else "index (daily closes)",
        last.source if last else Source(provider="curated"),
        note,
        date=last.date if last else None,
        close=last.close if last else None,
        change_pct=last.change_pct if last else None,
        data_starts=known[0].date if known else None,
        observations=len(known),
    )


def reported_move(index: IndexMoves, as_of: dt.date) -> MoveStats:
    known = [m for m in index.moves if m.date <= as_of]
    last = known[-1] if known else None
    moves = "reported day move" if len(known) == 1 else "reported day moves"
    note = f"not ranked: {len(known)} {moves} and no index levels in the data"
    return _unranked(
        index.symbol,
        index.name,
        "index (moves only)",
        last.source if last else Source(provider="curated"),
        note,
        date=last.date if last else None,
        change_pct=last.change_pct if last else None,
        data_starts=known[0].date if known else None,
        observations=len(known),
    )


def rank_moves(moves: list[MoveStats]) -> list[MoveStats]:
    """Largest |z-score| first; series with none after them, in their given order."""
    return sorted(moves, key=lambda m: (m.zscore is None, -abs(m.zscore or 0.0)))


def session_calendar(series: list[DailyCloses], as_of: dt.date) -> tuple[list[dt.date], str]:
    """The dates that count as sessions: every date an exchange-traded series has (they share
    the US calendar); crypto's days only when no exchange-traded series is at hand."""
    sessions = sorted({d for s in series if s.calendar == "sessions" for d in s.dates if d <= as_of})
    if sessions:
        names = ", ".join(s.symbol for s in series if s.calendar == "sessions")
        return sessions, f"exchange sessions (dates of {names})"
    days = sorted({d for s in series for d in s.dates if d <= as_of})
    return days, "calendar days (no exchange-traded series available)"


def window_changes(series: list[DailyCloses], window: ms.Window, as_of: dt.date) -> list[WindowChange]:
    rows = []
    for s in series:
        start = ms.last_on_or_before(s.dates, window.start)
        end = ms.last_on_or_before(s.dates, as_of)
        if start is None or end is None or end <= start or s.closes[start] <= 0:
            continue
        change = (s.closes[end] / s.closes[start] - 1.0) * 100.0
        rows.append((s, start, end, change))
    rows.sort(key=lambda r: r[3])
    return [
        WindowChange(
            rank=rank,
            symbol=s.symbol,
            name=s.name,
            proxy_for=s.proxy_for,
            start_date=s.dates[start],
            start_close=round(s.closes[start], 2),
            end_date=s.dates[end],
            end_close=round(s.closes[end], 2),
            change_pct=round(change, 2),
        )
        for rank, (s, start, end, change) in enumerate(rows, 1)
    ]


def _recent(series: DailyCloses, since: dt.date) -> tuple[tuple[dt.date, ...], tuple[float, ...]]:
    lo = ms.last_on_or_before(series.dates, since) or 0
    return series.dates[lo:], series.closes[lo:]


def pair_correlation(a: DailyCloses, b: DailyCloses, as_of: dt.date, prior_end: dt.date | None) -> PairCorrelation:
    # Only the last weeks are needed: cut both series a month before the earliest window
    # opens, which leaves any common date a window's first return starts from.
    earliest = min(as_of, prior_end or as_of) - dt.timedelta(days=2 * ms.CORRELATION_WINDOW_DAYS)
    aligned = ms.aligned_returns(*_recent(a, earliest), *_recent(b, earliest))
    now = ms.correlation_ending(aligned, as_of)
    prior = ms.correlation_ending(aligned, prior_end) if prior_end else ms.WindowCorrelation(None, 0)
    last = ms.last_on_or_before(aligned.dates, as_of)
    return PairCorrelation(
        a=a.symbol,
        b=b.symbol,
        window_days=ms.CORRELATION_WINDOW_DAYS,
        end=as_of,
        correlation=_round(now.correlation),
        observations=now.observations,
        prior_end=prior_end,
        prior_correlation=_round(prior.correlation),
        prior_observations=prior.observations,
        date=aligned.dates[last] if last is not None else None,
    )


def correlations(series: list[DailyCloses], as_of: dt.date, prior_end: dt.date | None) -> list[PairCorrelation]:
    """BTC with ETH, then each crypto asset with every index that has a daily series."""
    coins = [s for s in series if s.calendar == "utc-days"]
    others = [s for s in series if s.calendar != "utc-days"]
    pairs = [(a, b) for n, a in enumerate(coins) for b in coins[n + 1 :]]
    pairs += [(a, b) for a in coins for b in others]
    return [pair_correlation(a, b, as_of, prior_end) for a, b in pairs]


async def _fetch(ctx: RunContext, symbol: str) -> DailyCloses | IndexSessions | IndexMoves:
    kind = indices.form(ctx, symbol)
    if kind == "sessions":
        return await index_sessions(ctx.data, symbol, ctx.as_of)
    if kind == "moves":
        return await ctx.data.index_moves(symbol)
    return await daily_closes(ctx.data, symbol)


async def build(ctx: RunContext, window: int = DEFAULT_WINDOW) -> ShockResult:
    """A series whose provider fails is filed as a note and left out; the section
    fails only when none is left."""
    if not 1 <= window <= MAX_WINDOW:
        raise ValueError(f"window must be 1..{MAX_WINDOW} sessions, got {window}")
    # The series `crypto` and `indices` show, so `shock` ranks every series of the universe.
    symbols = ctx.universe.symbols("crypto") + ctx.universe.symbols("indices", "etfs")
    fetched = [item for _, item in await each_symbol(ctx, symbols, lambda s: _fetch(ctx, s))]
    daily: list[DailyCloses] = []
    moves: list[MoveStats] = []
    for item in fetched:
        if isinstance(item, DailyCloses):
            daily.append(item.up_to(ctx.as_of))
            log = analytics.GapLog()
            moves.append(move_figures(daily[-1], ctx.as_of, log))
            for warning in gap_warnings("shock", daily[-1], log, ctx.as_of):
                warn(warning)
            window_start = ctx.as_of - dt.timedelta(days=ms.ZSCORE_WINDOW_DAYS)
            for day in (d for d in daily[-1].suspect if d >= window_start):
                kept_out = "kept out of the z-score, its window and the 'largest since' ranks"
                warn(suspect_warning("shock", daily[-1].symbol, day, kept_out))
        elif isinstance(item, IndexSessions):
            moves.append(session_move(item, ctx.as_of))
        else:
            moves.append(reported_move(item, ctx.as_of))
    calendar, calendar_name = session_calendar(daily, ctx.as_of)
    span = ms.session_window(calendar, ctx.as_of, window)
    return ShockResult(
        moves=rank_moves(moves),
        window=ShockWindow(sessions=window, start=span.start, end=span.end, calendar=calendar_name) if span else None,
        window_changes=window_changes(daily, span, ctx.as_of) if span else [],
        correlations=correlations(daily, ctx.as_of, span.start if span else None),
        method=METHOD,
    )
