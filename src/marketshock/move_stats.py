"""How unusual is a move? Pure functions on one daily series (dates and closes, sorted).

Conventions, the same for every series and stated in the output:
- a day's move is its log return, ln(close / previous close), from one row to the next
  (crypto: UTC calendar days; exchange-traded: sessions, so a Monday's return spans the weekend);
- z-score: (return - mean) / sample standard deviation of the returns dated in the 365 calendar
  days before the day (the day itself excluded); none on fewer than 60 of them;
- "largest fall (rise) since": the most recent earlier day whose move was larger in the same
  direction; when no earlier day in the data moved more, the move is the largest in the data;
- "worst (best) week since": the same on 7-calendar-day changes, compared only with earlier
  weeks that share no day with this one;
- 30-day realized volatility: sample standard deviation of the returns dated in the 30 calendar
  days ending on the day, annualized by sqrt(365) for crypto and sqrt(252) for exchange-traded
  series; its percentile is within the series' own history up to the day;
- correlation between two series: their closes are sampled on the dates both have, and the
  returns run from one common date to the next (so bitcoin's weekend is folded into Monday, as
  an ETF's is), then Pearson's correlation over the 30 calendar days ending on the day.

Nothing here does I/O or formatting; nothing looks past the last element it is given, so a
series cut at the as-of day gives the as-of figures (no look-ahead). Pure Python, no numpy: the
CLI must start fast, and numpy's import costs more than these passes over a series (about 9,000
rows at most, the VIX since 1990) take; the hot loops are written for speed and say so.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import operator
from collections.abc import Sequence
from itertools import compress, pairwise, repeat
from statistics import NormalDist
from typing import NamedTuple

ZSCORE_WINDOW_DAYS = 365
MIN_OBSERVATIONS = 60
VOL_WINDOW_DAYS = 30
VOL_MIN_OBSERVATIONS = 15  # a 30-day window holds ~21 sessions; fewer than 15 is a gap in the data
WEEK_DAYS = 7
CORRELATION_WINDOW_DAYS = 30
CORRELATION_MIN_OBSERVATIONS = 15
PERIODS_PER_YEAR = {"utc-days": 365, "sessions": 252}


def log_returns(closes: Sequence[float]) -> list[float | None]:
    """Log return of each row against the previous one; the first row (and any row next to
    a non-positive close, which has no log) has none."""
    log = math.log
    if closes and min(closes) > 0 and not math.isnan(sum(closes)):
        # Every close positive (the usual case; a NaN can hide from min, not from the sum): no
        # test per row, and map runs the loop in C.
        return [None, *map(log, map(operator.truediv, closes[1:], closes))]
    return [None, *(log(cur / prev) if prev > 0 and cur > 0 else None for prev, cur in pairwise(closes))]


def to_pct(log_change: float | None) -> float | None:
    """A log change as a simple change in percent."""
    return None if log_change is None else math.expm1(log_change) * 100.0


def _mean_sd(values: Sequence[float]) -> tuple[float, float]:
    n = len(values)
    mean = math.fsum(values) / n
    var = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    return mean, math.sqrt(var)


class ZScore(NamedTuple):
    zscore: float | None  # None: too few observations, or no variation
    observations: int  # returns in the trailing window
    mean: float | None
    sd: float | None


def zscore(
    dates: Sequence[dt.date],
    returns: Sequence[float | None],
    i: int,
    window_days: int = ZSCORE_WINDOW_DAYS,
    min_observations: int = MIN_OBSERVATIONS,
) -> ZScore:
    """Return `i` against the returns dated in the `window_days` calendar days before it."""
    first = bisect.bisect_left(dates, dates[i] - dt.timedelta(days=window_days), 0, i)
    window = [r for r in returns[first:i] if r is not None]
    n = len(window)
    if n < max(min_observations, 2):
        return ZScore(None, n, None, None)
    mean, sd = _mean_sd(window)
    r = returns[i]
    if r is None or sd == 0:
        return ZScore(None, n, mean, sd)
    return ZScore((r - mean) / sd, n, mean, sd)


class Since(NamedTuple):
    direction: str | None  # "fall", "rise", or None for no move
    since: dt.date | None  # the most recent earlier date with a larger move that way
    largest_in_data: bool  # no earlier date moved more that way

    def text(self, fall: str, rise: str, data_starts: dt.date) -> str:
        """In words, with `fall`/`rise` naming the move: "largest one-day fall since 2022-11-09",
        or "the largest one-day fall in the data (since 2014-09-17)"; never "ever"."""
        if self.direction is None:
            return ""
        label = fall if self.direction == "fall" else rise
        if self.largest_in_data:
            return f"the {label} in the data (since {data_starts})"
        return f"{label} since {self.since}"


def largest_since(
    dates: Sequence[dt.date],
    values: Sequence[float | None],
    i: int,
    before: int | None = None,
) -> Since:
    """For `values[i]`: the most recent earlier date whose value was further the same way
    (below it for a fall, above it for a rise). Only indices `< before` are compared when
    given (default: every earlier index)."""
    v = values[i]
    if v is None or v == 0:
        return Since(None, None, False)
    fall = v < 0
    stop = i if before is None else min(before, i)
    for j in range(stop - 1, -1, -1):
        w = values[j]
        if w is not None and (w < v if fall else w > v):
            return Since("fall" if fall else "rise", dates[j], False)
    return Since("fall" if fall else "rise", None, True)


def change_over_calendar_days(
    dates: Sequence[dt.date], closes: Sequence[float], i: int, days: int = WEEK_DAYS
) -> float | None:
    """Log change of close `i` against the last close on or before `days` calendar days earlier."""
    base = bisect.bisect_right(dates, dates[i] - dt.timedelta(days=days), 0, i) - 1
    if base < 0 or closes[base] <= 0 or closes[i] <= 0:
        return None
    return math.log(closes[i] / closes[base])


def week_since(dates: Sequence[dt.date], closes: Sequence[float], i: int, days: int = WEEK_DAYS) -> Since:
    """ "Worst (best) week since": the 7-day change ending at `i` ranked against the 7-day
    changes of earlier weeks that share no day with it (ending `days` or more days before)."""
    current = change_over_calendar_days(dates, closes, i, days)
    if current is None or current == 0:
        return Since(None, None, False)
    fall = current < 0
    last_disjoint = bisect.bisect_right(dates, dates[i] - dt.timedelta(days=days), 0, i)
    for j in range(last_disjoint - 1, -1, -1):
        w = change_over_calendar_days(dates, closes, j, days)
        if w is not None and (w < current if fall else w > current):
            return Since("fall" if fall else "rise", dates[j], False)
    return Since("fall" if fall else "rise", None, True)


def rolling_volatility(
    dates: Sequence[dt.date],
    returns: Sequence[float | None],
    periods_per_year: int,
    window_days: int = VOL_WINDOW_DAYS,
    min_observations: int = VOL_MIN_OBSERVATIONS,
) -> list[float | None]:
    """Annualized realized volatility, in percent, for every row: the sample standard deviation
    of the returns dated in the `window_days` calendar days ending on the row."""
    out: list[float | None] = []
    append, sqrt = out.append, math.sqrt  # locals: this loop runs once per row of every series
    days = list(map(dt.date.toordinal, dates))
    need = max(min_observations, 2)
    s1 = s2 = 0.0
    n = 0
    lo = 0
    # The ordinal on which the return at `lo` leaves the window (days[lo] <= day - window_days),
    # kept rather than recomputed each row.
    expires = days[0] + window_days if days else 0
    scale = math.sqrt(periods_per_year) * 100.0
    for day, r in zip(days, returns, strict=True):
        if r is not None:
            s1 += r
            s2 += r * r
            n += 1
        while expires <= day:
            old = returns[lo]
            if old is not None:
                s1 -= old
                s2 -= old * old
                n -= 1
            lo += 1
            expires = days[lo] + window_days
        if n < need:
            append(None)
            continue
        # Running sums: returns are small (|r| < 1) and windows short, so cancellation stays
        # far below the figures' precision; a negative rounding residue is clamped to zero
        # (a comparison, not a call to max per row; -0.0 and NaN pass through as max leaves them).
        var = (s2 - s1 * s1 / n) / (n - 1)
        if var < 0.0:
            var = 0.0
        append(sqrt(var) * scale)
    return out


def percentile_rank(history: Sequence[float | None], value: float) -> float | None:
    """Percent of the known values in `history` at or below `value` (100: the highest so far)."""
    known = [h for h in history if h is not None]
    if not known:
        return None
    # A list's length rather than a sum over a generator: the same count, faster.
    return 100.0 * len([h for h in known if h <= value]) / len(known)


class Aligned(NamedTuple):
    dates: list[dt.date]  # the later date of each return
    a: list[float]
    b: list[float]


def aligned_returns(
    a_dates: Sequence[dt.date], a_closes: Sequence[float], b_dates: Sequence[dt.date], b_closes: Sequence[float]
) -> Aligned:
    """Log returns of two series between consecutive dates on which both have a close."""
    b_close = dict(zip(b_dates, b_closes, strict=True))
    common = [(d, c, b_close[d]) for d, c in zip(a_dates, a_closes, strict=True) if d in b_close]
    out = Aligned([], [], [])
    for (_, pa, pb), (d, ca, cb) in pairwise(common):
        if pa > 0 and pb > 0 and ca > 0 and cb > 0:
            out.dates.append(d)
            out.a.append(math.log(ca / pa))
            out.b.append(math.log(cb / pb))
    return out


def correlation(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Pearson's correlation; None with fewer than 3 pairs or no variation in either."""
    n = len(x)
    if n < 3 or n != len(y):
        return None
    # Equal values have no variation, though the rounded mean can leave deviations of 1e-17.
    if min(x) == max(x) or min(y) == max(y):
        return None
    mx, my = math.fsum(x) / n, math.fsum(y) / n
    sxy = math.fsum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx = math.fsum((a - mx) ** 2 for a in x)
    syy = math.fsum((b - my) ** 2 for b in y)
    # Square roots first: sxx * syy can underflow to zero for tiny but non-zero variations.
    scale = math.sqrt(sxx) * math.sqrt(syy)
    if scale == 0:
        return None
    return max(-1.0, min(1.0, sxy / scale))


class WindowCorrelation(NamedTuple):
    correlation: float | None
    observations: int


def correlation_ending(
    aligned: Aligned,
    end: dt.date,
    window_days: int = CORRELATION_WINDOW_DAYS,
    min_observations: int = CORRELATION_MIN_OBSERVATIONS,
) -> WindowCorrelation:
    """Correlation of the aligned returns dated in the `window_days` calendar days ending on `end`."""
    lo = bisect.bisect_right(aligned.dates, end - dt.timedelta(days=window_days))
    hi = bisect.bisect_right(aligned.dates, end)
    n = hi - lo
    if n < max(min_observations, 3):
        return WindowCorrelation(None, n)
    return WindowCorrelation(correlation(aligned.a[lo:hi], aligned.b[lo:hi]), n)


class Window(NamedTuple):
    start: dt.date  # the close the window's changes are measured from
    end: dt.date  # the last session on or before the as-of day


def session_window(sessions: Sequence[dt.date], as_of: dt.date, count: int) -> Window | None:
    """The last `count` sessions up to `as_of`: from the close of the session before the first
    of them to the last one. None when the calendar has too few sessions."""
    end = bisect.bisect_right(sessions, as_of) - 1
    if end - count < 0:
        return None
    return Window(sessions[end - count], sessions[end])


def last_on_or_before(dates: Sequence[dt.date], day: dt.date) -> int | None:
    i = bisect.bisect_right(dates, day) - 1
    return i if i >= 0 else None


def rank_sigma(beaten: int, walk: bool = False) -> float | None:
    """A superlative on the z-score scale, so "a 17-year high" and "a 3-sigma day" can be ordered.

    A value that beats the `beaten` comparable earlier observations since the last larger one
    is the top of `beaten + 1`. For independent observations (a January's job cuts against
    earlier Januaries) that has an empirical tail of 1 / (beaten + 1). For the level of a price
    (`walk=True`: "lowest since"), the observations are the steps of a random walk and a new
    extreme is far more common: by the Sparre Andersen theorem the chance that a walk of n
    symmetric, continuous steps ends at its extreme is C(2n, n) / 4^n, about 1 / sqrt(pi * n),
    whatever the steps' distribution. The result is the normal quantile with that upper tail
    (a rank-based z-score, the idea behind rankits)."""
    if beaten < 1:
        return None
    if walk:
        n = beaten
        tail = math.exp(math.lgamma(2 * n + 1) - 2 * math.lgamma(n + 1) - 2 * n * math.log(2))
    else:
        tail = 1.0 / (beaten + 1)
    return NormalDist().inv_cdf(1.0 - tail)


# --- what followed earlier moves this large ---------------------------------------------------------

FOLLOW_HORIZONS = (5, 21, 63)  # sessions (crypto: days) after the earlier move: a week, a month, a quarter
EPISODE_SPACING = 5  # earlier moves within this many rows of each other are one episode (the largest counts)
MIN_EPISODES = 3  # fewer earlier episodes say nothing about what usually follows


class Outcome(NamedTuple):
    """The changes from an episode's close to the close `horizon` rows later, over the episodes."""

    n: int
    median_pct: float
    min_pct: float
    max_pct: float
    up_share: float  # the fraction of episodes whose change was above zero, 0..1


class Followed(NamedTuple):
    """Earlier days of a series with a one-day move at least as large, in the same direction, as
    the latest one, and what the series did after them. `episodes` are dates (one per cluster
    of nearby days); `outcomes` maps each horizon to its Outcome, or None with `reason`."""

    episodes: tuple[dt.date, ...]
    outcomes: dict[int, Outcome | None]
    reason: str


def _spans_gap(gaps: Sequence[dt.date], after: dt.date, through: dt.date) -> bool:
    k = bisect.bisect_right(gaps, after)
    return k < len(gaps) and gaps[k] <= through


def what_followed(
    dates: Sequence[dt.date],
    closes: Sequence[float],
    gaps: Sequence[dt.date] = (),
    suspect: Sequence[dt.date] = (),
) -> Followed:
    """What followed the earlier moves as large as the last one of a series cut at the as-of day.

    The move is the simple change from the second-to-last close to the last (in percent of the
    earlier close). An earlier day counts when its own one-day change is at least as large in
    the same direction, spans no gap and is not a suspect split day; days within
    EPISODE_SPACING rows of each other are one episode, its largest move the one kept. Each
    horizon h counts the episodes whose close h rows later is in the series (so no look-ahead:
    the window ended by the as-of day) and whose window holds no gap. Under MIN_EPISODES a
    horizon is None. `dates` increase; `gaps` and `suspect` are sorted."""
    horizons: dict[int, Outcome | None] = dict.fromkeys(FOLLOW_HORIZONS)
    last = len(dates) - 1
    odd = set(suspect)
    if last < 1 or _spans_gap(gaps, dates[last - 1], dates[last]) or dates[last] in odd:
        return Followed((), horizons, "no one-day move on the last day to compare with")
    move = closes[last] / closes[last - 1] - 1.0
    if move == 0.0:
        return Followed((), horizons, "the last day did not move")
    fall = move < 0
    # The rows whose one-day change spans a gap, found once per gap rather than a search per row:
    # row j spans gap g when dates[j - 1] < g <= dates[j], that is j == bisect_left(dates, g).
    across_gap = {bisect.bisect_left(dates, g) for g in gaps}
    # Only a day whose shortest window ended by the last day (j + FOLLOW_HORIZONS[0] <= last): a
    # recent one cannot count, nor crowd out an earlier one that can.
    end = max(last - FOLLOW_HORIZONS[0] + 1, 1)  # rows 1 .. end - 1
    # Every row's change and its test against the move run in C (map, compress): thousands of
    # rows, of which a handful moved as much; only those are looked at in Python.
    day_changes = list(map(operator.sub, map(operator.truediv, closes[1:end], closes[: end - 1]), repeat(1.0)))
    as_large = map(operator.le if fall else operator.ge, day_changes, repeat(move))  # change <= move (fall)
    candidates = [
        (j, day_changes[j - 1])
        for j in compress(range(1, end), as_large)
        if j not in across_gap and dates[j] not in odd
    ]
    clusters: list[list[tuple[int, float]]] = []
    for j, change in candidates:
        if clusters and j - clusters[-1][-1][0] <= EPISODE_SPACING:
            clusters[-1].append((j, change))
        else:
            clusters.append([(j, change)])
    episodes = sorted((min if fall else max)(cluster, key=lambda c: c[1])[0] for cluster in clusters)
    for h in FOLLOW_HORIZONS:
        changes = [
            (closes[j + h] / closes[j] - 1.0) * 100.0
            for j in episodes
            if j + h <= last and not (gaps and _spans_gap(gaps, dates[j], dates[j + h]))
        ]
        if len(changes) >= MIN_EPISODES:
            ordered = sorted(changes)
            mid = len(ordered) // 2
            median = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
            up = sum(1 for c in changes if c > 0) / len(changes)
            horizons[h] = Outcome(len(changes), median, ordered[0], ordered[-1], up)
    word = "falls" if fall else "rises"
    reason = ""
    if any(v is None for v in horizons.values()):
        reason = (
            f"{len(episodes)} earlier {word} of at least {abs(move) * 100:.2f}% in the data; "
            f"a horizon needs {MIN_EPISODES} whose window ended by the last day"
        )
    return Followed(tuple(dates[j] for j in episodes), horizons, reason)


# --- compare: a shock's peak-to-trough episode (`marketshock compare`) ---

EPISODE_BEFORE = 20  # rows (sessions; crypto: UTC days) before the shock date searched for the peak
EPISODE_AFTER = 20  # rows after the shock date searched for the trough
EPISODE_MAX_LAG_DAYS = 7  # the series' row for the shock date may be at most this many days earlier


class Episode(NamedTuple):
    start: dt.date  # the series' row on or before the shock date
    peak_date: dt.date
    peak_close: float
    trough_date: dt.date
    trough_close: float
    fall_pct: float  # (trough / peak - 1) * 100, <= 0
    sessions_to_trough: int  # rows from the peak to the trough
    regained_date: dt.date | None  # first close at or above the peak after the trough, None: not yet
    sessions_to_regain: int | None  # rows from the trough to that close
    largest_move_pct: float | None  # the largest one-day change (by size, signed) in the window
    largest_move_date: dt.date | None
    window_start: dt.date  # the first and last rows of the episode window
    window_end: dt.date


def shock_episode(
    dates: Sequence[dt.date],
    closes: Sequence[float],
    shock: dt.date,
    as_of: dt.date,
    before: int = EPISODE_BEFORE,
    after: int = EPISODE_AFTER,
) -> Episode | None:
    """The peak-to-trough episode around `shock` of one daily series, reading no row after `as_of`.

    Rows are the series' own (exchange sessions; crypto: UTC days). `s` is the last row on or
    before the shock date (None when there is none within EPISODE_MAX_LAG_DAYS, or no row before it).
    peak: the highest close of rows s-before .. s (the earliest on a tie);
    trough: the lowest close of rows peak .. s+after, capped at the last row on or before as-of
    (the earliest on a tie); fall = trough / peak - 1;
    sessions to the trough: rows from the peak to the trough;
    regained: the first row after the trough, up to as-of, whose close is at or above the peak
    (None: not yet by as-of); sessions to regain: rows from the trough to it;
    largest one-day move: the simple close-to-close change of largest size whose day is in
    rows s-before+1 .. the window's end (the window's end being min(s+after, last row by as-of)).
    """
    last = bisect.bisect_right(dates, as_of) - 1
    s = bisect.bisect_right(dates, min(shock, as_of)) - 1
    if s < 1 or last < 0 or (shock - dates[s]).days > EPISODE_MAX_LAG_DAYS:
        return None
    lo = max(0, s - before)
    hi = min(s + after, last)
    peak = max(range(lo, s + 1), key=lambda k: (closes[k], -k))
    trough = min(range(peak, hi + 1), key=lambda k: (closes[k], k))
    if closes[peak] <= 0:
        return None
    regained = next((k for k in range(trough + 1, last + 1) if closes[k] >= closes[peak]), None)
    move: tuple[float, int] | None = None
    for k in range(lo + 1, hi + 1):
        if closes[k - 1] > 0:
            change = closes[k] / closes[k - 1] - 1.0
            if move is None or abs(change) > abs(move[0]):
                move = (change, k)
    return Episode(
        start=dates[s],
        peak_date=dates[peak],
        peak_close=closes[peak],
        trough_date=dates[trough],
        trough_close=closes[trough],
        fall_pct=(closes[trough] / closes[peak] - 1.0) * 100.0,
        sessions_to_trough=trough - peak,
        regained_date=dates[regained] if regained is not None else None,
        sessions_to_regain=regained - trough if regained is not None else None,
        largest_move_pct=move[0] * 100.0 if move else None,
        largest_move_date=dates[move[1]] if move else None,
        window_start=dates[lo],
        window_end=dates[hi],
    )


def peak_between(dates: Sequence[dt.date], closes: Sequence[float], start: dt.date, end: dt.date) -> float | None:
    """The highest close dated start..end (the VIX peak of an episode window); None when none."""
    lo, hi = bisect.bisect_left(dates, start), bisect.bisect_right(dates, end)
    return max(closes[lo:hi]) if hi > lo else None
