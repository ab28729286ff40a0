"""`earnings-capex`: last year's capex, next year's guidance, growth, and the stock's reaction."""

from __future__ import annotations

from marketshock import analytics
from marketshock.context import RunContext
from marketshock.models.results import CapexCompany, CapexResult
from marketshock.models.series import CapexRecord
from marketshock.sections.universe import each_symbol


def company_figures(record: CapexRecord, ctx: RunContext) -> CapexCompany:
    """What was known on the as-of date: nothing from a report that came later."""
    reported = record.report_date <= ctx.as_of
    reaction_known = record.reaction_date is not None and record.reaction_date <= ctx.as_of
    gaps = list(record.gaps)
    if not reported:
        gaps = [f"reported on {record.report_date}, after the as-of date {ctx.as_of}"]
    actual = record.capex_actual_usd if reported else None
    low = record.guidance_low_usd if reported else None
    high = record.guidance_high_usd if reported else None
    # Sources are cited once what they report is known: before the report, even the links
    # to the articles about it would tell what came later.
    shown = (record.capex_actual_source, record.guidance_source) if reported else ()
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
        guidance_text=record.guidance_text if reported else "",
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
