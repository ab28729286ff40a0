"""`earnings-capex`: last year's capex, next year's guidance, growth, and the stock's reaction.

The reaction comes two ways, side by side: curated (the news of the day) and from data (live):
the latest 8-K with Item 2.02 the SEC accepted by the as-of date gives the release's time, its
time against New York's session gives the session that answered it, and the stock's daily
closes give that session's move and its z-score against the stock's own daily returns.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from marketshock import analytics
from marketshock.context import RunContext
from marketshock.errors import MissingSetting, NoDataError, ProviderError, UnknownSymbolError
from marketshock.models.capex import CapexRecord
from marketshock.models.envelope import WarningEntry
from marketshock.models.results.capex import CapexCompany, CapexResult
from marketshock.models.series import DailyCloses, Source
from marketshock.notes import note, warn
from marketshock.providers.base import ReleasesSource
from marketshock.sections.shock import move_figures
from marketshock.sections.universe import each_symbol

EVENT_DAYS = 120  # guidance and a reaction older than this are no longer the story of the day
CURATED_EVENT_NOTES = ("guidance:", "reaction:")  # the curated table's notes on its event's figures
OFFLINE = "offline: no SEC submissions (the reaction from data is live only)"


@dataclass
class FromData:
    """What `reaction_from_data` found: the CapexCompany fields it fills, its reasons for the
    ones it left null (the row's `gaps`), and the sources it read."""

    fields: dict[str, Any] = field(default_factory=dict)
    gaps: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)


async def reaction_from_data(ticker: str, ctx: RunContext) -> FromData:
    """The stock's reaction to its latest earnings release known on the as-of date, from data.
    Never raises a provider's failure: a failing provider is a note (the section's `errors`)
    and a gap; a reaction not yet known (its session after the as-of date) is a gap alone."""
    out = FromData()
    data = ctx.data
    if not isinstance(data, ReleasesSource):
        out.fields["reaction_from_data_basis"] = OFFLINE
        return out
    try:
        release = await data.earnings_release(ticker)
    except (NoDataError, MissingSetting, UnknownSymbolError) as error:
        # An answer, not a failure (no release by then); or one the capex figure already
        # reports (a missing User-Agent, a ticker the SEC does not know).
        out.gaps.append(f"from data: {error.cause}")
        return out
    except ProviderError as error:
        note(error, "the reaction from data is left out")
        out.gaps.append(f"from data: no earnings release ({error.kind})")
        return out
    if release.skipped:
        count = len(release.skipped)
        warn(
            WarningEntry(
                section="earnings-capex",
                symbol=ticker,
                kind="unreadable-filing",
                message=f"{ticker}: {count} 8-K{'s' if count > 1 else ''} with Item 2.02 skipped, a date not "
                f"ISO 8601 ({', '.join(release.skipped)}); the latest readable release is used",
            )
        )
    # SEC filers' shares trade in New York: NYSE and Nasdaq keep the same sessions (XNYS's calendar).
    timing = analytics.release_session(release.accepted_at, "XNYS")
    out.fields |= {
        "release_accepted_at": release.accepted_at,
        "release_url": release.url,
        "release_timing": timing.timing,
    }
    label = analytics.timing_label(timing.timing, release.accepted_at.date(), timing.session)
    accepted = f"{release.form} Item 2.02 accepted {release.accepted_at:%Y-%m-%d %H:%M} ET ({label})"
    out.sources.append(
        Source(
            provider="SEC EDGAR", reference=release.url, note=f"{accepted}; acceptanceDateTime read as {release.clock}"
        )
    )
    basis = f"{accepted}: the {timing.session} close against the {timing.prior} close"
    if release.form != "8-K":
        basis += f" (an amendment: no original 8-K with Item 2.02 accepted by {ctx.as_of} among the filings read)"
    out.fields["reaction_from_data_basis"] = basis
    # Concurrently, each into its own part, merged in a fixed order (the gaps read the same every run).
    move, after = FromData(), FromData()
    pending = []
    if timing.session > ctx.as_of:
        move.gaps.append(f"from data: the reaction session {timing.session} is after the as-of date {ctx.as_of}")
    elif analytics.session_close(timing.session, "XNYS") > data.now:
        # As of today, before the close: Yahoo's bar for the day is the last trade so far, not a close.
        move.gaps.append(f"from data: the {timing.session} session has not closed yet")
    else:
        pending.append(_session_move(ticker, timing, ctx, move))
    day = release.accepted_at.date()
    if timing.timing == "after close":  # the evening of the release: known on the as-of date
        if dt.datetime.combine(day, analytics.EXTENDED_CLOSES, analytics.NEW_YORK) > data.now:
            # As of today, before 20:00: the post-market's last trade so far is not its close.
            after.gaps.append(f"after hours: the post-market of {day} has not closed yet")
        else:
            pending.append(_after_hours(data, ticker, day, after))
    await asyncio.gather(*pending)  # neither raises a provider's failure: each files it in its part
    for part in (move, after):
        out.fields |= part.fields
        out.gaps += part.gaps
        out.sources += part.sources
    return out


async def _session_move(ticker: str, timing: analytics.ReleaseSession, ctx: RunContext, out: FromData) -> None:
    """The session's move and z-score, as `shock` computes them (`move_figures`), into `out`."""
    try:
        series = await ctx.data.price_history(ticker)
    except ProviderError as error:
        note(error, "the reaction from data is left out")
        out.gaps.append(f"from data: no daily bars for {ticker} ({error.kind})")
        return
    closes = DailyCloses.from_prices(series).up_to(timing.session)
    if not closes.dates or closes.dates[-1] != timing.session:
        out.gaps.append(f"from data: no close for the reaction session {timing.session} in the daily bars")
        return
    if len(closes.dates) < 2 or closes.dates[-2] != timing.prior:
        out.gaps.append(f"from data: no close for {timing.prior}, the session before {timing.session}")
        return
    stats = move_figures(closes, timing.session)
    out.sources.append(series.source)
    if stats.change_pct is None:
        out.gaps.append(f"from data: no move on {timing.session} ({stats.note or 'a gap in the daily bars'})")
        return
    out.fields |= {
        "reaction_from_data_pct": stats.change_pct,
        "reaction_from_data_session": timing.session,
        "reaction_from_data_prior_session": timing.prior,
        "reaction_zscore": stats.zscore,
        "reaction_zscore_observations": stats.zscore_observations,
    }
    if stats.zscore is None:
        out.gaps.append(f"from data: {stats.note}")


async def _after_hours(data: ReleasesSource, ticker: str, day: dt.date, out: FromData) -> None:
    """The post-market move after an after-close release, where Yahoo's intraday bars reach."""
    try:
        prices = await data.release_after_hours(ticker, day)
    except ProviderError as error:
        out.gaps.append(f"after hours: {error.cause}")  # a figure beside the reaction, not a failure
        return
    if prices is None:
        return  # older than Yahoo's intraday bars: nothing to ask, nothing missing
    change = prices.post_change_pct
    if change is None:
        out.gaps.append(f"after hours: no post-market price on {day}")
        return
    out.fields["after_hours_pct"] = round(change, 2)


def actual_public(record: CapexRecord) -> dt.date | None:
    """The day the record's capex actual became public: the 10-K's filing date where the SEC
    gave it, else the curated source's publication date, else the report's date."""
    source = record.capex_actual_source
    return record.actual_published or (source.published if source else None) or record.report_date


def company_figures(record: CapexRecord, ctx: RunContext, found: FromData | None = None) -> CapexCompany:
    """What was known on the as-of date: nothing from a report that came later, and guidance
    and the reaction only while their report is at most EVENT_DAYS old (the actual stays: it
    is the last fiscal year known); a row of the user's own curated file whatever its age."""
    report = record.report_date
    reported = report is not None and report <= ctx.as_of
    recent = report is not None and reported and (record.user_file or (ctx.as_of - report).days <= EVENT_DAYS)
    reaction_known = recent and record.reaction_date is not None and record.reaction_date <= ctx.as_of
    # The curated notes on guidance and the reaction go with them: not shown once they are old.
    gaps = [g for g in record.gaps if recent or not g.startswith(CURATED_EVENT_NOTES)]
    if report is not None and not reported:
        # What the SEC said (no 10-K fact by then) stays: it is of the as-of date too.
        sec = [g for g in record.gaps if g.startswith("SEC:")]
        gaps = [f"reported on {record.report_date}, after the as-of date {ctx.as_of}", *sec]
    elif not recent and (record.guidance_high_usd is not None or record.reaction_pct is not None):
        gaps.append(
            f"no guidance in the curated table within {EVENT_DAYS} days of {ctx.as_of} "
            f"(the last curated report, {record.report_date}, is older)"
        )
    actual = record.capex_actual_usd if reported else None
    # The row is of the day of what it shows: the report while its guidance and reaction are
    # shown, else the day the actual became public; nothing shown, no day.
    day = report if recent else (actual_public(record) if actual is not None else None)
    # A row without the curated event shows the actual and, where computed, the reaction to the
    # latest 8-K: then it is of that reaction's session, not of a 10-K filed months before.
    session = found.fields.get("reaction_from_data_session") if found is not None else None
    if not recent and isinstance(session, dt.date) and (day is None or session > day):
        day = session
    low = record.guidance_low_usd if recent else None
    high = record.guidance_high_usd if recent else None
    # Sources are cited once what they report is known: before the report, even the links
    # to the articles about it would tell what came later.
    shown = (record.capex_actual_source, record.guidance_source if recent else None) if reported else ()
    sources = [s for s in (*shown, record.reaction_source if reaction_known else None) if s]
    found = found or FromData()
    return CapexCompany(
        ticker=record.ticker,
        name=record.name,
        report_date=record.report_date,
        reported=reported,
        date=day,
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
        gaps=[*gaps, *found.gaps],
        sources=list(dict.fromkeys([*sources, *found.sources])),
        **found.fields,
    )


async def build(ctx: RunContext) -> CapexResult:
    """Every company of the universe's `companies` group, in its order."""
    tickers = ctx.universe.symbols("companies")

    async def both(ticker: str) -> tuple[CapexRecord, FromData]:
        # Concurrently: the SEC's facts and its submissions, then the bars; both finish before
        # a failure of the capex record is raised (no request is left running).
        record, found = await asyncio.gather(
            ctx.data.capex(ticker), reaction_from_data(ticker, ctx), return_exceptions=True
        )
        if isinstance(record, BaseException):
            raise record
        if isinstance(found, BaseException):
            raise found
        return record, found

    answers = await each_symbol(ctx, tickers, both)
    return CapexResult(companies=[company_figures(record, ctx, found) for _, (record, found) in answers])
