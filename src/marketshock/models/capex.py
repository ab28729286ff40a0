"""A company's capex story around its report (`CapexRecord`): curated, or from its 10-K. Its own
module, so a run that reads none (`crypto`) creates none of its models."""

from __future__ import annotations

import datetime as dt

from marketshock.models.series import Frozen, Source


class CapexRecord(Frozen):
    """One company's capex story around its report: curated where no API has it.

    `report_date` is null for a company with neither a curated report nor a 10-K capex fact:
    a row whose figures are all absent, with the reason in `gaps`."""

    ticker: str
    name: str
    report_date: dt.date | None
    report_timing: str = ""
    # Absent by default: a record from the SEC alone (no curated row) names only what it has.
    actual_fiscal_year: int | None = None
    capex_actual_usd: float | None = None
    capex_actual_basis: str = ""
    capex_actual_source: Source | None = None
    guidance_year: int | None = None
    guidance_low_usd: float | None = None
    guidance_high_usd: float | None = None
    guidance_text: str = ""
    guidance_source: Source | None = None
    reaction_pct: float | None = None
    reaction_session: str | None = None
    reaction_date: dt.date | None = None
    reaction_text: str = ""
    reaction_source: Source | None = None
    gaps: tuple[str, ...] = ()
    # The day the actual became public: the 10-K's filing date when it comes from the SEC
    # (null: the actual source's `published` date, else the report's, tells it).
    actual_published: dt.date | None = None
    # From the user's own curated file ([curated] capex_file): shown whatever its age.
    user_file: bool = False
