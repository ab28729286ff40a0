"""`compare`: the current shock window beside named past shocks (or one date, `--vs`), for every
daily series of the universe with data at both, from its daily closes up to as-of only.

The named shocks are the curated catalogue `data/shocks_catalogue.csv` (name, date, note, source).
The figures are `move_stats.shock_episode`'s; VIX is the peak column, not a row.
"""

from __future__ import annotations

import csv
import datetime as dt
from importlib import resources

from marketshock import move_stats as ms
from marketshock.context import RunContext
from marketshock.errors import ProviderError, UsageError
from marketshock.models.results.compare import CompareResult, CompareRow, CompareShock
from marketshock.models.series import DailyCloses
from marketshock.notes import note
from marketshock.providers.base import daily_closes
from marketshock.sections import indices
from marketshock.sections.universe import each_symbol

CATALOGUE = "shocks_catalogue.csv"
VIX = "VIX"

METHOD = [
    "rows: the series' own (exchange sessions; crypto: UTC days); the shock's row is the last on or before "
    f"its date (at most {ms.EPISODE_MAX_LAG_DAYS} days earlier, else the series has no data at that shock)",
    f"peak: the highest close of the {ms.EPISODE_BEFORE} rows before the shock's row and that row itself",
    f"trough: the lowest close from the peak to {ms.EPISODE_AFTER} rows after the shock's row, never after as-of; "
    "fall = trough / peak - 1, in percent",
    "sessions to trough: rows from the peak to the trough",
    "regained: the first close after the trough at or above the peak, up to as-of; null = not yet",
    "largest one-day move: the close-to-close change of largest size in the window (the peak search's "
    "first row to the trough search's last), signed",
    "VIX peak: the highest VIX close in VIX's own window around the shock, same rows rule",
    "current shock: the as-of date; no look-ahead: no close after as-of is read",
]


def catalogue() -> list[CompareShock]:
    """The named past shocks shipped with the data, in date order."""
    text = resources.files("marketshock.data").joinpath(CATALOGUE).read_text(encoding="utf-8")
    rows = [
        CompareShock(
            name=r["name"],
            date=dt.date.fromisoformat(r["date"]),
            current=False,
            note=r["note"],
            source=r["source"],
            vix_peak=None,
        )
        for r in csv.DictReader(text.splitlines())
    ]
    return sorted(rows, key=lambda r: r.date)


def _parse_vs(vs: str | None, as_of: dt.date) -> dt.date | None:
    if not vs:
        return None
    try:
        day = dt.date.fromisoformat(vs)
    except ValueError:
        raise UsageError(f"--vs: not a date (YYYY-MM-DD): {vs!r}") from None
    if day >= as_of:
        raise UsageError(f"--vs {day}: must be before the as-of date {as_of} (no look-ahead)")
    return day


def _row(shock: CompareShock, series: DailyCloses, episode: ms.Episode) -> CompareRow:
    return CompareRow(
        shock=shock.name,
        shock_date=shock.date,
        current=shock.current,
        symbol=series.symbol,
        name=series.name,
        peak_date=episode.peak_date,
        peak_close=round(episode.peak_close, 2),
        trough_date=episode.trough_date,
        trough_close=round(episode.trough_close, 2),
        fall_pct=round(episode.fall_pct, 2),
        sessions_to_trough=episode.sessions_to_trough,
        regained_date=episode.regained_date,
        sessions_to_regain=episode.sessions_to_regain,
        largest_move_pct=None if episode.largest_move_pct is None else round(episode.largest_move_pct, 2),
        largest_move_date=episode.largest_move_date,
        vix_peak=shock.vix_peak,
    )


async def _vix(ctx: RunContext) -> DailyCloses | None:
    try:
        return (await daily_closes(ctx.data, VIX)).up_to(ctx.as_of)
    except ProviderError as error:
        note(error, "no VIX peak")
        return None


async def build(ctx: RunContext, vs: str | None = None) -> CompareResult:
    """Every series with a row at the current shock and at each past one, side by side."""
    as_of = ctx.as_of
    day = _parse_vs(vs, as_of)
    past = (
        [CompareShock(name=str(day), date=day, current=False, vix_peak=None)]
        if day
        else [s for s in catalogue() if s.date < as_of]
    )
    current = CompareShock(name=f"now ({as_of})", date=as_of, current=True, vix_peak=None)
    symbols = [
        s for s in ctx.universe.symbols("crypto", "indices", "etfs") if s != VIX and indices.form(ctx, s) == "bars"
    ]
    fetched = [item.up_to(as_of) for _, item in await each_symbol(ctx, symbols, lambda s: daily_closes(ctx.data, s))]
    vix = await _vix(ctx)
    shocks = [current, *past]
    for shock in shocks:
        if vix is not None:
            episode = ms.shock_episode(vix.dates, vix.closes, shock.date, as_of)
            if episode is not None:
                peak = ms.peak_between(vix.dates, vix.closes, episode.window_start, episode.window_end)
                shock.vix_peak = None if peak is None else round(peak, 2)
    now = {s.symbol: ms.shock_episode(s.dates, s.closes, as_of, as_of) for s in fetched}
    rows: list[CompareRow] = []
    for shock in shocks:
        for series in fetched:
            episode = ms.shock_episode(series.dates, series.closes, shock.date, as_of)
            if episode is None or now[series.symbol] is None:
                continue  # data at both, or the series is not in the comparison
            rows.append(_row(shock, series, episode))
    return CompareResult(as_of=as_of, shocks=shocks, rows=rows, method=METHOD)
