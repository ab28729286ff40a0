"""Warnings for figures a gap left blank (one per gap, naming the figures it blanked), and for
moves only an unapplied split explains."""

from __future__ import annotations

import datetime as dt

from marketshock import analytics
from marketshock.models.envelope import WarningEntry
from marketshock.models.series import DailyCloses, PriceSeries

# The figures a gap can blank, in words, for the warnings.
FIGURE_NAMES = {
    "change_1d_pct": "1d change",
    "change_5d_pct": "5-session change",
    "change_7d_pct": "7d change",
    "change_ytd_pct": "YTD change (its base, the prior year's last close)",
    "lowest_since": '"lowest since"',
    "streak": "streak",
    "change_pct": "day's move",
    "zscore": "z-score (its 365-day window)",
    "largest_since": '"largest move since"',
    "worst_week_since": '"worst/best week since"',
    "vol_30d_annualized_pct": "30-day volatility",
}


def gap_warnings(
    section: str, series: PriceSeries | DailyCloses, log: analytics.GapLog, as_of: dt.date
) -> list[WarningEntry]:
    """One warning per gap that blanked a figure (naming the figures), and one when the as-of
    day itself has no close, so the figures describe an earlier day."""
    every_day = "trades every UTC day" if series.calendar == "utc-days" else "had a session that day"
    out = []
    for day, figures in log.by_gap().items():
        names = ", ".join(FIGURE_NAMES.get(f, f) for f in figures)
        out.append(
            WarningEntry(
                section=section,
                symbol=series.symbol,
                kind="gap",
                date=day,
                message=f"{series.symbol} has no price on {day} ({series.symbol} {every_day}): "
                f"{names} left blank rather than measured over a longer period",
            )
        )
    if as_of in series.gaps:
        out.append(
            WarningEntry(
                section=section,
                symbol=series.symbol,
                kind="gap",
                date=as_of,
                message=f"{series.symbol} has no close on {as_of}: the figures describe the last day with one",
            )
        )
    return out


SUSPECT = "suspect: possible unadjusted split"


def suspect_note(day: dt.date) -> str:
    return f"{day}: {SUSPECT} (a move beyond -70% or +230% in one session)"


def suspect_warning(section: str, symbol: str, day: dt.date, kept_out: str) -> WarningEntry:
    return WarningEntry(
        section=section,
        symbol=symbol,
        kind="suspect-split",
        date=day,
        message=f"{symbol} on {day}: {SUSPECT} (a move beyond -70% or +230% in one session); {kept_out}",
    )
