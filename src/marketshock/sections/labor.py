"""`labor`: Challenger job cuts and how they rank; weekly jobless claims, revised and first-printed."""

from __future__ import annotations

import asyncio
import datetime as dt

from marketshock import analytics, formatting
from marketshock.context import RunContext
from marketshock.errors import ProviderError
from marketshock.models.economic import ClaimsFirstPrint, MonthlySeries, MonthlyValue, WeeklySeries
from marketshock.models.envelope import WarningEntry
from marketshock.models.results.labor import ClaimsWeek, JobCuts, LaborResult
from marketshock.notes import note, warn

# The Labor Department publishes a week's initial claims on the Thursday after the
# week ends (Saturday), and continuing claims one week later.
INITIAL_CLAIMS_LAG = dt.timedelta(days=5)
CONTINUING_CLAIMS_LAG = dt.timedelta(days=12)
# Challenger publishes early in the following month; rows with no release date are
# taken as known by the 10th of the following month.
JOB_CUTS_ASSUMED_RELEASE_DAY = 10
RECENT_WEEKS = 12


def job_cuts_known_on(value: MonthlyValue) -> dt.date:
    if value.released:
        return value.released
    year, month = (value.year + 1, 1) if value.month == 12 else (value.year, value.month + 1)
    return dt.date(year, month, JOB_CUTS_ASSUMED_RELEASE_DAY)


def rank_text(month: int, rank: analytics.SameMonthRank, history: list[tuple[int, int]], year: int) -> str:
    """How this month ranks against the same month of earlier years, in words."""
    name = formatting.month_name(month)
    if rank.since_year is None:
        first = history[0][0]
        return f"the most for a {name} in the data (since {first})" if first < year else ""
    if rank.years == 1:
        return f"below {name} {rank.since_year}"
    return f"the most for a {name} since {rank.since_year} ({rank.years}-year high)"


def job_cuts_figures(series: MonthlySeries, ctx: RunContext) -> JobCuts | None:
    known = [v for v in series.values if job_cuts_known_on(v) <= ctx.as_of]
    if not known:
        return None
    latest = max(known, key=lambda v: (v.year, v.month))
    same_month = [(v.year, int(v.value)) for v in known if v.month == latest.month and v.year <= latest.year]
    rank = analytics.highest_same_month_since(same_month, latest.year)
    previous = dict(same_month).get(latest.year - 1)
    yoy = analytics.change_pct(latest.value, previous) if previous else None
    return JobCuts(
        month=latest.label,
        value=int(latest.value),
        highest_same_month_since=rank.since_year,
        years_since=rank.years,
        highest_in_data=rank.since_year is None,
        rank_text=rank_text(latest.month, rank, sorted(same_month), latest.year),
        same_month_history=sorted(same_month),
        change_yoy_pct=round(yoy, 2) if yoy is not None else None,
        released=latest.released,
        source=latest.source,
    )


WEEK_FIGURES = {"change": "change on the week", "four_week_avg": "4-week average"}


def claims_gap_warnings(
    series: WeeklySeries, log: analytics.GapLog, latest: dt.date, as_of: dt.date
) -> list[WarningEntry]:
    """One warning per missing week that blanked a figure, and one when the latest week that
    should be published by the as-of date has no value (so an earlier week is shown)."""

    def names(figures: list[str]) -> str:
        return ", ".join(WEEK_FIGURES.get(f, f) for f in figures)

    out = [
        WarningEntry(
            section="labor",
            symbol=series.series_id,
            kind="gap",
            date=week,
            message=f"{series.series_id} has no value for the week ending {week} "
            f"(missing in {series.source.provider}): {names(figures)} left blank rather than measured over other weeks",
        )
        for week, figures in log.by_gap().items()
    ]
    later = [g for g in series.gaps if latest < g and g + INITIAL_CLAIMS_LAG <= as_of]
    if later:
        out.append(
            WarningEntry(
                section="labor",
                symbol=series.series_id,
                kind="gap",
                date=later[-1],
                message=f"{series.series_id} has no value for the week ending {later[-1]}: "
                f"the latest week with one, {latest}, is shown",
            )
        )
    return out


def claims_figures(
    initial: WeeklySeries, continuing: WeeklySeries, ctx: RunContext
) -> tuple[ClaimsWeek | None, list[int]]:
    """The latest published week of the series' vintage. A figure that needs a missing week
    (FRED's ".") is null, the week named in the envelope's `warnings`."""
    n = initial.published(INITIAL_CLAIMS_LAG, ctx.as_of)
    if not n:
        return None, []
    weeks, values = initial.weeks[:n], initial.values[:n]
    log = analytics.GapLog()
    wow = analytics.week_on_week(values, weeks, initial.gaps, log.to("change"), log.to("four_week_avg"))
    c = continuing.published(CONTINUING_CLAIMS_LAG, ctx.as_of)
    latest = weeks[-1]
    for warning in claims_gap_warnings(initial, log, latest, ctx.as_of):
        warn(warning)
    vintage_date = initial.vintage_date
    week = ClaimsWeek(
        week_ending=latest,
        initial=int(values[-1]),
        change=int(wow.change) if wow.change is not None else None,
        four_week_avg=wow.four_week_avg,
        continuing=int(continuing.values[c - 1]) if c else None,
        continuing_week_ending=continuing.weeks[c - 1] if c else None,
        released=latest + INITIAL_CLAIMS_LAG,
        vintage=initial.vintage,
        vintage_date=vintage_date,
        revised_after_as_of=vintage_date is not None and vintage_date > ctx.as_of,
        gap_figures=log.figures,
        source=initial.source,
    )
    return week, [int(v) for v in values[-RECENT_WEEKS:]]


def known_on_as_of(
    vintage: ClaimsWeek | None, first_print: ClaimsWeek | None
) -> tuple[ClaimsWeek | None, ClaimsWeek | None]:
    """(what was known on the as-of date, a later revision to show beside it). A vintage later
    than the as-of date gives way to the week's first print where one is known; without one it
    stays, marked `revised_after_as_of`, so no one takes it for what was known that day."""
    if vintage is None or first_print is None or not vintage.revised_after_as_of:
        return vintage, None
    later = vintage.model_copy(update={"vintage": f"{vintage.vintage}, later than the as-of date"})
    return first_print, later


def first_print_figures(prints: list[ClaimsFirstPrint], week_ending: dt.date, ctx: RunContext) -> ClaimsWeek | None:
    """The week's figures as the release first printed them, where the data has them."""
    for p in prints:
        if p.week_ending == week_ending and p.released <= ctx.as_of:
            return ClaimsWeek(
                week_ending=p.week_ending,
                initial=p.initial,
                change=p.change,
                four_week_avg=p.four_week_avg,
                continuing=p.continuing,
                continuing_week_ending=p.continuing_week_ending,
                released=p.released,
                vintage="first print",
                vintage_date=p.released,
                source=p.source,
            )
    return None


async def build(ctx: RunContext) -> LaborResult:
    """Job cuts and claims come from different providers: one failing leaves the other."""
    data = ctx.data
    cuts, icsa, ccsa, prints = await asyncio.gather(
        data.job_cuts(),
        data.weekly_claims("ICSA"),
        data.weekly_claims("CCSA"),
        data.claims_first_prints(),
        return_exceptions=True,
    )
    failures: list[ProviderError] = []
    for part in (cuts, icsa, ccsa, prints):
        if isinstance(part, ProviderError):
            failures.append(part)
        elif isinstance(part, BaseException):
            raise part
    job_cuts = claims = first_print = None
    recent: list[int] = []
    if not isinstance(cuts, BaseException):
        job_cuts = job_cuts_figures(cuts, ctx)
    if not isinstance(icsa, BaseException) and not isinstance(ccsa, BaseException):
        claims, recent = claims_figures(icsa, ccsa, ctx)
        if claims and not isinstance(prints, BaseException):
            first_print = first_print_figures(prints, claims.week_ending, ctx)
    claims, later = known_on_as_of(claims, first_print)
    if job_cuts is None and claims is None and failures:
        for failure in failures[1:]:  # the first is the section's error; name the others too
            note(failure)
        raise failures[0]
    for failure in failures:
        note(failure)
    return LaborResult(
        job_cuts=job_cuts,
        claims=claims,
        claims_first_print=first_print,
        recent_initial_claims=recent,
        claims_later_revision=later,
    )
