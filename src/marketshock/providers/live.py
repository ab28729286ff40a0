"""`LiveData`: the `MarketData` protocol over the real public APIs.

Which provider serves which dataset, and in which fallback order, is configuration
(`[datasets]` in the config file). For each dataset the providers are asked in order and the
first that answers wins; only when every one fails is a cached value served, marked stale,
with a note in the envelope's `errors` (so a fresh answer from a fallback beats a stale one
from the first choice). Curated tables (capex guidance, job cuts, ETF flows, market-value
peaks) stay curated: no free API has them.

Nothing here knows about tables or analytics: sections cut every series to the as-of date.
What LiveData does with the as-of date is ask for no more than was known then: bars up to
that day, FRED's vintage of that day (with an API key), SEC facts filed by then.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from marketshock import analytics
from marketshock.config import Settings
from marketshock.errors import HttpStatusError, NoDataError, ProviderError, UnknownSymbolError
from marketshock.models.envelope import ErrorEntry
from marketshock.models.series import (
    CapexRecord,
    ClaimsFirstPrint,
    DailyFlows,
    IndexMove,
    IndexMoves,
    IndexSession,
    IndexSessions,
    MarketCapPoint,
    MonthlySeries,
    PriceSeries,
    QuotedMonthlyFlow,
    Source,
    WeeklySeries,
)
from marketshock.providers import bundled, coinbase, coingecko, fred, sec, stooq, yahoo
from marketshock.providers.base import current_section
from marketshock.providers.cache import Cache, cache_root
from marketshock.providers.curated import Curated
from marketshock.providers.http import Fetched, Http, utc_now

NAME = "live"
T = TypeVar("T")
Mode = Literal["never", "only"]  # first pass: fresh (or fresh cache) only; second: cached, any age

PROVIDER_NAMES = {
    "yahoo": "Yahoo Finance",
    "coinbase": "Coinbase Exchange",
    "coingecko": "CoinGecko",
    "fred": "FRED",
    "sec": "SEC EDGAR",
    "stooq": "Stooq",
    "curated": "curated",
}
REAL_HOSTS = {"fred": "https://fred.stlouisfed.org", "sec": "https://data.sec.gov"}
SECOND_HOSTS = {"fred": "https://api.stlouisfed.org", "sec": "https://www.sec.gov"}

# --- times to live ------------------------------------------------------------------------
QUOTES_TTL = 5 * 60.0
RUNNING_DAY_TTL = 10 * 60.0  # a series whose last bar is today's, still moving
FILINGS_TTL = 24 * 3600.0
TICKER_MAP_TTL = 7 * 24 * 3600.0
US_CLOSE_UTC = dt.time(21, 15)  # after the New York close in both EST and EDT
CLAIMS_RELEASE_UTC = dt.time(13, 45)  # Thursdays 8:30 ET, in both EST and EDT, plus a margin
MIN_TTL = 3600.0


def until_next(now: dt.datetime, at: dt.time, weekday: int | None = None) -> float:
    """Seconds from `now` to the next `at` (UTC), on `weekday` if given (Monday = 0); at least an hour."""
    candidate = dt.datetime.combine(now.date(), at, tzinfo=dt.UTC)
    while candidate <= now or (weekday is not None and candidate.weekday() != weekday):
        candidate += dt.timedelta(days=1)
    return max(MIN_TTL, (candidate - now).total_seconds())


def daily_ttl(as_of: dt.date, now: dt.datetime) -> float:
    """Daily closes stay good until the next close; today's running bar only for minutes."""
    if as_of >= now.date():
        return RUNNING_DAY_TTL
    return until_next(now, US_CLOSE_UTC)


def claims_ttl(now: dt.datetime) -> float:
    return until_next(now, CLAIMS_RELEASE_UTC, weekday=3)


# --- instruments ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Instrument:
    symbol: str  # marketshock's name, as sections ask for it
    name: str
    kind: Literal["crypto", "index", "etf", "stock"]
    yahoo: str
    stooq: str | None = None
    coinbase: str | None = None
    proxy_for: str | None = None


# The MSCI Asia ex-Japan measure: the iShares MSCI All Country Asia ex Japan ETF (AAXJ), named
# as a proxy. It tracks MSCI AC Asia ex Japan, which leaves out Australia and New Zealand, so it is
# not the MSCI AC Asia-Pacific ex-Japan gauge the article quotes; no free API has that index.
ASIA_PROXY = "AAXJ"
INSTRUMENTS: dict[str, Instrument] = {
    i.symbol: i
    for i in (
        Instrument("BTC", "Bitcoin", "crypto", "BTC-USD", coinbase="BTC-USD"),
        Instrument("ETH", "Ether", "crypto", "ETH-USD", coinbase="ETH-USD"),
        Instrument("KOSPI", "KOSPI Composite", "index", "^KS11", stooq="^kospi"),
        Instrument("SPX", "S&P 500", "index", "^GSPC", stooq="^spx"),
        Instrument("N225", "Nikkei 225", "index", "^N225", stooq="^nkx"),
        Instrument("HSI", "Hang Seng Index", "index", "^HSI", stooq="^hsi"),
        Instrument("VIX", "CBOE Volatility Index", "index", "^VIX"),
        Instrument("SPY", "SPDR S&P 500 ETF", "etf", "SPY", "spy.us", proxy_for="S&P 500"),
        Instrument("QQQ", "Invesco QQQ", "etf", "QQQ", "qqq.us", proxy_for="Nasdaq-100"),
        Instrument("SMH", "VanEck Semiconductor ETF", "etf", "SMH", "smh.us", proxy_for="semiconductors"),
        Instrument(
            "EEM", "iShares MSCI Emerging Markets", "etf", "EEM", "eem.us", proxy_for="emerging markets (Asia-heavy)"
        ),
        Instrument("GLD", "SPDR Gold Shares", "etf", "GLD", "gld.us", proxy_for="gold"),
        Instrument("SLV", "iShares Silver Trust", "etf", "SLV", "slv.us", proxy_for="silver"),
        Instrument(
            ASIA_PROXY,
            "iShares MSCI All Country Asia ex Japan ETF",
            "etf",
            "AAXJ",
            "aaxj.us",
            proxy_for="MSCI AC Asia ex Japan",
        ),
    )
}
ALIASES = {"^KS11": "KOSPI", "KS11": "KOSPI", "^GSPC": "SPX", "GSPC": "SPX", "^N225": "N225", "NIKKEI": "N225"}
ALIASES |= {"^HSI": "HSI", "^VIX": "VIX", "BTC-USD": "BTC", "ETH-USD": "ETH"}
CLAIMS_SERIES = {
    "ICSA": "Initial jobless claims (SA)",
    "CCSA": "Continuing claims (SA)",
    "IC4WSA": "Initial claims, 4-week moving average (SA)",
}
# Full crypto history is needed: the all-time high and "lowest since" look back years.
COINBASE_FIRST_DAY = dt.date(2015, 7, 20)  # BTC-USD's first day on the exchange
# Whole histories, as the bundled series have: "largest fall since", volatility percentiles and
# all-time highs look back as far as the data goes. The cache makes it a once-a-day cost.
HISTORY_START = dt.date(1900, 1, 1)
CLAIMS_LOOKBACK = dt.timedelta(days=3 * 365)


# Trading calendars (ISO 10383 MICs) of the exchange-traded instruments: a row without a close
# on a day the exchange had no session is no session, not a gap. ETFs and stocks: New York.
EXCHANGES = {"KOSPI": "XKRX", "SPX": "XNYS", "VIX": "XNYS", "N225": "XTKS", "HSI": "XHKG"}


def exchange_of(inst: Instrument) -> str | None:
    if inst.kind == "crypto":
        return None
    return EXCHANGES.get(inst.symbol, "XNYS" if inst.kind in ("etf", "stock") else None)


def instrument(symbol: str) -> Instrument:
    key = ALIASES.get(symbol.upper(), symbol.upper())
    if key in INSTRUMENTS:
        return INSTRUMENTS[key]
    if not key.replace(".", "").replace("-", "").isalnum():
        raise UnknownSymbolError(NAME, "price history", f"unknown symbol {symbol!r}")
    return Instrument(key, key, "stock", key, stooq=f"{key.lower()}.us")  # a stock ticker, named by Yahoo


def base_urls(settings: Settings) -> dict[str, str]:
    """Each provider's base URL, and the second hosts of FRED and SEC: their own setting when set,
    else the real second host when base_url is the real one, else base_url (one variable is enough
    to point a test server or mirror at a provider)."""
    p = settings.providers
    urls = {name: getattr(p, name).base_url for name in type(p).model_fields}
    for name, extra in (("fred", p.fred.api_base_url), ("sec", p.sec.files_base_url)):
        if extra:
            urls[f"{name}-2"] = extra
        elif urls[name].rstrip("/") == REAL_HOSTS[name]:
            urls[f"{name}-2"] = SECOND_HOSTS[name]
        else:
            urls[f"{name}-2"] = urls[name]
    return urls


async def gather_all(*pending: Awaitable[T]) -> list[T]:
    """Like asyncio.gather, but every request finishes before the first error is raised: no
    request is left running when a run ends (httpx warns about abandoned connections)."""
    results = await asyncio.gather(*pending, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results  # type: ignore[return-value]


def _stamp(model: T, fetched: Fetched[Any], stale: bool) -> T:
    source: Source = model.source  # type: ignore[attr-defined]
    updated = source.model_copy(update={"fetched_at": fetched.fetched_at.replace(microsecond=0), "stale": stale})
    return model.model_copy(update={"source": updated})  # type: ignore[attr-defined]


def _combined(errors: list[ProviderError]) -> ProviderError:
    first = errors[0]
    if len(errors) == 1:
        return first
    rest = "; ".join(f"then {e.provider}: {e.cause}" for e in errors[1:])
    combined = ProviderError(first.provider, first.dataset, f"{first.cause}; {rest}")
    combined.kind = first.kind
    return combined


class LiveData:
    """`MarketData` from the live providers. One per run; `aclose()` when done."""

    name = NAME

    def __init__(
        self,
        settings: Settings,
        as_of: dt.date,
        *,
        refresh: bool = False,
        trace: Callable[[str], None] | None = None,
        http: Http | None = None,
    ) -> None:
        self.settings = settings
        self.as_of = as_of
        self.urls = base_urls(settings)
        self.http = http or Http(
            timeout=settings.http.timeout,
            retries=settings.http.retries,
            max_per_host=settings.http.max_per_host,
            cache=Cache(cache_root(settings.cache)),
            refresh=refresh,
            trace=trace,
        )
        self.curated = Curated(settings.curated)
        self.errors: list[ErrorEntry] = []  # stale values served and extras that failed
        self._histories: dict[str, asyncio.Future[PriceSeries]] = {}

    async def aclose(self) -> None:
        await self.http.aclose()

    @property
    def today(self) -> dt.date:
        return utc_now().date()

    # -- bookkeeping ---------------------------------------------------------------------------

    def note(self, error: ProviderError, suffix: str = "") -> None:
        message = str(error) + (f"; {suffix}" if suffix else "")
        section = current_section.get() or "live"
        entry = ErrorEntry(section=section, provider=error.provider, kind=error.kind, message=message)
        if entry not in self.errors:
            self.errors.append(entry)

    async def _first(
        self, attempts: list[tuple[str, Callable[[Mode], Awaitable[Fetched[T]]]]], stamp: bool = True
    ) -> T:
        """Ask providers in order; if all fail, serve the first cached value found, stale.
        Models get their source stamped with the fetch time (and `stale`); with `stamp=False`
        the `Fetched` itself comes back, for values that carry no source."""
        errors: list[ProviderError] = []
        for _name, make in attempts:
            try:
                fetched = await make("never")
            except UnknownSymbolError:
                raise
            except ProviderError as error:
                errors.append(error)
                continue
            if errors:
                self.http.trace(f"{errors[0].provider} failed ({errors[0].cause}); served by {_name}")
            return _stamp(fetched.value, fetched, False) if stamp else fetched  # type: ignore[return-value]
        if self.http.cache.root is not None:
            for _name, make in attempts:
                try:
                    fetched = await make("only")
                except ProviderError:
                    continue
                when = f"{fetched.fetched_at:%Y-%m-%d %H:%M} UTC"
                self.note(_combined(errors), f"showing the value cached {when} (stale)")
                stale = Fetched(fetched.value, fetched.fetched_at, stale=True)
                return _stamp(fetched.value, fetched, True) if stamp else stale  # type: ignore[return-value]
        raise _combined(errors)

    # -- price history ---------------------------------------------------------------------------

    def _history_chain(self, inst: Instrument) -> list[str]:
        d = self.settings.datasets
        if inst.kind == "crypto":
            return list(d.crypto_history)
        return list(d.index_history if inst.kind == "index" else d.etf_history)

    async def price_history(self, symbol: str) -> PriceSeries:
        """One fetch and one parse per series and run, however many sections ask (report's
        crypto, indices and shock sections share BTC, SPY, ...)."""
        inst = instrument(symbol)
        task = self._histories.get(inst.symbol)
        if task is None:
            task = asyncio.ensure_future(self._price_history(inst))
            self._histories[inst.symbol] = task
        return await asyncio.shield(task)

    async def _price_history(self, inst: Instrument) -> PriceSeries:
        attempts = []
        for provider in self._history_chain(inst):
            if (provider == "coinbase" and not inst.coinbase) or (provider == "stooq" and not inst.stooq):
                continue
            attempts.append((provider, self._history_fetcher(provider, inst)))
        if not attempts:
            raise NoDataError(NAME, f"{inst.symbol} price history", "no configured provider has this symbol")
        return await self._first(attempts)

    def _history_fetcher(self, provider: str, inst: Instrument) -> Callable[[Mode], Awaitable[Fetched[PriceSeries]]]:
        async def fetch(mode: Mode) -> Fetched[PriceSeries]:
            if provider == "yahoo":
                return await self._yahoo_history(inst, mode)
            if provider == "coinbase":
                return await self._coinbase_history(inst, mode)
            return await self._stooq_history(inst, mode)

        return fetch

    def _series(
        self,
        inst: Instrument,
        bars: tuple,  # type: ignore[type-arg]
        provider: str,
        reference: str,
        name: str | None = None,
        gaps: tuple[dt.date, ...] = (),
    ) -> PriceSeries:
        crypto = inst.kind == "crypto"
        return PriceSeries(
            symbol=inst.symbol,
            name=name if inst.kind == "stock" and name else inst.name,
            calendar="utc-days" if crypto else "sessions",
            bars=bars,
            gaps=gaps,
            exchange=exchange_of(inst),
            proxy_for=inst.proxy_for,
            source=Source(
                provider=PROVIDER_NAMES[provider],
                reference=reference,
                note="UTC calendar days" if crypto else "exchange sessions, prices as quoted (not adjusted)",
            ),
        )

    async def _yahoo_history(self, inst: Instrument, mode: Mode) -> Fetched[PriceSeries]:
        dataset = f"{inst.symbol} price history"
        query = yahoo.ChartQuery(inst.yahoo, None, self.as_of)
        spec = yahoo.chart_request(query, self.urls["yahoo"], dataset=dataset, ttl=daily_ttl(self.as_of, utc_now()))
        try:
            fetched = await self.http.fetch(
                spec, lambda t: yahoo.parse_daily(t, symbol=inst.yahoo, dataset=dataset), stale=mode
            )
        except HttpStatusError as error:
            raise yahoo.chart_error(error, inst.yahoo) or error from None
        daily = fetched.value
        series = self._series(inst, daily.bars, "yahoo", f"{spec.url} (interval 1d)", daily.name, daily.gaps)
        return Fetched(series, fetched.fetched_at, fetched.stale)

    async def _coinbase_history(self, inst: Instrument, mode: Mode) -> Fetched[PriceSeries]:

        dataset = f"{inst.symbol} price history"
        assert inst.coinbase
        specs = coinbase.candle_requests(
            inst.coinbase,
            COINBASE_FIRST_DAY,
            self.as_of,
            self.urls["coinbase"],
            dataset=dataset,
            ttl=daily_ttl(self.as_of, utc_now()),
        )
        # Pages wholly in the past never change: only the last one follows the daily TTL.
        pages = await gather_all(
            *(self.http.fetch(s, lambda t: coinbase.parse_candles(t, dataset=dataset), stale=mode) for s in specs)
        )
        bars = coinbase.merge_pages([p.value for p in pages])
        if not bars:
            raise NoDataError("coinbase", dataset, f"no candles for {inst.coinbase}")
        oldest = min(pages, key=lambda p: p.fetched_at)
        series = self._series(inst, bars, "coinbase", f"{specs[0].url} (granularity 86400)")
        return Fetched(series, oldest.fetched_at, any(p.stale for p in pages))

    async def _stooq_history(self, inst: Instrument, mode: Mode) -> Fetched[PriceSeries]:
        dataset = f"{inst.symbol} price history"
        assert inst.stooq
        spec = stooq.daily_request(
            inst.stooq,
            HISTORY_START,
            self.as_of,
            self.urls["stooq"],
            dataset=dataset,
            ttl=daily_ttl(self.as_of, utc_now()),
        )
        fetched = await self.http.fetch(spec, lambda t: stooq.parse_daily_csv(t, dataset=dataset), stale=mode)
        series = self._series(inst, fetched.value, "stooq", f"{spec.url}?s={inst.stooq}&i=d")
        return Fetched(series, fetched.fetched_at, fetched.stale)

    # -- indices ---------------------------------------------------------------------------------

    async def index_sessions(self, symbol: str) -> IndexSessions:
        inst = instrument(symbol)
        if inst.kind != "index":
            raise UnknownSymbolError(NAME, "index closes", f"{symbol!r} is not an index")
        series = await self.price_history(inst.symbol)
        # No API reports sidecars or circuit breakers: those notes stay curated, joined by date.
        measures = {}
        if inst.symbol in bundled.INDEX_SESSIONS:
            measures = {s.date: s.market_measure for s in bundled.load_index_sessions(inst.symbol).sessions}
        sessions = []
        previous = None
        previous_day = None
        for bar in series.bars:
            # No day change across a gap (a session without a close): it would be a longer one.
            across_gap = previous_day is not None and analytics.first_gap(series.gaps, previous_day, bar.date)
            change = round((bar.close / previous - 1) * 100, 2) if previous and not across_gap else None
            sessions.append(
                IndexSession(
                    date=bar.date,
                    close=round(bar.close, 2),
                    change_pct=change,
                    intraday_low=bar.low,
                    market_measure=measures.get(bar.date, ""),
                    source=series.source,
                )
            )
            previous, previous_day = bar.close, bar.date
        return IndexSessions(symbol=inst.symbol, name=inst.name, sessions=tuple(sessions), gaps=series.gaps)

    async def index_moves(self, symbol: str) -> IndexMoves:
        if symbol.upper() not in bundled.INDEX_MOVES:
            raise UnknownSymbolError(NAME, "index moves", f"unknown index {symbol!r}")
        errors: list[ProviderError] = []
        for provider in self.settings.datasets.asia_measure:
            if provider == "curated":
                if errors:
                    self.note(_combined(errors), "showing the curated reported moves instead")
                return bundled.load_index_moves(symbol)
            try:
                return await self._proxy_moves(symbol.upper())
            except UnknownSymbolError:
                raise
            except ProviderError as error:
                errors.append(error)
        raise _combined(errors)

    async def _proxy_moves(self, symbol: str) -> IndexMoves:
        series = await self.price_history(ASIA_PROXY)
        moves = []
        for earlier, later in itertools.pairwise(series.bars):
            if analytics.first_gap(series.gaps, earlier.date, later.date):
                continue  # across a gap the change is no day's move: that day has no reported move
            moves.append(
                IndexMove(
                    date=later.date,
                    change_pct=round((later.close / earlier.close - 1) * 100, 2),
                    measured_at="AAXJ close in New York",
                    source=series.source,
                )
            )
        return IndexMoves(
            symbol=symbol,
            name="MSCI AC Asia ex Japan via the AAXJ ETF (a proxy: no Australia/NZ)",
            moves=tuple(moves),
        )

    # -- labor -----------------------------------------------------------------------------------

    async def weekly_claims(self, series_id: str) -> WeeklySeries:
        series_id = series_id.upper()
        if series_id not in CLAIMS_SERIES:
            raise UnknownSymbolError(NAME, "claims", f"unknown FRED series {series_id!r}")
        return await self._first([("fred", lambda mode: self._fred(series_id, mode))])

    async def _fred(self, series_id: str, mode: Mode) -> Fetched[WeeklySeries]:
        start, end = self.as_of - CLAIMS_LOOKBACK, self.as_of
        key = self.settings.fred.api_key
        ttl = claims_ttl(utc_now())
        if key is not None and key.get_secret_value():
            vintage = self.as_of if self.as_of < self.today else None
            spec = fred.api_request(
                series_id, key.get_secret_value(), start, end, self.urls["fred-2"], vintage=vintage, ttl=ttl
            )
            try:
                fetched = await self.http.fetch(spec, lambda t: fred.parse_api_json(t, series_id), stale=mode)
            except HttpStatusError as error:
                raise fred.api_error(error) from None
            label = f"FRED vintage of {vintage}" if vintage else "FRED latest vintage (revised)"
            vintage_day = vintage
            reference = f"https://fred.stlouisfed.org/series/{series_id} (API)"
        else:
            spec = fred.graph_request(series_id, start, end, self.urls["fred"], ttl=ttl)
            fetched = await self.http.fetch(spec, lambda t: fred.parse_graph_csv(t, series_id), stale=mode)
            label = "FRED latest vintage (revised)"
            vintage_day = None
            reference = f"https://fred.stlouisfed.org/series/{series_id} (fredgraph.csv)"
        series = WeeklySeries(
            series_id=series_id,
            name=CLAIMS_SERIES[series_id],
            vintage=f"{label}, fetched {fetched.fetched_at:%Y-%m-%d}",
            # ALFRED's real-time period answers for the as-of day; else the vintage is the fetch's.
            vintage_date=vintage_day if vintage_day else fetched.fetched_at.date(),
            observations=fetched.value,
            source=Source(provider="FRED", reference=reference),
        )
        return Fetched(series, fetched.fetched_at, fetched.stale)

    async def claims_first_prints(self) -> list[ClaimsFirstPrint]:
        return list(bundled.load_claims_first_prints())  # first prints come from news of the releases

    async def job_cuts(self) -> MonthlySeries:
        return self.curated.job_cuts()

    # -- capex -----------------------------------------------------------------------------------

    async def capex(self, ticker: str) -> CapexRecord:
        ticker = ticker.upper()
        curated = self.curated.capex().get(ticker)
        errors: list[ProviderError] = []
        for provider in self.settings.datasets.capex_actuals:
            if provider == "curated":
                if curated is None:
                    break
                if errors:
                    self.note(_combined(errors), "showing the curated capex actual instead")
                return curated
            try:
                fact, company, freshness = await self._sec_capex(ticker)
            except NoDataError as error:
                if curated is not None and curated.capex_actual_usd is None:
                    # Nothing to fall back to: the absence is the answer, shown as a gap.
                    return curated.model_copy(update={"gaps": (*curated.gaps, f"SEC: {error.cause}")})
                errors.append(error)
                continue
            except UnknownSymbolError:
                if curated is None:
                    raise
                continue
            except ProviderError as error:
                errors.append(error)
                continue
            if curated is not None and curated.actual_fiscal_year and fact.fiscal_year < curated.actual_fiscal_year:
                # The earnings release gave a newer year than any 10-K filed by the as-of date (a
                # release precedes its 10-K by days): keep the release's figure, say why.
                year = curated.actual_fiscal_year
                gap = f"SEC: the FY{year} 10-K was not filed by {self.as_of}; the release's figure is shown"
                return curated.model_copy(update={"gaps": (*curated.gaps, gap)})
            return self._with_sec_actual(ticker, curated, fact, company, freshness)
        if errors:
            raise _combined(errors)
        raise UnknownSymbolError(NAME, "capex", f"unknown ticker {ticker!r}")

    async def _sec_capex(self, ticker: str) -> tuple[sec.CapexFact, sec.Company, Fetched[Any]]:
        """The fact, the company, and how fresh the answers behind it were (stale if any was)."""
        ua = self.settings.sec.user_agent
        answers: list[Fetched[Any]] = []
        if ticker in sec.KNOWN_CIKS:
            sec.headers(ua, f"{ticker} capex")  # refuse before anything else when the User-Agent is unset
            company = sec.Company(ticker, sec.KNOWN_CIKS[ticker], ticker)
        else:
            tickers_spec = sec.tickers_request(self.urls["sec-2"], ua, ttl=TICKER_MAP_TTL)
            tickers: Fetched[dict[str, sec.Company]] = await self._first(
                [("sec", lambda mode: self.http.fetch(tickers_spec, sec.parse_tickers, stale=mode))], stamp=False
            )
            answers.append(tickers)
            company = sec.company(tickers.value, ticker)
        dataset = f"{ticker} capex"

        async def concept(name: str) -> Fetched[list[sec.CapexFact]]:
            spec = sec.concept_request(company.cik, name, self.urls["sec"], ua, ttl=FILINGS_TTL)

            def parse(text: str) -> list[sec.CapexFact]:
                return sec.annual_facts(text, name, dataset=dataset)

            return await self._first([("sec", lambda mode: self.http.fetch(spec, parse, stale=mode))], stamp=False)

        concepts = await gather_all(*(concept(c) for c in sec.CAPEX_CONCEPTS))
        answers += concepts
        freshness = Fetched(None, min(a.fetched_at for a in answers), stale=any(a.stale for a in answers))
        facts = [f for answer in concepts for f in answer.value]
        return sec.latest_annual(facts, self.as_of, ticker=ticker), company, freshness

    def _with_sec_actual(
        self, ticker: str, curated: CapexRecord | None, fact: sec.CapexFact, company: sec.Company, fresh: Fetched[Any]
    ) -> CapexRecord:
        basis = (
            f"SEC XBRL {fact.concept}, {fact.form} fiscal year ending {fact.end} "
            f"(filed {fact.filed}, acc. {fact.accession})"
        )
        source = Source(
            provider="SEC EDGAR",
            reference=f"https://data.sec.gov/api/xbrl/companyconcept/CIK{company.cik:010d}/us-gaap/{fact.concept}.json",
            note=f"filed {fact.filed}",
            fetched_at=fresh.fetched_at.replace(microsecond=0),
            stale=fresh.stale,
        )
        update = {
            "actual_fiscal_year": fact.fiscal_year,
            "capex_actual_usd": fact.value_usd,
            "capex_actual_basis": basis,
            "capex_actual_source": source,
        }
        if curated is not None:
            return curated.model_copy(update=update)
        return CapexRecord(
            ticker=ticker,
            name=company.title,
            report_date=fact.filed,
            report_timing="10-K filing",
            guidance_year=None,
            guidance_low_usd=None,
            guidance_high_usd=None,
            guidance_text="",
            guidance_source=None,
            reaction_pct=None,
            reaction_session=None,
            reaction_date=None,
            reaction_text="",
            reaction_source=None,
            gaps=("no curated guidance or reaction for this ticker",),
            **update,  # type: ignore[arg-type]
        )

    # -- crypto extras -----------------------------------------------------------------------------

    async def etf_daily_flows(self) -> list[DailyFlows]:
        return list(bundled.load_etf_daily_flows())

    async def etf_quoted_flows(self) -> list[QuotedMonthlyFlow]:
        return self.curated.etf_quoted_flows()

    async def market_cap_points(self) -> list[MarketCapPoint]:
        chain = self.settings.datasets.market_value
        points = self.curated.market_cap_points() if "curated" in chain else []
        # /global is "now": a past as-of date could not use it, so it is not asked.
        if "coingecko" in chain and self.as_of >= self.today:
            try:
                point = await self._first([("coingecko", self._coingecko_point)])
            except ProviderError as error:
                if not points:
                    raise
                self.note(error, "showing curated points only")
            else:
                points = [p for p in points if not (p.provider == point.provider and p.date == point.date)] + [point]
        if not points:
            raise NoDataError(NAME, "market value", "no configured provider has market-value points")
        return points

    async def _coingecko_point(self, mode: Mode) -> Fetched[MarketCapPoint]:
        spec = coingecko.global_request(self.urls["coingecko"], ttl=QUOTES_TTL)
        fetched = await self.http.fetch(spec, coingecko.parse_global, stale=mode)
        market = fetched.value
        change = f", {market.change_24h_pct:+.2f}% in 24 h" if market.change_24h_pct is not None else ""
        point = MarketCapPoint(
            provider=coingecko.NAME,
            kind="point",
            date=market.updated_at.date(),
            value_usd=market.total_market_cap_usd,
            source=Source(
                provider=coingecko.NAME,
                reference=spec.url,
                note=f"live total market value, updated {market.updated_at:%Y-%m-%d %H:%M} UTC{change}",
            ),
        )
        return Fetched(point, fetched.fetched_at, fetched.stale)

    async def quotes(self, coin_ids: list[str]) -> dict[str, float]:
        """Spot USD quotes from CoinGecko (not history: it has no lows)."""
        spec = coingecko.simple_price_request(coin_ids, self.urls["coingecko"], ttl=QUOTES_TTL)
        return (await self.http.fetch(spec, lambda t: coingecko.parse_simple_price(t, coin_ids))).value

    async def after_hours(self, ticker: str, day: dt.date) -> yahoo.SessionPrices:
        """A stock's regular close on `day` and its post-market prices (Yahoo, 5-minute bars)."""
        query = yahoo.ChartQuery(ticker.upper(), day, day, interval="5m", include_prepost=True)
        dataset = f"{ticker.upper()} after-hours prices"
        spec = yahoo.chart_request(query, self.urls["yahoo"], dataset=dataset, ttl=daily_ttl(day, utc_now()))
        fetched = await self.http.fetch(
            spec, lambda t: yahoo.parse_sessions(t, symbol=ticker.upper(), dataset=dataset, day=day)
        )
        return fetched.value
