"""The `earnings-capex` section: capex figures and the stock's reaction, a company a row."""

from __future__ import annotations

import datetime as dt

from marketshock.models.results import DatedRow, Result
from marketshock.models.series import Source


class CapexCompany(DatedRow):
    ticker: str
    name: str
    report_date: dt.date | None
    reported: bool  # false when the as-of date is before the report
    capex_actual_usd: float | None
    capex_actual_year: int | None
    capex_actual_basis: str
    capex_guidance_low_usd: float | None
    capex_guidance_high_usd: float | None
    guidance_year: int | None
    guidance_text: str
    guidance_growth_pct: float | None  # top of the range over the actual
    reaction_pct: float | None
    reaction_session: str | None
    reaction_date: dt.date | None
    reaction_text: str
    gaps: list[str]
    sources: list[Source]
    # The day of what the row shows: the earnings report while its guidance or reaction is shown
    # (at most 120 days old), else the day the shown actual became public (the 10-K's filing).
    date: dt.date | None = None
    # The reaction from data (live): the latest 8-K with Item 2.02 accepted by the as-of date
    # (SEC submissions API) and the stock's daily closes around it. Each null, with its reason
    # in `gaps` (or, offline, in `reaction_from_data_basis`), when it cannot be computed.
    release_accepted_at: dt.datetime | None = None  # New York time, with its offset
    release_url: str | None = None  # the 8-K's filing index on www.sec.gov
    release_timing: str | None = None  # "before open", "during session" or "after close"
    reaction_from_data_pct: float | None = None  # the session's close against the prior close, percent
    reaction_from_data_session: dt.date | None = None  # the session whose close shows the reaction
    reaction_from_data_prior_session: dt.date | None = None  # the close it is measured against
    reaction_zscore: float | None = None  # against the stock's own daily returns, as `shock` computes it
    reaction_zscore_observations: int | None = None  # returns in the z-score's 365-day window
    after_hours_pct: float | None = None  # after an after-close release: last post-market price against the close
    reaction_from_data_basis: str = ""  # how it was computed, or why it was not


class CapexResult(Result):
    companies: list[CapexCompany]
