"""What a provider returns: normalized series and curated records, each with its source.

Every provider, the bundled dataset and the live adapters alike, produces these
models, so sections and analytics never see a provider's wire format.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import math
import operator
from collections.abc import Iterable, Mapping
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, model_validator

ONE_DAY = dt.timedelta(days=1)
ONE_WEEK = dt.timedelta(days=7)


class Frozen(BaseModel):
    """The base of the input models (series and curated records): immutable, unknown fields an
    error, validators built on first use."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


# How far a cited page is from the figure's author: `primary` is the issuer's own release, filing or
# statistical release; `secondary` a named news organisation reporting it; `aggregator` anything else
# (blogs, portals rewriting others' reports, forums, copies of a filing on a third-party site).
Quality = Literal["primary", "secondary", "aggregator"]
QUALITIES: tuple[Quality, ...] = ("primary", "secondary", "aggregator")


class Corroboration(Frozen):
    """Another page that reports the same figure, beside the figure's best source."""

    reference: str
    quality: Quality
    published: dt.date | None = None


class Source(Frozen):
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


class Bar(NamedTuple):
    """One daily OHLCV bar, a plain tuple (no validation of its own: its `PriceSeries` validates
    the whole series once). Crypto bars are UTC calendar days; exchange bars are sessions.
    A null open, high or low is a gap in that field only; a day without a close is no bar
    but a gap of its series (`PriceSeries.gaps`)."""

    date: dt.date
    open: float | None
    high: float | None
    low: float | None
    close: float
    volume: float | None = None

    @property
    def is_placeholder(self) -> bool:
        """A row whose close is zero or negative, which no price can be: what a provider fills in
        for a day without trading (every price zero), or a broken row. Either way no close: a gap."""
        return self.close <= 0

    @classmethod
    def parse(cls, date: dt.date, open: object, high: object, low: object, close: object, volume: object = None) -> Bar:
        """A bar from a provider's values: numbers or numeric strings, None for a missing open,
        high, low or volume. ValueError for anything else (a bool, a non-numeric or non-finite
        value, a missing close): the parser says which row of the answer does not fit."""
        return cls(
            date,
            _number_or_none(open),
            _number_or_none(high),
            _number_or_none(low),
            _number(close),
            _number_or_none(volume),
        )


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{value!r} is not a number")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{value!r} is not a finite number")
    return number


def _number_or_none(value: object) -> float | None:
    return None if value is None else _number(value)


def normalise_bars(
    bars: tuple[Bar, ...], gaps: tuple[dt.date, ...], calendar: str, exchange: str | None = None
) -> tuple[tuple[Bar, ...], tuple[dt.date, ...]]:
    """The one normalisation step every daily series passes through, whichever provider made it:
    - bars in date order; of two rows for one date the later row wins;
    - gaps are the days the series should have and has no close for. Crypto (`utc-days`) trades
      every UTC day: a day without a close, a placeholder bar (every price zero) and every day
      missing between the first bar and the last are gaps;
    - an exchange-traded series (`sessions`) judges its doubtful days against `exchange`'s
      trading calendar (weekends only, without one): a row without a close, a placeholder of
      zeros, or a bar repeating the previous close with zero volume (where the series has
      volume) on a day without a session is dropped, being no session; a row without a close
      or of zeros on a session day is a gap.
    """
    ordered = all(a.date < b.date for a, b in itertools.pairwise(bars))
    crypto = calendar == "utc-days"
    complete = not crypto or not bars or (bars[-1].date - bars[0].date).days + 1 == len(bars)
    flat = () if crypto else _flat_days(bars)
    if ordered and complete and not gaps and not flat and not any(b.is_placeholder for b in bars):
        return bars, gaps  # already normal: the common case, and the bundled series
    by_day: dict[dt.date, Bar] = {}
    for bar in bars:
        by_day[bar.date] = bar  # the later row for a date wins
    missing = set(gaps)
    for day, bar in list(by_day.items()):
        if bar.is_placeholder:
            del by_day[day]
            missing.add(day)
    missing -= by_day.keys()
    days = sorted(by_day)
    if crypto:
        missing |= missing_days(days, ONE_DAY)
        if days:  # before the first bar is no gap: the series had not started
            missing = {d for d in missing if d >= days[0]}
    elif missing or flat:
        from marketshock import calendars

        closed = calendars.closed_days(exchange, missing | set(flat))
        missing -= closed
        for day in closed & set(flat):
            del by_day[day]
        days = sorted(by_day)
    return tuple(by_day[d] for d in days), tuple(sorted(missing))


def _flat_days(bars: tuple[Bar, ...]) -> tuple[dt.date, ...]:
    """Bars that repeat the previous close in every price with zero volume, in a series that
    has volume (an index such as VIX reports none): what a provider fills a holiday with."""
    if not any(b.volume for b in bars):
        return ()
    return tuple(
        b.date for a, b in itertools.pairwise(bars) if b.volume == 0 and b.open == b.high == b.low == b.close == a.close
    )


# A day move a stock or ETF could only make through an unapplied split (or a broken row).
SUSPECT_FALL = 0.30  # below -70% in one session
SUSPECT_RISE = 3.30  # above +230% in one session


def suspect_split_days(dates: tuple[dt.date, ...], closes: tuple[float, ...]) -> tuple[dt.date, ...]:
    """Sessions whose close is beyond -70% or +230% of the previous close: "suspect: possible
    unadjusted split", kept out of z-scores, superlatives and headlines."""
    if len(dates) == len(closes) and closes and min(closes) > 0 and math.isfinite(sum(closes)):
        # Every close positive and finite (the usual case; a NaN can hide from min, not from the
        # sum): the ratios are computed in C (map) and, when none is out of range, as is usual,
        # no row is tested in Python. The same ratios and comparisons as the loop below.
        ratios = list(map(operator.truediv, closes[1:], closes))
        if not ratios or (min(ratios) >= SUSPECT_FALL and max(ratios) <= SUSPECT_RISE):
            return ()
        return tuple(
            day for day, ratio in zip(dates[1:], ratios, strict=True) if not SUSPECT_FALL <= ratio <= SUSPECT_RISE
        )
    return tuple(
        day
        for day, (previous, close) in zip(dates[1:], itertools.pairwise(closes), strict=True)
        if previous > 0 and not SUSPECT_FALL <= close / previous <= SUSPECT_RISE
    )


def missing_days(days: list[dt.date] | tuple[dt.date, ...], step: dt.timedelta) -> set[dt.date]:
    """The days of a regular calendar (every `step`) missing between sorted `days`."""
    missing: set[dt.date] = set()
    for earlier, later in itertools.pairwise(days):
        day = earlier + step
        while day < later:
            missing.add(day)
            day += step
    return missing


class Columns(NamedTuple):
    """A daily series in columns, one entry a day, in the order of `Bar`'s fields."""

    dates: tuple[dt.date, ...]
    opens: tuple[float | None, ...]
    highs: tuple[float | None, ...]
    lows: tuple[float | None, ...]
    closes: tuple[float, ...]
    volumes: tuple[float | None, ...]

    @classmethod
    def of_bars(cls, bars: Iterable[Bar]) -> Columns:
        """The columns of rows in `Bar`'s field order (bars or plain tuples)."""
        rows = tuple(bars)
        if not rows:
            return cls((), (), (), (), (), ())
        dates, opens, highs, lows, closes, volumes = zip(*rows, strict=True)
        return cls(dates, opens, highs, lows, closes, volumes)

    def bars(self) -> tuple[Bar, ...]:
        # tuple.__new__ makes each row a Bar in C; Bar._make would run Python code per row.
        return tuple(map(functools.partial(tuple.__new__, Bar), zip(*self, strict=True)))


def normalise_columns(
    columns: Columns, gaps: tuple[dt.date, ...], calendar: str, exchange: str | None = None
) -> tuple[Columns, tuple[dt.date, ...]]:
    """`normalise_bars` for a series in columns. A series already normal (the bundled ones and
    most providers' answers) is recognised from its columns and returned as it is, without a
    row being built; any other goes through `normalise_bars` row by row."""
    dates, closes = columns.dates, columns.closes
    ordered = all(map(operator.lt, dates, dates[1:]))
    complete = calendar != "utc-days" or not dates or (dates[-1] - dates[0]).days + 1 == len(dates)
    placeholder = bool(closes) and min(closes) <= 0  # a close no price can be: see Bar.is_placeholder
    flat = calendar != "utc-days" and bool(_flat_rows(columns))
    if ordered and complete and not gaps and not flat and not placeholder:
        return columns, gaps
    bars, gaps = normalise_bars(columns.bars(), gaps, calendar, exchange)
    return Columns.of_bars(bars), gaps


def _flat_rows(columns: Columns) -> list[int]:
    """`_flat_days` by row number, read from the columns: only rows of zero volume can be flat."""
    volumes = columns.volumes
    if not any(volumes):
        return []
    o, h, lo, c = columns.opens, columns.highs, columns.lows, columns.closes
    return [i for i, v in enumerate(volumes) if i and v == 0 and o[i] == h[i] == lo[i] == c[i] == c[i - 1]]


def _finite(name: str, dates: tuple[dt.date, ...], values: tuple[float | None, ...]) -> None:
    """ValueError naming the first day whose `name` is not a finite number (NaN or infinite)."""
    try:
        if all(map(math.isfinite, values)):  # type: ignore[arg-type]  # a column without a None: checked in C
            return
    except TypeError:  # a None (a missing field) in the column
        if all(v is None or math.isfinite(v) for v in values):
            return
    day = next(d for d, v in zip(dates, values, strict=True) if v is not None and not math.isfinite(v))
    raise ValueError(f"the {name} of {day} is not a finite number")


class PriceSeries(Frozen):
    """A daily price history in columns (`dates`, `opens`, `highs`, `lows`, `closes`, `volumes`,
    one entry a day): no model per bar. Prices in `currency`; a null open, high, low or volume is
    a gap in that field only.

    Validated once, on construction, whichever provider made it: equal columns, finite numbers,
    then `normalise_bars`'s rules (date order, the later of two rows for a date, placeholders, flat
    holiday bars, crypto's missing days as gaps), so `dates` are strictly increasing; and for an
    exchange-traded series the suspect days of an unapplied split. A provider may pass `bars=`
    (rows in `Bar`'s field order) instead of the columns. `bars` is a view built on first use."""

    symbol: str
    name: str
    currency: str = "USD"
    calendar: str  # "utc-days" (crypto) or "sessions" (exchange-traded)
    dates: tuple[dt.date, ...]
    opens: tuple[float | None, ...]
    highs: tuple[float | None, ...]
    lows: tuple[float | None, ...]
    closes: tuple[float, ...]
    volumes: tuple[float | None, ...]
    source: Source
    proxy_for: str | None = None  # an ETF standing in for an index, named as such
    gaps: tuple[dt.date, ...] = ()  # days the series should have a close for and has none (sorted)
    exchange: str | None = None  # the trading calendar of a `sessions` series (ISO 10383 MIC, e.g. XNYS)
    suspect: tuple[dt.date, ...] = ()  # sessions with a move only an unapplied split explains (sorted)

    @model_validator(mode="before")
    @classmethod
    def _from_bars(cls, data: Any) -> Any:
        if isinstance(data, dict) and "bars" in data:
            data = dict(data)
            data.update(Columns.of_bars(data.pop("bars"))._asdict())
        return data

    @model_validator(mode="after")
    def _normalised(self) -> PriceSeries:
        columns = Columns(self.dates, self.opens, self.highs, self.lows, self.closes, self.volumes)
        if len({len(c) for c in columns}) > 1:
            raise ValueError("the columns of a price series differ in length")
        for name, values in zip(("open", "high", "low", "close", "volume"), columns[1:], strict=True):
            _finite(name, self.dates, values)
        normal, gaps = normalise_columns(columns, self.gaps, self.calendar, self.exchange)
        if normal is not columns or gaps is not self.gaps:
            for field, values in normal._asdict().items():
                object.__setattr__(self, field, values)
            object.__setattr__(self, "gaps", gaps)
        if self.calendar != "utc-days" and not self.suspect:
            object.__setattr__(self, "suspect", suspect_split_days(self.dates, self.closes))
        return self

    @functools.cached_property
    def bars(self) -> tuple[Bar, ...]:
        """The series row by row, for the few readers that walk it by day (charts, analytics
        of lows): plain tuples, built once per series."""
        return Columns(self.dates, self.opens, self.highs, self.lows, self.closes, self.volumes).bars()

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> PriceSeries:
        copied = super().model_copy(update=update, deep=deep)
        copied.__dict__.pop("bars", None)  # the view belongs to the columns it was built from
        return copied

    def up_to(self, as_of: dt.date) -> PriceSeries:
        """The series as it was known at the end of `as_of`: no later bar, no later gap."""
        n = bisect.bisect_right(self.dates, as_of)  # dates are strictly increasing
        g = bisect.bisect_right(self.gaps, as_of)
        s = bisect.bisect_right(self.suspect, as_of)
        if n == len(self.dates) and g == len(self.gaps) and s == len(self.suspect):
            return self
        return self.model_copy(
            update={
                "dates": self.dates[:n],
                "opens": self.opens[:n],
                "highs": self.highs[:n],
                "lows": self.lows[:n],
                "closes": self.closes[:n],
                "volumes": self.volumes[:n],
                "gaps": self.gaps[:g],
                "suspect": self.suspect[:s],
            }
        )


class DailyFlows(Frozen):
    """Daily net flows of spot bitcoin ETFs, in columns: `dates` (the trading days, as the
    source lists them) and `net_flows_usd` (US dollars, negative: outflow), one entry a day,
    no model per day. `scope` says which funds. Equal columns, else ValueError on construction."""

    scope: str
    dates: tuple[dt.date, ...]
    net_flows_usd: tuple[float, ...]
    source: Source

    @model_validator(mode="after")
    def _equal_columns(self) -> DailyFlows:
        if len(self.dates) != len(self.net_flows_usd):
            raise ValueError("the dates and flows of a daily flow series differ in length")
        return self


class QuotedMonthlyFlow(Frozen):
    """A month's net flow as quoted by an analyst or tracker (not summed by us)."""

    month: str
    net_flow_usd: float
    qualifier: str  # "over", "about", ...
    scope: str
    known_from: dt.date
    source: Source


class MarketCapPoint(Frozen):
    provider: str
    kind: str  # "peak" or "point"
    date: dt.date
    value_usd: float
    source: Source


class DailyCloses(Frozen):
    """A daily series reduced to its closes, in columns: what move statistics need. Parsing a
    few long histories into `Bar`s costs more than the statistics themselves."""

    symbol: str
    name: str
    calendar: str  # "utc-days" (crypto) or "sessions" (exchange-traded)
    dates: tuple[dt.date, ...]
    closes: tuple[float, ...]
    source: Source
    proxy_for: str | None = None
    gaps: tuple[dt.date, ...] = ()  # as `PriceSeries.gaps`
    suspect: tuple[dt.date, ...] = ()  # as `PriceSeries.suspect`

    @model_validator(mode="after")
    def _normalised(self) -> DailyCloses:
        if self.calendar == "utc-days" and self.dates and (self.dates[-1] - self.dates[0]).days + 1 != len(self.dates):
            gaps = tuple(sorted(set(self.gaps) | missing_days(self.dates, ONE_DAY)))
            object.__setattr__(self, "gaps", gaps)
        if self.calendar != "utc-days" and not self.suspect:
            object.__setattr__(self, "suspect", suspect_split_days(self.dates, self.closes))
        return self

    @classmethod
    def from_prices(cls, series: PriceSeries) -> DailyCloses:
        """The dates and closes of a price series, sharing its columns: the series was validated
        and normalised once already (its gaps and suspect days included)."""
        return cls.model_construct(
            symbol=series.symbol,
            name=series.name,
            calendar=series.calendar,
            dates=series.dates,
            closes=series.closes,
            source=series.source,
            proxy_for=series.proxy_for,
            gaps=series.gaps,
            suspect=series.suspect,
        )

    def up_to(self, as_of: dt.date) -> DailyCloses:
        """The series as it was known at the end of `as_of`: no later close, no later gap."""
        n = bisect.bisect_right(self.dates, as_of)  # dates are sorted
        g = bisect.bisect_right(self.gaps, as_of)
        s = bisect.bisect_right(self.suspect, as_of)
        update = {
            "dates": self.dates[:n],
            "closes": self.closes[:n],
            "gaps": self.gaps[:g],
            "suspect": self.suspect[:s],
        }
        return self.model_copy(update=update)
