"""The interface every data source implements (errors it raises live in marketshock.errors)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from marketshock.models.series import DailyCloses, DailyFlows, MarketCapPoint, PriceSeries, QuotedMonthlyFlow

if TYPE_CHECKING:
    # Each section's input models are imported by the code that makes them (models/sessions.py).
    from marketshock.models.capex import CapexRecord
    from marketshock.models.economic import ClaimsFirstPrint, MonthlySeries, WeeklySeries
    from marketshock.models.sessions import IndexMoves, IndexSessions

    # The adapters import the HTTP layer, which an offline run never loads.
    from marketshock.providers.sec import EarningsRelease
    from marketshock.providers.yahoo import SessionPrices


class MarketData(Protocol):
    """What sections ask for. Methods are async so a live source can fetch concurrently;
    each returns the whole series it has, and sections cut it to the as-of date."""

    name: str  # "bundled" or "live", shown in the envelope's `source`

    async def price_history(self, symbol: str) -> PriceSeries: ...
    async def index_sessions(self, symbol: str) -> IndexSessions: ...
    async def index_moves(self, symbol: str) -> IndexMoves: ...
    async def weekly_claims(self, series_id: str) -> WeeklySeries: ...
    async def claims_first_prints(self) -> list[ClaimsFirstPrint]: ...
    async def job_cuts(self) -> MonthlySeries: ...
    async def capex(self, ticker: str) -> CapexRecord: ...
    async def etf_daily_flows(self) -> list[DailyFlows]: ...
    async def etf_quoted_flows(self) -> list[QuotedMonthlyFlow]: ...
    async def market_cap_points(self) -> list[MarketCapPoint]: ...


@runtime_checkable
class ClosesSource(Protocol):
    """Optional: a source that can serve a daily series as closes alone, faster than full bars.
    Sections that need only closes use it when the source has it (see `daily_closes`)."""

    async def daily_closes(self, symbol: str) -> DailyCloses: ...


@runtime_checkable
class RecentSessionsSource(Protocol):
    """Optional: a source that can leave out the part of a curated index's sessions before its
    last break (a span with no sessions where two sources are joined) when the as-of date is
    past it: no figure as of that date reads them (`IndexSessions.segment`)."""

    async def index_sessions_as_of(self, symbol: str, as_of: dt.date) -> IndexSessions: ...


@runtime_checkable
class ReleasesSource(Protocol):
    """Optional: a source that knows when each company released its earnings (the SEC's
    submissions API) and what traded after the close. The bundled data does not: offline, the
    reaction from data is left out and says so."""

    @property
    def now(self) -> dt.datetime: ...  # aware: whether a session has closed yet
    async def earnings_release(self, ticker: str) -> EarningsRelease: ...
    async def release_after_hours(self, ticker: str, day: dt.date) -> SessionPrices | None: ...


async def index_sessions(data: MarketData, symbol: str, as_of: dt.date) -> IndexSessions:
    """The sessions of a curated index that figures as of `as_of` read, from whichever way the
    source serves them (all of them, where it cannot leave out the part before a break)."""
    if isinstance(data, RecentSessionsSource):
        return await data.index_sessions_as_of(symbol, as_of)
    return await data.index_sessions(symbol)


async def daily_closes(data: MarketData, symbol: str) -> DailyCloses:
    """The closes of a daily series, from whichever way the source serves them."""
    if isinstance(data, ClosesSource):
        return await data.daily_closes(symbol)
    return DailyCloses.from_prices(await data.price_history(symbol))
