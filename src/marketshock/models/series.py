"""What a provider returns: normalized series and curated records, each with its source.

Every provider, the bundled dataset and the live adapters alike, produces these
models, so sections and analytics never see a provider's wire format.
"""

from __future__ import annotations

import bisect
import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# How far a cited page is from the figure's author: `primary` is the issuer's own release, filing or
# statistical release; `secondary` a named news organisation reporting it; `aggregator` anything else
# (blogs, portals rewriting others' reports, forums, copies of a filing on a third-party site).
Quality = Literal["primary", "secondary", "aggregator"]
QUALITIES: tuple[Quality, ...] = ("primary", "secondary", "aggregator")


class Corroboration(_Frozen):
    """Another page that reports the same figure, beside the figure's best source."""

    reference: str
    quality: Quality
    published: dt.date | None = None


class Source(_Frozen):
    """Where a figure came from: a provider name and, where one exists, a URL or citation.

    Curated figures also say how good that citation is (`quality`), when it was published, which
    other pages corroborate it and, where no primary source was found, why (`quality_note`).
    Series from a provider (Yahoo, FRED, Farside) leave `quality` and `published` null."""

    provider: str
    reference: str = ""
    note: str = ""
    # Live data: when the figure was fetched, and whether it is a cached value served because
    # the provider failed (then the envelope's `errors` says why). Bundled: null and false.
    fetched_at: dt.datetime | None = None
    stale: bool = False
    quality: Quality | None = None
    published: dt.date | None = None
    corroboration: tuple[Corroboration, ...] = ()
    quality_note: str = ""

    @property
    def aggregator_only(self) -> bool:
        """True when the figure rests on aggregator pages alone: no primary or news report beside it."""
        return self.quality == "aggregator" and all(c.quality == "aggregator" for c in self.corroboration)


class Bar(_Frozen):
    """One daily OHLCV bar. Crypto bars are UTC calendar days; exchange bars are sessions."""

    date: dt.date
    open: float
    high: float
    low: float
    close: float
    volume: float | None = None


class PriceSeries(_Frozen):
    symbol: str
    name: str
    currency: str = "USD"
    calendar: str  # "utc-days" (crypto) or "sessions" (exchange-traded)
    bars: tuple[Bar, ...]
    source: Source
    proxy_for: str | None = None  # an ETF standing in for an index, named as such

    def up_to(self, as_of: dt.date) -> PriceSeries:
        """The series as it was known at the end of `as_of`: no later bar."""
        return self.model_copy(update={"bars": tuple(b for b in self.bars if b.date <= as_of)})


class IndexSession(_Frozen):
    """A curated index close. `change_pct` is the source's stated day change, which
    stays right when the rows skip sessions (a difference of two rows would not)."""

    date: dt.date
    close: float | None
    change_pct: float | None
    intraday_low: float | None = None
    market_measure: str = ""  # e.g. a sidecar or circuit-breaker event, as reported
    source: Source


class IndexSessions(_Frozen):
    symbol: str
    name: str
    sessions: tuple[IndexSession, ...]


class IndexMove(_Frozen):
    """A reported day move of an index whose levels are not available."""

    date: dt.date
    change_pct: float
    measured_at: str
    source: Source


class IndexMoves(_Frozen):
    symbol: str
    name: str
    moves: tuple[IndexMove, ...]


class WeeklyObservation(_Frozen):
    week_ending: dt.date
    value: float


class WeeklySeries(_Frozen):
    """A weekly FRED-style series (week ending Saturday) in one vintage."""

    series_id: str
    name: str
    vintage: str
    observations: tuple[WeeklyObservation, ...]
    source: Source


class ClaimsFirstPrint(_Frozen):
    """Jobless claims as first reported in the weekly release, before revisions."""

    week_ending: dt.date
    initial: int
    change: int | None
    four_week_avg: int | None
    continuing: int | None
    continuing_week_ending: dt.date | None
    released: dt.date
    source: Source


class MonthlyValue(_Frozen):
    year: int
    month: int
    value: float
    released: dt.date | None
    source: Source

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


class MonthlySeries(_Frozen):
    series_id: str
    name: str
    values: tuple[MonthlyValue, ...]


class CapexRecord(_Frozen):
    """One company's capex story around its report: curated where no API has it."""

    ticker: str
    name: str
    report_date: dt.date
    report_timing: str
    actual_fiscal_year: int | None
    capex_actual_usd: float | None
    capex_actual_basis: str
    capex_actual_source: Source | None
    guidance_year: int | None
    guidance_low_usd: float | None
    guidance_high_usd: float | None
    guidance_text: str
    guidance_source: Source | None
    reaction_pct: float | None
    reaction_session: str | None
    reaction_date: dt.date | None
    reaction_text: str
    reaction_source: Source | None
    gaps: tuple[str, ...] = ()


class DailyFlow(_Frozen):
    date: dt.date
    net_flow_usd: float


class DailyFlows(_Frozen):
    """Daily net flows of spot bitcoin ETFs; `scope` says which funds."""

    scope: str
    flows: tuple[DailyFlow, ...]
    source: Source


class QuotedMonthlyFlow(_Frozen):
    """A month's net flow as quoted by an analyst or tracker (not summed by us)."""

    month: str
    net_flow_usd: float
    qualifier: str  # "over", "about", ...
    scope: str
    known_from: dt.date
    source: Source


class MarketCapPoint(_Frozen):
    provider: str
    kind: str  # "peak" or "point"
    date: dt.date
    value_usd: float
    source: Source


class DailyCloses(_Frozen):
    """A daily series reduced to its closes, in columns: what move statistics need. Parsing a
    few long histories into `Bar`s costs more than the statistics themselves."""

    symbol: str
    name: str
    calendar: str  # "utc-days" (crypto) or "sessions" (exchange-traded)
    dates: tuple[dt.date, ...]
    closes: tuple[float, ...]
    source: Source
    proxy_for: str | None = None

    @classmethod
    def from_prices(cls, series: PriceSeries) -> DailyCloses:
        return cls(
            symbol=series.symbol,
            name=series.name,
            calendar=series.calendar,
            dates=tuple(b.date for b in series.bars),
            closes=tuple(b.close for b in series.bars),
            source=series.source,
            proxy_for=series.proxy_for,
        )

    def up_to(self, as_of: dt.date) -> DailyCloses:
        """The series as it was known at the end of `as_of`: no later close."""
        n = bisect.bisect_right(self.dates, as_of)  # dates are sorted
        return self.model_copy(update={"dates": self.dates[:n], "closes": self.closes[:n]})
