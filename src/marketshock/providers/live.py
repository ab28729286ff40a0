"""`LiveData`: the `MarketData` protocol over the real public APIs.

Which provider serves which dataset, and in which fallback order, is configuration
(`[datasets]` in the config file); each provider's own symbol is the instrument table's.
LiveData picks the providers, asks them through the fallback chain (chain.py: the first
fresh answer wins, else a stale cached one with a note), one fetch per series and run however
many sections ask, and turns answers into what sections ask for (an index's sessions from its
bars, a proxy's day moves). The requests themselves are the fetchers' (fetchers.py), and how
long an answer stays good is ttl.py's. Curated tables (capex guidance, job cuts, ETF flows,
market-value peaks) stay curated: no free API has them.

Nothing here knows about tables or analytics: sections cut every series to the as-of date.
What LiveData does with the as-of date is ask for no more than was known then: bars up to
that day, FRED's vintage of that day (with an API key), SEC facts filed by then.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol, Self, TypeVar

from marketshock import analytics, instruments
from marketshock.config import Settings
from marketshock.errors import HttpStatusError, NoDataError, ProviderError, UnknownSymbolError, combined
from marketshock.instruments import Instrument
from marketshock.models.capex import CapexRecord
from marketshock.models.economic import ClaimsFirstPrint, MonthlySeries, WeeklySeries
from marketshock.models.series import DailyFlows, MarketCapPoint, PriceSeries, QuotedMonthlyFlow, Source
from marketshock.models.sessions import IndexMove, IndexMoves, IndexSession, IndexSessions
from marketshock.notes import note
from marketshock.providers import bundled, chain, fetchers, fred, sec, yahoo
from marketshock.providers.cache import Cache, cache_root
from marketshock.providers.curated import Curated
from marketshock.providers.http import Fetched, Http, utc_now
from marketshock.providers.ttl import claims_ttl

NAME = "live"
T = TypeVar("T")

REAL_HOSTS = {"fred": "https://fred.stlouisfed.org", "sec": "https://data.sec.gov"}
SECOND_HOSTS = {"fred": "https://api.stlouisfed.org", "sec": "https://www.sec.gov"}

# --- instruments ----------------------------------------------------------------------------

CLAIMS_SERIES = {
    "ICSA": "Initial jobless claims (SA)",
    "CCSA": "Continuing claims (SA)",
    "IC4WSA": "Initial claims, 4-week moving average (SA)",
}
CLAIMS_LOOKBACK = dt.timedelta(days=3 * 365)


def instrument(symbol: str, table: instruments.InstrumentTable | None = None) -> Instrument:
    """The table's row for `symbol` (or an alias), else a stock ticker as Yahoo and Stooq name it.
    Raises UnknownSymbolError for a name no ticker could have."""
    row = (table or instruments.load()).get(symbol)
    if row is not None:
        return row
    if not instruments.valid_symbol(symbol):
        raise UnknownSymbolError(NAME, "price history", f"unknown symbol {symbol!r}")
    return instruments.adhoc(symbol, "stock")


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


class _Sourced(Protocol):
    """A result model that carries its `source`: what `_first` stamps."""

    @property
    def source(self) -> Source: ...

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self: ...


S = TypeVar("S", bound=_Sourced)


def _stamp(model: S, fetched: Fetched[Any], stale: bool) -> S:
    updated = model.source.model_copy(update={"fetched_at": fetched.fetched_at.replace(microsecond=0), "stale": stale})
    return model.model_copy(update={"source": updated})


class LiveData:
    """`MarketData` from the live providers. One per run; `aclose()` when done."""

    name = NAME

    def __init__(
        self,
        settings: Settings,
        as_of: dt.date,
        *,
        table: instruments.InstrumentTable | None = None,
        refresh: bool = False,
        trace: Callable[[str], None] | None = None,
        http: Http | None = None,
    ) -> None:
        self.settings = settings
        self.as_of = as_of
        self.urls = base_urls(settings)
        self.http = http or Http(
            timeout=settings.http.timeout,
            connect_timeout=settings.http.connect_timeout,
            retries=settings.http.retries,
            max_per_host=settings.http.max_per_host,
            max_body=int(settings.http.max_body_mb * 1024 * 1024),
            deadline=settings.http.deadline,
            cache=Cache(cache_root(settings.cache)),
            refresh=refresh,
            trace=trace,
        )
        self.curated = Curated(settings.curated)
        # The instrument table, with the run's watchlist rows: each provider's own symbol.
        self.table = table or instruments.load(settings.bundled.dir)
        self.query = fetchers.Query(self.http, self.urls, as_of)
        self._histories: dict[str, asyncio.Future[PriceSeries]] = {}
        self._tickers: asyncio.Future[Fetched[dict[str, sec.Company]]] | None = None

    async def aclose(self) -> None:
        await self.http.aclose()

    @property
    def now(self) -> dt.datetime:
        """The clock of the run (aware, UTC): what has happened by now, such as a session's close."""
        return utc_now()

    @property
    def today(self) -> dt.date:
        return self.now.date()

    def instrument(self, symbol: str) -> Instrument:
        return instrument(symbol, self.table)

    async def _first(self, attempts: Sequence[chain.Attempt[S]]) -> S:
        """The chain's answer (see providers/chain.py), its source stamped with the fetch time
        and whether it is stale."""
        fetched = await self._fetched(attempts)
        return _stamp(fetched.value, fetched, fetched.stale)

    async def _fetched(self, attempts: Sequence[chain.Attempt[T]]) -> Fetched[T]:
        """The chain's answer as fetched, for values that carry no source of their own."""
        return await chain.first(attempts, cached=self.http.cache.root is not None, trace=self.http.trace)

    # -- price history ---------------------------------------------------------------------------

    def _history_chain(self, inst: Instrument) -> list[str]:
        d = self.settings.datasets
        if inst.kind == "crypto":
            return list(d.crypto_history)
        return list(d.index_history if inst.kind == "index" else d.etf_history)

    async def price_history(self, symbol: str) -> PriceSeries:
        """One fetch and one parse per series and run, however many sections ask (report's
        crypto, indices and shock sections share BTC, SPY, ...)."""
        inst = self.instrument(symbol)
        task = self._histories.get(inst.symbol)
        if task is None:
            task = asyncio.ensure_future(self._price_history(inst))
            self._histories[inst.symbol] = task
        return await asyncio.shield(task)

    async def _price_history(self, inst: Instrument) -> PriceSeries:
        attempts = []
        for provider in self._history_chain(inst):
            if not getattr(inst, provider, None):  # this provider has no symbol for it
                continue
            attempts.append((provider, self._history_fetcher(provider, inst)))
        if not attempts:
            raise NoDataError(NAME, f"{inst.symbol} price history", "no configured provider has this symbol")
        try:
            return await self._first(attempts)
        except ProviderError as error:
            if inst.listed or isinstance(error, UnknownSymbolError) or not error.not_found:
                raise
            # A watchlist or -s symbol that no provider knows is bad input, not a failed section.
            cause = f"no provider knows {inst.symbol!r}: {error.cause}"
            raise UnknownSymbolError(error.provider, error.dataset, cause) from None

    def _history_fetcher(
        self, provider: str, inst: Instrument
    ) -> Callable[[chain.Mode], Awaitable[Fetched[PriceSeries]]]:
        fetch = fetchers.HISTORY[provider]
        return lambda mode: fetch(self.query, inst, mode)

    # -- indices ---------------------------------------------------------------------------------

    async def index_sessions(self, symbol: str) -> IndexSessions:
        inst = self.instrument(symbol)
        if inst.kind != "index":
            raise UnknownSymbolError(NAME, "index closes", f"{symbol!r} is not an index")
        series = await self.price_history(inst.symbol)
        # No API reports sidecars or circuit breakers: those notes stay curated, joined by date.
        measures = {}
        if inst.form == "sessions" and inst.file:
            curated = bundled.load_index_sessions(inst.symbol, self.settings.bundled.dir)
            measures = {s.date: s.market_measure for s in curated.sessions}
        sessions = []
        previous: float | None = None
        previous_day: dt.date | None = None
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
        """Day moves of a `moves` row: from its live proxy's closes (AAXJ for MSCI Asia ex-Japan),
        else the curated reported moves, in the `datasets.asia_measure` order."""
        row = self.instrument(symbol)
        if row.form != "moves":
            raise UnknownSymbolError(NAME, "index moves", f"unknown index {symbol!r}")
        errors: list[ProviderError] = []
        for provider in self.settings.datasets.asia_measure:
            if provider == "curated":
                if not row.file:
                    continue
                if errors:
                    note(combined(errors), "showing the curated reported moves instead")
                return bundled.load_index_moves(row.symbol, self.settings.bundled.dir)
            if not row.live_proxy:
                continue
            try:
                return await self._proxy_moves(row, self.instrument(row.live_proxy))
            except UnknownSymbolError:
                raise
            except ProviderError as error:
                errors.append(error)
        if not errors:
            raise NoDataError(NAME, f"{row.symbol} moves", "no configured provider has this index")
        raise combined(errors)

    async def _proxy_moves(self, row: Instrument, proxy: Instrument) -> IndexMoves:
        series = await self.price_history(proxy.symbol)
        where = " in New York" if proxy.timezone == "America/New_York" else ""
        moves = []
        for earlier, later in itertools.pairwise(series.bars):
            if analytics.first_gap(series.gaps, earlier.date, later.date):
                continue  # across a gap the change is no day's move: that day has no reported move
            moves.append(
                IndexMove(
                    date=later.date,
                    change_pct=round((later.close / earlier.close - 1) * 100, 2),
                    measured_at=f"{proxy.symbol} close{where}",
                    source=series.source,
                )
            )
        tracks = proxy.proxy_for or proxy.name
        return IndexMoves(
            symbol=row.symbol,
            name=f"{tracks} via the {proxy.symbol} ETF (a proxy for {row.name})",
            moves=tuple(moves),
        )

    # -- labor -----------------------------------------------------------------------------------

    async def weekly_claims(self, series_id: str) -> WeeklySeries:
        series_id = series_id.upper()
        if series_id not in CLAIMS_SERIES:
            raise UnknownSymbolError(NAME, "claims", f"unknown FRED series {series_id!r}")
        return await self._first([("fred", lambda mode: self._fred(series_id, mode))])

    async def _fred(self, series_id: str, mode: chain.Mode) -> Fetched[WeeklySeries]:
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
        series = WeeklySeries.from_rows(
            fetched.value,
            series_id=series_id,
            name=CLAIMS_SERIES[series_id],
            vintage=f"{label}, fetched {fetched.fetched_at:%Y-%m-%d}",
            # ALFRED's real-time period answers for the as-of day; else the vintage is the fetch's.
            vintage_date=vintage_day if vintage_day else fetched.fetched_at.date(),
            source=Source(provider="FRED", reference=reference),
        )
        return Fetched(series, fetched.fetched_at, fetched.stale)

    async def claims_first_prints(self) -> list[ClaimsFirstPrint]:
        # First prints come from news of the releases: curated.
        return list(bundled.load_claims_first_prints(self.settings.bundled.dir))

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
                    note(combined(errors), "showing the curated capex actual instead")
                return curated
            try:
                fact, company, freshness = await self._sec_capex(ticker)
            except NoDataError as error:
                if curated is None:
                    # No fact filed (or none by the as-of date) is an answer: a row of absences.
                    return await self._sec_absent(ticker, error)
                if curated.capex_actual_usd is None:
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
            if curated is not None and curated.report_date is not None and curated.report_date > self.as_of:
                # The curated report came later: on the as-of date the 10-K is all there was
                # (the curated name kept, its guidance and reaction not yet known).
                gap = f"no guidance in the curated table as of {self.as_of}"
                return self._with_sec_actual(ticker, None, fact, company, freshness, name=curated.name, gap=gap)
            if curated is not None and curated.actual_fiscal_year and fact.fiscal_year < curated.actual_fiscal_year:
                # The earnings release gave a newer year than any 10-K filed by the as-of date (a
                # release precedes its 10-K by days): keep the release's figure, say why.
                year = curated.actual_fiscal_year
                gap = f"SEC: the FY{year} 10-K was not filed by {self.as_of}; the release's figure is shown"
                return curated.model_copy(update={"gaps": (*curated.gaps, gap)})
            return self._with_sec_actual(ticker, curated, fact, company, freshness)
        if errors:
            raise combined(errors)
        raise UnknownSymbolError(NAME, "capex", f"unknown ticker {ticker!r}")

    async def _sec_capex(self, ticker: str) -> tuple[sec.CapexFact, sec.Company, Fetched[Any]]:
        """The fact, the company, and how fresh the answers behind it were (stale if any was)."""
        ua = self.settings.sec.user_agent
        answers: list[Fetched[Any]] = []
        company, tickers = await self._sec_company(ticker, "capex")
        if tickers is not None:
            answers.append(tickers)

        async def concept(name: str) -> Fetched[list[sec.CapexFact]]:
            return await self._fetched(
                [("sec", lambda mode: fetchers.sec_capex_facts(self.query, company, name, ua, mode))]
            )

        concepts = await fetchers.gather_all(*(concept(c) for c in sec.CAPEX_CONCEPTS))
        answers += concepts
        facts = [f for answer in concepts for f in answer.value]
        return sec.latest_annual(facts, self.as_of, ticker=ticker), company, fetchers.freshness(answers)

    async def _sec_company(self, ticker: str, dataset: str) -> tuple[sec.Company, Fetched[Any] | None]:
        """The company's CIK, and the ticker-map answer it came from (None for a known CIK).
        The map is fetched once a run, however many datasets of however many tickers ask."""
        ua = self.settings.sec.user_agent
        if ticker in sec.KNOWN_CIKS:
            sec.headers(ua, f"{ticker} {dataset}")  # refuse before anything else when the User-Agent is unset
            return sec.Company(ticker, sec.KNOWN_CIKS[ticker], ticker), None
        if self._tickers is None:
            attempts = [("sec", lambda mode: fetchers.sec_tickers(self.query, ua, mode))]
            self._tickers = asyncio.ensure_future(self._fetched(attempts))
        tickers = await asyncio.shield(self._tickers)
        return sec.company(tickers.value, ticker), tickers

    async def earnings_release(self, ticker: str) -> sec.EarningsRelease:
        """The company's latest earnings release known on the as-of date: the last 8-K with
        Item 2.02 the SEC accepted on or before it (submissions API). Raises NoDataError when
        there is none, ProviderError when the SEC does not answer."""
        ticker = ticker.upper()
        ua = self.settings.sec.user_agent
        company, _ = await self._sec_company(ticker, "earnings release")
        attempts = [("sec", lambda mode: fetchers.sec_earnings_releases(self.query, company, ua, mode))]
        releases = await self._fetched(attempts)
        return sec.latest_release(releases.value, self.as_of, ticker=ticker)

    async def _sec_absent(self, ticker: str, error: NoDataError) -> CapexRecord:
        """A company the SEC knows with no full-year capex fact filed by the as-of date, and no
        curated row: every figure null, the SEC's answer in `gaps`. The ticker map is the run's
        (fetched once), so naming the company costs no request."""
        company, _ = await self._sec_company(ticker, "capex")
        return CapexRecord(
            ticker=ticker,
            name=company.title,
            report_date=None,
            gaps=(f"SEC: {error.cause}", "no curated guidance or reaction for this ticker"),
        )

    def _with_sec_actual(
        self,
        ticker: str,
        curated: CapexRecord | None,
        fact: sec.CapexFact,
        company: sec.Company,
        fresh: Fetched[Any],
        *,
        name: str | None = None,
        gap: str = "no curated guidance or reaction for this ticker",
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
            # The filer's own 10-K fact as EDGAR serves it: the primary source, published the day
            # the filing was filed (which is also what --as-of goes by).
            quality="primary",
            published=fact.filed,
        )
        update: dict[str, Any] = {  # for model_copy and for the constructor's keywords alike
            "actual_fiscal_year": fact.fiscal_year,
            "capex_actual_usd": fact.value_usd,
            "capex_actual_basis": basis,
            "capex_actual_source": source,
            "actual_published": fact.filed,
        }
        if curated is not None:
            return curated.model_copy(update=update)
        return CapexRecord(
            ticker=ticker,
            name=name or company.title,
            report_date=fact.filed,
            report_timing="10-K filing",
            gaps=(gap,),
            **update,
        )

    # -- crypto extras -----------------------------------------------------------------------------

    async def etf_daily_flows(self) -> list[DailyFlows]:
        return list(bundled.load_etf_daily_flows(self.settings.bundled.dir))

    async def etf_quoted_flows(self) -> list[QuotedMonthlyFlow]:
        return self.curated.etf_quoted_flows()

    async def market_cap_points(self) -> list[MarketCapPoint]:
        chain = self.settings.datasets.market_value
        points = self.curated.market_cap_points() if "curated" in chain else []
        # /global is "now": a past as-of date could not use it, so it is not asked.
        if "coingecko" in chain and self.as_of >= self.today:
            try:
                attempts = [("coingecko", lambda mode: fetchers.coingecko_market_value(self.query, mode))]
                point = await self._first(attempts)
            except ProviderError as error:
                if not points:
                    raise
                note(error, "showing curated points only")
            else:
                points = [p for p in points if not (p.provider == point.provider and p.date == point.date)] + [point]
        if not points:
            raise NoDataError(NAME, "market value", "no configured provider has market-value points")
        return points

    async def quotes(self, coin_ids: list[str]) -> dict[str, float]:
        """Spot USD quotes from CoinGecko (not history: it has no lows)."""
        attempts = [("coingecko", lambda mode: fetchers.coingecko_quotes(self.query, coin_ids, mode))]
        return (await self._fetched(attempts)).value

    async def release_after_hours(self, ticker: str, day: dt.date) -> yahoo.SessionPrices | None:
        """`after_hours` for a day Yahoo's intraday bars still cover, else None (no request)."""
        if (self.today - day).days >= yahoo.INTRADAY_DAYS:
            return None
        return await self.after_hours(ticker, day)

    async def after_hours(self, ticker: str, day: dt.date) -> yahoo.SessionPrices:
        """A stock's regular close on `day` and its post-market prices (Yahoo, 5-minute bars)."""
        attempts = [("yahoo", lambda mode: fetchers.yahoo_after_hours(self.query, ticker, day, mode))]
        return (await self._fetched(attempts)).value
