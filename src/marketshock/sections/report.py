"""`report`: every section at once, concurrently, with the headline facts on top, the most
unusual first.

Ranking: a headline about a day's move is ranked by the size of that move's z-score (see
`move_stats`); one whose fact is a superlative with no z-score ("a 17-year high") by the
superlative's rank, put on the same scale by `move_stats.rank_sigma`. Headlines with neither
follow in section order. Each says why, in words, in `why`.
"""

from __future__ import annotations

from marketshock import formatting as f
from marketshock import move_stats
from marketshock.models.results import (
    CapexResult,
    CryptoResult,
    Headline,
    IndexRow,
    IndicesResult,
    LaborResult,
    MoveStats,
    ReportResult,
    ShockResult,
)
from marketshock.sections.gaps import SUSPECT

HEADLINE_ZSCORE = 3.0  # a series not in another headline gets its own when its day is this unusual


def sigma_words(m: MoveStats) -> str:
    """'a 5.1-sigma day: closed +12.5%, the largest one-day rise since 2022-02-28'."""
    assert m.zscore is not None
    words = f"a {abs(m.zscore):.1f}-sigma day: closed {f.pct(m.change_pct)}"
    if m.rank_text:
        words += f", {m.rank_text}" if m.largest_in_data else f", the {m.rank_text}"
    return words


def move_why(m: MoveStats | None) -> tuple[list[str], float | None]:
    """What makes a day's move unusual, and its z-score when it has one."""
    if m is None:
        return [], None
    why = []
    if m.zscore is not None:
        why.append(sigma_words(m))
    elif m.rank_text:
        why.append(m.rank_text)
    if m.week_rank_text:
        why.append(m.week_rank_text)
    return why, m.zscore


def _z_ranked(line: Headline, why: list[str], z: float | None, observations: int) -> Headline:
    line.why = "; ".join(why)
    if z is not None:
        line.zscore = z
        line.rank_sigma = round(abs(z), 2)
        line.rank_basis = f"|z-score| of the day's move against {observations} trailing daily returns"
    return line


def crypto_headlines(result: CryptoResult, moves: dict[str, MoveStats] | None = None) -> list[Headline]:
    moves = moves or {}
    lines = []
    for a in result.assets:
        parts = []
        if "lowest_since" in a.gap_figures:
            pass  # a gap leaves it unknown whether the low is the lowest since anything: no claim
        elif a.lowest_since:
            parts.append(
                f"{a.name} touched {f.usd(a.low)} on {a.date}, its lowest since {a.lowest_since} "
                f"({a.lowest_since_months}-month low)"
            )
        else:
            parts.append(f"{a.name} touched {f.usd(a.low)} on {a.date}, the lowest in the data since {a.data_starts}")
        if a.change_7d_pct is not None:
            parts.append(f"{f.pct(a.change_7d_pct)} on the week")
        if a.change_ytd_pct is not None:
            parts.append(
                f"{f.pct(a.change_ytd_pct)} this year at the close of {f.usd(a.price)} "
                f"({f.pct(a.change_ytd_at_low_pct)} at the day's low)"
            )
        move = moves.get(a.symbol)
        move = move if move is not None and move.date == a.date else None
        why, z = move_why(move)
        line = _z_ranked(
            Headline(section="crypto", text="; ".join(parts)), why, z, move.zscore_observations if move else 0
        )
        if z is None and a.lowest_since:
            # No z-score (no move statistics): rank the low itself, against the days it undercut.
            beaten = (a.date - a.lowest_since).days - 1
            sigma = move_stats.rank_sigma(beaten, walk=True)  # a price level: a random walk's new low
            line.why = "; ".join(
                [*why, f"the lowest of the last {beaten + 1} days: none since {a.lowest_since} was lower"]
            )
            if sigma is not None:
                line.rank_sigma = round(sigma, 2)
                line.rank_basis = (
                    f"superlative: the lowest of the last {beaten + 1} days (rank-equivalent {sigma:.2f} sigma)"
                )
        lines.append(line)
    for cap in result.market_cap[:1]:
        lines.append(
            Headline(
                section="crypto",
                text=f"Crypto market value {f.usd_short(cap.value_usd)} on {cap.value_date}: "
                f"{f.usd_short(cap.wiped_out_usd)} wiped out since the {f.usd_short(cap.peak_usd)} peak "
                f"of {cap.peak_date} ({f.pct(cap.change_pct)}, {cap.provider})",
                why="not ranked: no history of total market value in the data to compare with",
            )
        )
    return lines


def labor_headlines(result: LaborResult) -> list[Headline]:
    lines = []
    cuts = result.job_cuts
    if cuts:
        month = f.month_name(int(cuts.month[5:]))
        line = Headline(
            section="labor",
            text=f"Challenger: {f.number(cuts.value)} job cuts in {month} {cuts.month[:4]}, {cuts.rank_text}",
        )
        year = int(cuts.month[:4])
        since = cuts.highest_same_month_since
        # The Januaries (say) it beats: every earlier one after the last higher one.
        beaten = sum(1 for y, _ in cuts.same_month_history if y < year and (since is None or y > since))
        sigma = move_stats.rank_sigma(beaten)
        if sigma is not None:
            line.rank_sigma = round(sigma, 2)
            line.rank_basis = (
                f"superlative: the highest of the last {beaten + 1} {month} figures, a 1-in-{beaten + 1} rank "
                f"(rank-equivalent {sigma:.2f} sigma)"
            )
            if since is not None:
                line.why = f"the highest of the last {beaten + 1} {month} figures: none since {since} had more job cuts"
            else:
                line.why = f"the highest {month} figure in the data (since {cuts.same_month_history[0][0]})"
        else:
            line.why = f"not ranked: no earlier {month} in the data to compare with"
        lines.append(line)
    claims = result.claims
    if claims:
        label = "first print" if claims.vintage == "first print" else "revised"
        text = (
            f"Initial jobless claims {f.number(claims.initial)} in the week to {claims.week_ending}, "
            f"{f.signed(claims.change)} on the week ({label})"
        )
        later = result.claims_later_revision
        if later:
            text += f"; later revised to {f.number(later.initial)}, {f.signed(later.change)}"
        lines.append(
            Headline(section="labor", text=text, why="not ranked: weekly claims have no z-score or superlative here")
        )
    return lines


def headline_rows(result: IndicesResult) -> list[IndexRow]:
    """The index rows that get a headline: real indices with a day's move (not proxies, not VIX)."""
    return [
        r
        for r in result.indices
        if r.kind != "ETF proxy"
        and r.change_1d_pct is not None
        and r.symbol != "VIX"
        and not any(SUSPECT in n for n in r.notes)  # a move only an unapplied split explains
    ]


def indices_headlines(result: IndicesResult, moves: dict[str, MoveStats] | None = None) -> list[Headline]:
    moves = moves or {}
    lines = []
    for row in headline_rows(result):
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
        line = Headline(
            section="indices", text=f"{row.name} {f.pct(row.change_1d_pct, 2)}{level} on {row.date}{streak}"
        )
        move = moves.get(row.symbol)
        move = move if move is not None and move.date == row.date else None
        why, z = move_why(move)
        if row.kind == "index":  # the day's market measures (sidecars, circuit breakers, intraday lows)
            why += [n.removeprefix(f"{row.date}: ") for n in row.notes if n.startswith(f"{row.date}: ")]
        if z is None and move is not None and move.note:
            why.append(move.note)
        lines.append(_z_ranked(line, why, z, move.zscore_observations if move else 0))
    return lines


def capex_headlines(result: CapexResult) -> list[Headline]:
    lines = []
    for c in result.companies:
        if c.reaction_pct is None or abs(c.reaction_pct) < 5:
            continue
        text = f"{c.name} {f.pct(c.reaction_pct)} ({c.reaction_session} {c.reaction_date})"
        if c.capex_guidance_high_usd is not None:
            guide = f.usd_short(c.capex_guidance_high_usd)
            if c.capex_guidance_low_usd not in (None, c.capex_guidance_high_usd):
                guide = f"{f.usd_short(c.capex_guidance_low_usd)}-{guide}"
            text += f": {c.guidance_year} capex guidance {guide}"
            if c.guidance_growth_pct is not None:
                text += f", {f.pct(c.guidance_growth_pct)} on {c.capex_actual_year}'s {f.usd_short(c.capex_actual_usd)}"
        why = f"not ranked: no daily price history for {c.ticker} in the data to rank the {f.pct(c.reaction_pct)} move"
        lines.append(Headline(section="earnings-capex", text=text, why=why))
    return lines


def shock_headlines(result: ShockResult, covered: set[str]) -> list[Headline]:
    """A line for each series no other headline covers whose day was extraordinary."""
    lines = []
    for m in result.moves:
        if m.symbol in covered or m.zscore is None or abs(m.zscore) < HEADLINE_ZSCORE:
            continue
        label = f"{m.symbol}, {m.proxy_for} proxy" if m.proxy_for else m.symbol
        line = Headline(section="shock", text=f"{m.name} ({label}) {f.pct(m.change_pct)} on {m.date}")
        why, z = move_why(m)
        lines.append(_z_ranked(line, why, z, m.zscore_observations))
    return lines


def rank(lines: list[Headline]) -> list[Headline]:
    """Most unusual first (largest rank_sigma); unranked lines after, in their given order."""
    return sorted(lines, key=lambda h: (h.rank_sigma is None, -(h.rank_sigma or 0.0)))


def headlines(report: ReportResult) -> list[Headline]:
    """The report's headline lines, built only from computed results, most unusual first."""
    moves = {m.symbol: m for m in report.shock.moves} if report.shock else {}
    lines: list[Headline] = []
    covered: set[str] = set()
    if report.crypto:
        lines += crypto_headlines(report.crypto, moves)
        covered |= {a.symbol for a in report.crypto.assets}
    if report.labor:
        lines += labor_headlines(report.labor)
    if report.indices:
        lines += indices_headlines(report.indices, moves)
        covered |= {r.symbol for r in headline_rows(report.indices)}
    if report.earnings_capex:
        lines += capex_headlines(report.earnings_capex)
    if report.shock:
        lines += shock_headlines(report.shock, covered)
    return rank(lines)
