"""`earnings-capex`: last year's capex, next year's guidance, growth, and the stock's reaction."""

from __future__ import annotations

from marketshock import analytics
from marketshock.context import RunContext
from marketshock.models.results import CapexCompany, CapexResult
from marketshock.models.series import CapexRecord
from marketshock.sections.universe import each_symbol

EVENT_DAYS = 120  # guidance and a reaction older than this are no longer the story of the day


def company_figures(record: CapexRecord, ctx: RunContext) -> CapexCompany:
    """What was known on the as-of date: nothing from a report that came later, and guidance
    and the reaction only while their report is at most EVENT_DAYS old (the actual stays: it
    is the last fiscal year known); a row of the user's own curated file whatever its age."""
    reported = record.report_date <= ctx.as_of
    recent = reported and (record.user_file or (ctx.as_of - record.report_date).days <= EVENT_DAYS)
    reaction_known = recent and record.reaction_date is not None and record.reaction_date <= ctx.as_of
    gaps = list(record.gaps)
    if not reported:
        # What the SEC said (no 10-K fact by then) stays: it is of the as-of date too.
        sec = [g for g in record.gaps if g.startswith("SEC:")]
        gaps = [f"reported on {record.report_date}, after the as-of date {ctx.as_of}", *sec]
    elif not recent and (record.guidance_high_usd is not None or record.reaction_pct is not None):
        gaps.append(
            f"no guidance in the curated table within {EVENT_DAYS} days of {ctx.as_of} "
            f"(the last curated report, {record.report_date}, is older)"
        )
    actual = record.capex_actual_usd if reported else None
    low = record.guidance_low_usd if recent else None
    high = record.guidance_high_usd if recent else None
    # Sources are cited once what they report is known: before the report, even the links
    # to the articles about it would tell what came later.
    shown = (record.capex_actual_source, record.guidance_source if recent else None) if reported else ()
    sources = [s for s in (*shown, record.reaction_source if reaction_known else None) if s]
    return CapexCompany(
        ticker=record.ticker,
        name=record.name,
        report_date=record.report_date,
        reported=reported,
        capex_actual_usd=actual,
        capex_actual_year=record.actual_fiscal_year if actual is not None else None,
        capex_actual_basis=record.capex_actual_basis if actual is not None else "",
        capex_guidance_low_usd=low,
        capex_guidance_high_usd=high,
        guidance_year=record.guidance_year if high is not None else None,
        guidance_text=record.guidance_text if recent else "",
        guidance_growth_pct=(round(g, 2) if (g := analytics.growth_pct(high, actual)) is not None else None),
        reaction_pct=record.reaction_pct if reaction_known else None,
        reaction_session=record.reaction_session if reaction_known else None,
        reaction_date=record.reaction_date if reaction_known else None,
        reaction_text=record.reaction_text if reaction_known else "",
        gaps=gaps,
        sources=list(dict.fromkeys(sources)),
    )


async def build(ctx: RunContext) -> CapexResult:
    """Every company of the universe's `companies` group, in its order."""
    tickers = ctx.universe.symbols("companies")
    records = await each_symbol(ctx, tickers, ctx.data.capex)
    return CapexResult(companies=[company_figures(r, ctx) for _, r in records])
