"""`report`: every section at once, concurrently, with the headline facts on top, the most
unusual first.

Ranking: a headline about a day's move is ranked by the size of that move's z-score (see
`move_stats`); one whose fact is a superlative with no z-score ("a 17-year high") by the
superlative's rank, put on the same scale by `move_stats.rank_sigma`. Headlines with neither
follow in section order. Each says why, in words, in `why`.

Only significant facts make a headline (`Rules`, from the config's [report] table): a day's
move of at least `zscore` sigma, a superlative spanning at least `superlative_months` ("lowest
since", "largest fall since", "the most for a January since"), a record in the data, or a
market's own alarm (a sidecar or circuit breaker that day). A superlative spanning under 30
days is never one, and a span under a month is said in days. Caveats ("not ranked: ...") stay
in their section's table. At most `limit` headlines, the most unusual first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from marketshock import formatting as f
from marketshock import move_stats
from marketshock.analytics import months_between
from marketshock.config import ReportSettings
from marketshock.models.results.crypto import CryptoResult
from marketshock.models.results.indices import IndexRow, IndicesResult
from marketshock.models.results.labor import LaborResult
from marketshock.models.results.report import Headline, ReportResult
from marketshock.models.results.shock import MoveStats, ShockResult
from marketshock.sections.gaps import SUSPECT

MIN_SPAN_DAYS = 30  # "lowest since" three days ago is no news


@dataclass(frozen=True)
class Rules:
    zscore: float = 2.0
    superlative_months: int = 12
    limit: int = 6

    @classmethod
    def of(cls, settings: ReportSettings) -> Rules:
        return cls(settings.headline_zscore, settings.headline_superlative_months, settings.headlines)


def span_words(start: dt.date, end: dt.date) -> str:
    """'16-month' (calendar months, as the press counts them), or '30-day' for a span under a month."""
    months, days = months_between(start, end), (end - start).days
    return f"{months}-month" if months >= 1 and days > 31 else f"{days}-day"


def _spans(start: dt.date | None, end: dt.date | None, rules: Rules) -> bool:
    """A superlative reaching back to `start` is headline news on `end`."""
    if start is None or end is None or (end - start).days < MIN_SPAN_DAYS:
        return False
    return months_between(start, end) >= rules.superlative_months


def _record(data_starts: dt.date | None, day: dt.date | None) -> bool:
    """A record in the data is news when the data reach back far enough to make it one."""
    return data_starts is not None and day is not None and (day - data_starts).days >= MIN_SPAN_DAYS


def move_why(m: MoveStats | None, rules: Rules, closed: bool = True) -> tuple[list[str], float | None]:
    """The significant facts about a day's move, in words, and its z-score when that is one of them.
    `closed`: say the day's change too (a headline whose text already says it passes False)."""
    if m is None:
        return [], None
    z = m.zscore if m.zscore is not None and abs(m.zscore) >= rules.zscore else None
    day_since = m.largest_fall_since or m.largest_rise_since
    day = _record(m.data_starts, m.date) if m.largest_in_data else _spans(day_since, m.date, rules)
    week_since = m.worst_week_since or m.best_week_since
    week = _record(m.data_starts, m.date) if m.week_largest_in_data else _spans(week_since, m.date, rules)
    why = []
    if z is not None:
        words = f"a {abs(z):.1f}-sigma day" + (f": closed {f.pct(m.change_pct)}" if closed else "")
        if day and m.rank_text:
            words += f", {m.rank_text}" if m.largest_in_data else f", the {m.rank_text}"
        why.append(words)
    elif day and m.rank_text:
        the = "" if m.largest_in_data else "the "
        why.append(f"closed {f.pct(m.change_pct)}, {the}{m.rank_text}" if closed else f"{the}{m.rank_text}")
    if week and m.week_rank_text:
        why.append(m.week_rank_text)
    return why, z


def _z_ranked(line: Headline, why: list[str], z: float | None, observations: int) -> Headline:
    line.why = "; ".join(why)
    if z is not None:
        line.zscore = z
        line.rank_sigma = round(abs(z), 2)
        line.rank_basis = f"|z-score| of the day's move against {observations} trailing daily returns"
    return line


def _same_day(move: MoveStats | None, day: dt.date | None) -> MoveStats | None:
    return move if move is not None and move.date == day else None


def crypto_headlines(
    result: CryptoResult, moves: dict[str, MoveStats] | None = None, rules: Rules = Rules()
) -> list[Headline]:
    moves = moves or {}
    lines = []
    for a in result.assets:
        if a.out_of_date:  # an old close is no news of the day
            continue
        low_start = a.lowest_since or a.data_starts
        low_news = _spans(a.lowest_since, a.date, rules) if a.lowest_since else _record(a.data_starts, a.date)
        if "lowest_since" in a.gap_figures:
            low_news = False  # a gap leaves it unknown whether the low is the lowest since anything: no claim
        parts = []
        if a.lowest_since and (a.date - a.lowest_since).days >= MIN_SPAN_DAYS:
            parts.append(
                f"{a.name} touched {f.usd(a.low)} on {a.date}, its lowest since {a.lowest_since} "
                f"({span_words(a.lowest_since, a.date)} low)"
            )
        elif not a.lowest_since and low_news:
            parts.append(f"{a.name} touched {f.usd(a.low)} on {a.date}, the lowest in the data since {a.data_starts}")
        else:
            parts.append(f"{a.name} closed at {f.usd(a.price)} on {a.date}")
        if a.change_7d_pct is not None:
            parts.append(f"{f.pct(a.change_7d_pct)} on the week")
        if a.change_ytd_pct is not None:
            parts.append(f"{f.pct(a.change_ytd_pct)} this year ({f.pct(a.change_ytd_at_low_pct)} at the day's low)")
        move = _same_day(moves.get(a.symbol), a.date)
        why, z = move_why(move, rules)
        if not why and not low_news:
            continue
        line = _z_ranked(
            Headline(section="crypto", text="; ".join(parts)), why, z, move.zscore_observations if move else 0
        )
        if z is None and low_news:
            # No unusual day: rank the low itself, against the days it undercut.
            beaten = (a.date - low_start).days - 1
            sigma = move_stats.rank_sigma(beaten, walk=True)  # a price level: a random walk's new low
            line.why = "; ".join([*why, f"the lowest of the last {beaten + 1} days: none since {low_start} was lower"])
            if sigma is not None:
                line.rank_sigma = round(sigma, 2)
                line.rank_basis = (
                    f"superlative: the lowest of the last {beaten + 1} days (rank-equivalent {sigma:.2f} sigma)"
                )
        lines.append(line)
    return lines


def labor_headlines(result: LaborResult, rules: Rules = Rules()) -> list[Headline]:
    """Challenger's job cuts, when they are the most for that month in a year or more."""
    cuts = result.job_cuts
    if not cuts or cuts.source.aggregator_only or cuts.out_of_date:  # aggregator-only or old: no headline
        return []
    month = f.month_name(int(cuts.month[5:]))
    year = int(cuts.month[:4])
    since = cuts.highest_same_month_since
    # The Januaries (say) it beats: every earlier one after the last higher one.
    beaten = sum(1 for y, _ in cuts.same_month_history if y < year and (since is None or y > since))
    sigma = move_stats.rank_sigma(beaten)
    if sigma is None or beaten * 12 < rules.superlative_months:
        return []
    line = Headline(
        section="labor",
        text=f"Challenger: {f.number(cuts.value)} job cuts in {month} {cuts.month[:4]}, {cuts.rank_text}",
        rank_sigma=round(sigma, 2),
        rank_basis=(
            f"superlative: the highest of the last {beaten + 1} {month} figures, a 1-in-{beaten + 1} rank "
            f"(rank-equivalent {sigma:.2f} sigma)"
        ),
    )
    if since is not None:
        line.why = f"the highest of the last {beaten + 1} {month} figures (none higher since {since})"
    else:
        line.why = f"the highest {month} figure in the data (since {cuts.same_month_history[0][0]})"
    return [line]


def headline_rows(result: IndicesResult) -> list[IndexRow]:
    """The index rows that may get a headline: real indices with a day's move (not proxies, not VIX)."""
    return [
        r
        for r in result.indices
        if r.kind != "ETF proxy"
        and r.change_1d_pct is not None
        and r.symbol != "VIX"
        and not any(SUSPECT in n for n in r.notes)  # a move only an unapplied split explains
    ]


def index_text(row: IndexRow) -> str:
    """'KOSPI Composite -1.44% to 5,089.14 on 2026-02-06, its second day of decline'."""
    streak = ""
    # Where the data cannot see where the run began, say so rather than count it exactly.
    its = "its" if row.streak_complete else "at least its"
    if row.streak is None:
        pass  # a gap in the run: no count
    elif row.streak <= -2:
        streak = f", {its} {f.ordinal(-row.streak)} day of decline"
    elif row.streak >= 2:
        streak = f", {its} {f.ordinal(row.streak)} day of gains"
    level = f" to {f.number(row.last, 2)}" if row.last is not None else ""
    return f"{row.name} {f.pct(row.change_1d_pct, 2)}{level} on {row.date}{streak}"


ALARMS = ("sidecar", "circuit breaker", "circuit-breaker", "trading halt")


def indices_headlines(
    result: IndicesResult, moves: dict[str, MoveStats] | None = None, rules: Rules = Rules()
) -> list[Headline]:
    moves = moves or {}
    lines = []
    for row in headline_rows(result):
        if row.source.aggregator_only or row.out_of_date:  # aggregator pages alone, or old: no headline
            continue
        move = _same_day(moves.get(row.symbol), row.date)
        why, z = move_why(move, rules, closed=False)
        # The day's market measures: sidecars, circuit breakers, and the intraday low beside them.
        today = [n.removeprefix(f"{row.date}: ") for n in row.notes if n.startswith(f"{row.date}: ")]
        alarm = any(word in n for n in today for word in ALARMS)
        if not why and not alarm:
            continue
        if row.kind == "index" and alarm:
            why += today
        line = Headline(section="indices", text=index_text(row))
        lines.append(_z_ranked(line, why, z, move.zscore_observations if move else 0))
    return lines


def shock_headlines(result: ShockResult, covered: set[str], rules: Rules = Rules()) -> list[Headline]:
    """A line for each series no other headline covers whose day was significant."""
    lines = []
    for m in result.moves:
        if m.symbol in covered or m.out_of_date:
            continue
        why, z = move_why(m, rules, closed=False)
        if not why:
            continue
        label = f"{m.symbol}, {m.proxy_for} proxy" if m.proxy_for else m.symbol
        line = Headline(section="shock", text=f"{m.name} ({label}) {f.pct(m.change_pct)} on {m.date}")
        lines.append(_z_ranked(line, why, z, m.zscore_observations))
    return lines


def rank(lines: list[Headline]) -> list[Headline]:
    """Most unusual first (largest rank_sigma); unranked lines after, in their given order."""
    return sorted(lines, key=lambda h: (h.rank_sigma is None, -(h.rank_sigma or 0.0)))


def headlines(report: ReportResult, rules: Rules | None = None) -> list[Headline]:
    """The report's significant headline lines, built only from computed results, most unusual
    first, at most `rules.limit` of them."""
    rules = rules or Rules()
    moves = {m.symbol: m for m in report.shock.moves} if report.shock else {}
    lines: list[Headline] = []
    covered: set[str] = set()
    if report.crypto:
        lines += crypto_headlines(report.crypto, moves, rules)
        covered |= {a.symbol for a in report.crypto.assets}
    if report.labor:
        lines += labor_headlines(report.labor, rules)
    if report.indices:
        lines += indices_headlines(report.indices, moves, rules)
        covered |= {r.symbol for r in headline_rows(report.indices)}
    if report.shock:
        lines += shock_headlines(report.shock, covered, rules)
    return rank(lines)[: rules.limit]
