"""How fresh each figure is on the as-of date (issue 12).

Every dated row of every section gets `age_days` (calendar days from its `date` to the as-of
date) and `out_of_date` (older than its cadence allows). Rows that name their day otherwise
(`value_date`, `week_ending`, a month, a report date) get `date` here too, so every row has one.
Out-of-date rows are marked in the tables and never become headlines.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from marketshock.models.results import DatedRow

if TYPE_CHECKING:  # each section's results, imported by the run that has them (models/results)
    from marketshock.models.results.capex import CapexResult
    from marketshock.models.results.crypto import CryptoResult, EtfFlowMonth
    from marketshock.models.results.indices import IndicesResult
    from marketshock.models.results.labor import LaborResult
    from marketshock.models.results.shock import ShockResult

EXCHANGE_DAYS = 4  # an exchange's daily close: a long weekend and a holiday
CRYPTO_DAYS = 1  # a crypto close: every day trades
WEEKLY_DAYS = 13  # weekly claims: a week and the release's lag, and a missed release
MONTHLY_DAYS = 45  # a monthly figure, counted from its release
CURATED_DAYS = 14  # a curated event or quote
ANNUAL_DAYS = 365 + MONTHLY_DAYS  # a 10-K's yearly figure: the next one is due a year after it


def _month_end(month: str) -> dt.date:
    year, number = int(month[:4]), int(month[5:7])
    return dt.date(year, number, calendar.monthrange(year, number)[1])


def _stamp(row: DatedRow, day: dt.date | None, as_of: dt.date, allowed: int) -> None:
    if day is None:
        row.age_days, row.out_of_date = None, False
        return
    row.age_days = (as_of - day).days
    row.out_of_date = row.age_days > allowed


def _move_days(kind: str) -> int:
    return CRYPTO_DAYS if kind == "crypto" else EXCHANGE_DAYS


def _crypto(result: CryptoResult, as_of: dt.date) -> None:
    for a in result.assets:
        _stamp(a, a.date, as_of, CRYPTO_DAYS)
    for m in result.market_cap:
        m.date = m.value_date
        # A provider's quote of the day is a crypto figure; a curated point is a curated quote.
        quoted = any(s.quality is not None for s in m.sources)
        _stamp(m, m.date, as_of, CURATED_DAYS if quoted else CRYPTO_DAYS)
    _stamp_months(result.etf_flows, as_of)


def _indices(result: IndicesResult, as_of: dt.date) -> None:
    for row in result.indices:
        curated = row.kind == "index (moves only)"
        _stamp(row, row.date, as_of, CURATED_DAYS if curated else EXCHANGE_DAYS)


def _capex(result: CapexResult, as_of: dt.date) -> None:
    for c in result.companies:
        # `date` is the section's (sections/capex.py): the report while its event is shown,
        # else the day the shown actual became public. A row showing a curated event
        # (guidance, a reaction) ages as one; a row of the actual alone as a yearly filing.
        event = c.capex_guidance_high_usd is not None or c.reaction_pct is not None
        _stamp(c, c.date, as_of, CURATED_DAYS if event else ANNUAL_DAYS)


def _labor(result: LaborResult, as_of: dt.date) -> None:
    if result.job_cuts is not None:
        cuts = result.job_cuts
        cuts.date = cuts.released or _month_end(cuts.month)
        _stamp(cuts, cuts.date, as_of, MONTHLY_DAYS)
    for week in (result.claims, result.claims_first_print, result.claims_later_revision):
        if week is not None:
            week.date = week.week_ending
            _stamp(week, week.date, as_of, WEEKLY_DAYS)


def _shock(result: ShockResult, as_of: dt.date) -> None:
    kinds = {move.symbol: move.kind for move in result.moves}
    for move in result.moves:
        curated = move.kind == "index (moves only)"
        _stamp(move, move.date, as_of, CURATED_DAYS if curated else _move_days(move.kind))
    # A window change and a correlation age with their series' last close; a pair with an
    # exchange-traded series has a common return on its sessions only.
    for change in result.window_changes:
        change.date = change.end_date
        _stamp(change, change.date, as_of, _move_days(kinds.get(change.symbol, "")))
    for pair in result.correlations:
        days = max(_move_days(kinds.get(pair.a, "")), _move_days(kinds.get(pair.b, "")))
        _stamp(pair, pair.date, as_of, days)


# By the result's class name, not isinstance: testing against every section's result class
# would import them all (models/results), and a `crypto` run needs its own only.
_STAMPERS: dict[str, Callable[[Any, dt.date], None]] = {
    "CryptoResult": _crypto,
    "IndicesResult": _indices,
    "CapexResult": _capex,
    "LaborResult": _labor,
    "ShockResult": _shock,
}


def stamp(result: BaseModel | None, as_of: dt.date) -> None:
    """Fill `date` where a row names its day otherwise, `age_days` and `out_of_date`, in place.
    A result of another kind (the report's, `compare`'s, None) is left as it is."""
    stamper = _STAMPERS.get(type(result).__name__)
    if stamper is not None:
        stamper(result, as_of)


def _stamp_months(rows: list[EtfFlowMonth], as_of: dt.date) -> None:
    """Each month's row is dated by the last day it covers; the table's earlier months are its
    history, so a row is out of date when the newest month of its scope is."""
    newest: dict[str, dt.date] = {}
    for row in rows:
        row.date = row.data_ends or min(_month_end(row.month), as_of)
        newest[row.scope] = max(newest.get(row.scope, row.date), row.date)
    for row in rows:
        assert row.date is not None
        row.age_days = (as_of - row.date).days
        row.out_of_date = (as_of - newest[row.scope]).days > MONTHLY_DAYS


def count(result: BaseModel | None) -> int:
    """How many rows of a result (a section's, or the whole report) are out of date."""
    if result is None:
        return 0
    if isinstance(result, DatedRow):
        return int(result.out_of_date)
    total = 0
    for name in type(result).model_fields:
        value = getattr(result, name)
        items = value if isinstance(value, list) else [value]
        total += sum(count(v) for v in items if isinstance(v, BaseModel))
    return total
