"""`report`: every section at once, concurrently, with the headline facts on top."""

from __future__ import annotations

from marketshock import formatting as f
from marketshock.models.results import (
    CapexResult,
    CryptoResult,
    Headline,
    IndicesResult,
    LaborResult,
    ReportResult,
)


def crypto_headlines(result: CryptoResult) -> list[Headline]:
    lines = []
    for a in result.assets:
        parts = []
        if a.lowest_since:
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
        lines.append(Headline(section="crypto", text="; ".join(parts)))
    for cap in result.market_cap[:1]:
        lines.append(
            Headline(
                section="crypto",
                text=f"Crypto market value {f.usd_short(cap.value_usd)} on {cap.value_date}: "
                f"{f.usd_short(cap.wiped_out_usd)} wiped out since the {f.usd_short(cap.peak_usd)} peak "
                f"of {cap.peak_date} ({f.pct(cap.change_pct)}, {cap.provider})",
            )
        )
    return lines


def labor_headlines(result: LaborResult) -> list[Headline]:
    lines = []
    cuts = result.job_cuts
    if cuts:
        month = f.month_name(int(cuts.month[5:]))
        lines.append(
            Headline(
                section="labor",
                text=f"Challenger: {f.number(cuts.value)} job cuts in {month} {cuts.month[:4]}, {cuts.rank_text}",
            )
        )
    claims = result.claims
    if claims:
        text = (
            f"Initial jobless claims {f.number(claims.initial)} in the week to {claims.week_ending}, "
            f"{f.signed(claims.change)} on the week (revised)"
        )
        first = result.claims_first_print
        if first:
            text += f"; first reported as {f.number(first.initial)}, {f.signed(first.change)}"
        lines.append(Headline(section="labor", text=text))
    return lines


def indices_headlines(result: IndicesResult) -> list[Headline]:
    lines = []
    for row in result.indices:
        if row.kind == "ETF proxy" or row.change_1d_pct is None or row.symbol == "VIX":
            continue
        streak = ""
        if row.streak <= -2:
            streak = f", its {f.ordinal(-row.streak)} day of decline"
        elif row.streak >= 2:
            streak = f", its {f.ordinal(row.streak)} day of gains"
        level = f" to {f.number(row.last, 2)}" if row.last is not None else ""
        lines.append(
            Headline(section="indices", text=f"{row.name} {f.pct(row.change_1d_pct, 2)}{level} on {row.date}{streak}")
        )
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
        lines.append(Headline(section="earnings-capex", text=text))
    return lines


def headlines(report: ReportResult) -> list[Headline]:
    """The report's headline lines, section by section, built only from computed results."""
    lines: list[Headline] = []
    if report.crypto:
        lines += crypto_headlines(report.crypto)
    if report.labor:
        lines += labor_headlines(report.labor)
    if report.indices:
        lines += indices_headlines(report.indices)
    if report.earnings_capex:
        lines += capex_headlines(report.earnings_capex)
    return lines
