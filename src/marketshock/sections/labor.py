"""`labor`: Challenger job cuts and how they rank; weekly jobless claims, revised and first-printed."""

from __future__ import annotations

import asyncio
import datetime as dt

from marketshock import analytics, formatting
from marketshock.context import RunContext
from marketshock.errors import ProviderError
from marketshock.models.results import ClaimsWeek, JobCuts, LaborResult
from marketshock.models.series import ClaimsFirstPrint, MonthlySeries, MonthlyValue, WeeklySeries
from marketshock.notes import note

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


def claims_figures(
    initial: WeeklySeries, continuing: WeeklySeries, ctx: RunContext
) -> tuple[ClaimsWeek | None, list[int]]:
    weeks = [o for o in initial.observations if o.week_ending + INITIAL_CLAIMS_LAG <= ctx.as_of]
    if not weeks:
        return None, []
    values = [o.value for o in weeks]
    wow = analytics.week_on_week(values)
    cont = [o for o in continuing.observations if o.week_ending + CONTINUING_CLAIMS_LAG <= ctx.as_of]
    latest = weeks[-1]
    week = ClaimsWeek(
        week_ending=latest.week_ending,
        initial=int(latest.value),
        change=int(wow.change) if wow.change is not None else None,
        four_week_avg=wow.four_week_avg,
        continuing=int(cont[-1].value) if cont else None,
        continuing_week_ending=cont[-1].week_ending if cont else None,
        released=latest.week_ending + INITIAL_CLAIMS_LAG,
        vintage=initial.vintage,
        source=initial.source,
    )
    return week, [int(v) for v in values[-RECENT_WEEKS:]]


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
    if job_cuts is None and claims is None and failures:
        for failure in failures[1:]:  # the first is the section's error; name the others too
            note(failure)
        raise failures[0]
    for failure in failures:
        note(failure)
    return LaborResult(job_cuts=job_cuts, claims=claims, claims_first_print=first_print, recent_initial_claims=recent)
