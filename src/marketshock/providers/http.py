"""The one HTTP layer every live adapter goes through.

It is the only place that builds an `httpx.AsyncClient`, and it owns what the peers' issue
trackers show going wrong: a timeout on every request; retries with exponential backoff and
jitter (stamina) on connect and read errors, HTTP 429 and 5xx only, honouring `Retry-After`
in seconds or as an HTTP date, within a cap on the total time; a limit on requests in flight
per host; a User-Agent naming marketshock and its version; the on-disk cache (`cache.py`)
(the stale fallback when a provider fails is the chain's: `chain.py`); and errors of the
`errors.py` hierarchy (timeout, network, http-status, rate-limited, bad-response) whose
every message names provider, dataset and cause, and never a secret.

An adapter hands over a `RequestSpec` and a parse function. A body is stored only after it
parsed, and a cached body is parsed again on the way out, so adapters see one path.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar
from urllib.parse import urlencode, urlsplit

import httpx
import stamina

from marketshock import __version__
from marketshock.errors import (
    BadResponse,
    HttpStatusError,
    NetworkError,
    NotCached,
    ProviderError,
    ProviderTimeout,
    RateLimited,
)
from marketshock.providers.cache import Cache, Entry, cache_key

T = TypeVar("T")

USER_AGENT = f"marketshock/{__version__} (+https://pypi.org/project/marketshock/)"
# Query parameters whose values never reach a log line, an error message or the cache.
SECRET_PARAMS = frozenset({"api_key", "apikey", "key", "token", "x_cg_demo_api_key"})
BACKOFF_INITIAL = 0.25  # seconds before the first retry (plus jitter)
BACKOFF_MAX = 8.0  # longest wait between two attempts
BACKOFF_JITTER = 0.25
RETRY_AFTER_MAX = 60.0  # a server asking for longer than this is treated as "not now"


# --- requests and results ---------------------------------------------------------------


@dataclass(frozen=True)
class RequestSpec:
    """Step one of an adapter: everything needed to send one GET."""

    provider: str
    dataset: str  # what the user asked for, in words: "BTC price history"
    url: str
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    ttl: float = 600.0  # seconds a stored answer stays fresh
    # Statuses that are an answer, not a failure ("this company never filed that concept"):
    # they come back (and are cached) as an empty body, for the parser to read as "none".
    empty_on: tuple[int, ...] = ()

    def public_params(self) -> dict[str, str]:
        return {k: v for k, v in self.params.items() if k.lower() not in SECRET_PARAMS}

    def display_url(self) -> str:
        """The URL with secret parameters masked: the only form that is ever shown."""
        shown = {k: ("***" if k.lower() in SECRET_PARAMS else v) for k, v in self.params.items()}
        return f"{self.url}?{urlencode(shown)}" if shown else self.url

    @property
    def key(self) -> str:
        return cache_key(self.provider, self.dataset, self.url, self.public_params())


@dataclass(frozen=True)
class Fetched(Generic[T]):
    """A parsed answer, when it was fetched, and whether it is a stale fallback (then `error`
    says why the fresh fetch failed)."""

    value: T
    fetched_at: dt.datetime
    stale: bool = False
    error: ProviderError | None = None


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def retry_after_seconds(value: str | None, now: dt.datetime | None = None) -> float | None:
    """`Retry-After` as seconds to wait: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or utc_now())).total_seconds())


class _RetryableStatus(Exception):
    """A 429 or 5xx answer, raised inside the retry loop so stamina sees it."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(response.status_code)
        self.response = response
        self.retry_after = retry_after_seconds(response.headers.get("Retry-After"))


def _describe_transport(error: httpx.TransportError) -> str:
    text = str(error).strip()
    lowered = text.lower()
    if "refused" in lowered or "all connection attempts failed" in lowered:
        return "connection refused"  # httpx's words for a refused connect on every address
    if isinstance(error, httpx.RemoteProtocolError):
        return "the connection closed before the whole response arrived"
    if "name or service not known" in lowered or "nodename nor servname" in lowered:
        return "host name not found"
    return text.splitlines()[0] if text else type(error).__name__


# --- the client ---------------------------------------------------------------------------


class Http:
    """One per run: a shared AsyncClient, per-host semaphores, the cache, and a trace hook."""

    def __init__(
        self,
        *,
        timeout: float,
        retries: int,
        max_per_host: int = 8,
        cache: Cache | None = None,
        refresh: bool = False,
        trace: Callable[[str], None] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.timeout = timeout
        self.retries = retries
        self.max_per_host = max_per_host
        self.cache = cache or Cache(None)
        self.refresh = refresh
        self.trace = trace or (lambda _line: None)
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._host_limits: dict[str, asyncio.Semaphore] = {}
        self._inflight: dict[str, asyncio.Future[tuple[str, dt.datetime]]] = {}
        self._texts: dict[str, tuple[str, dt.datetime]] = {}  # bodies fetched during this run, by cache key
        self.requests_sent = 0
        # stamina logs every retry through `logging` by default, which would print on stderr;
        # retries are traced through `trace` (shown with --verbose) instead.
        stamina.instrumentation.set_on_retry_hooks([])

    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.timeout),
                headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
                follow_redirects=True,
                transport=self._transport,
                limits=httpx.Limits(max_connections=64, max_keepalive_connections=16),
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _limit(self, url: str) -> asyncio.Semaphore:
        parts = urlsplit(url)
        host = f"{parts.hostname}:{parts.port or ''}"
        if host not in self._host_limits:
            self._host_limits[host] = asyncio.Semaphore(self.max_per_host)
        return self._host_limits[host]

    # -- public ---------------------------------------------------------------------------

    async def fetch(
        self,
        spec: RequestSpec,
        parse: Callable[[str], T],
        *,
        stale: Literal["never", "only"] = "never",
    ) -> Fetched[T]:
        """The parsed answer: from the cache while fresh (no request), else from the provider.
        `stale="only"` reads the cache whatever its age and never sends. Serving a stale value
        when the provider fails is the fallback chain's rule (providers/chain.py), not this one's."""
        entry = self.cache.get(spec.provider, spec.key)
        now = utc_now()
        if stale == "only":
            if entry is None:
                raise NotCached(spec.provider, spec.dataset, "no cached value")
            value = self._parse(spec, parse, entry.body)
            return Fetched(value, entry.fetched_at, stale=not entry.fresh(now))
        if entry is not None and entry.fresh(now) and not self.refresh:
            try:
                value = self._parse(spec, parse, entry.body)
            except ProviderError:
                entry = None  # a stored body that no longer parses is a miss
            else:
                self.trace(f"{spec.provider}: {spec.dataset}: cache hit (fetched {entry.fetched_at:%Y-%m-%d %H:%M}Z)")
                return Fetched(value, entry.fetched_at)
        try:
            text, fetched_at = await self._text(spec)
            value = self._parse(spec, parse, text)
        except ProviderError:
            raise
        stored = Entry(body=text, fetched_at=fetched_at, expires_at=fetched_at + dt.timedelta(seconds=spec.ttl))
        self.cache.put(spec.provider, spec.key, stored, url=spec.url, dataset=spec.dataset)
        return Fetched(value, fetched_at)

    # -- internals ------------------------------------------------------------------------

    @staticmethod
    def _parse(spec: RequestSpec, parse: Callable[[str], T], text: str) -> T:
        try:
            return parse(text)
        except ProviderError:
            raise
        except (ValueError, KeyError, TypeError, IndexError, AttributeError) as error:
            # A parser's own checks name the field; this net catches a shape nobody foresaw.
            detail = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise BadResponse(spec.provider, spec.dataset, f"unexpected response shape ({detail})") from None

    async def _text(self, spec: RequestSpec) -> tuple[str, dt.datetime]:
        """The body and when it arrived, sent once per run and key however many callers ask
        at the same time (they all see the same fetch time)."""
        key = spec.key
        if key in self._texts:
            return self._texts[key]
        if key in self._inflight:
            return await asyncio.shield(self._inflight[key])
        future: asyncio.Future[tuple[str, dt.datetime]] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            answer = (await self._send(spec), utc_now())
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: no "never retrieved" warning when nobody else waits
            raise
        finally:
            self._inflight.pop(key, None)
        future.set_result(answer)
        self._texts[key] = answer
        return answer

    async def _send(self, spec: RequestSpec) -> str:
        attempts = self.retries + 1
        # The cap on total time: every attempt may time out, and each retry may wait its longest backoff
        # (a Retry-After that does not fit in what is left is not waited for).
        budget = self.timeout * attempts + BACKOFF_MAX * self.retries
        started = time.monotonic()
        shown = spec.display_url()

        def backoff(error: Exception) -> bool | float:
            if isinstance(error, _RetryableStatus):
                wait = error.retry_after
                if wait is not None:
                    remaining = budget - (time.monotonic() - started)
                    if wait > min(RETRY_AFTER_MAX, remaining):
                        return False  # asked to come back later than we can wait: fail now, fall back
                    self.trace(f"{spec.provider}: HTTP {error.response.status_code}, retrying in {wait:g} s")
                    return wait
                self.trace(f"{spec.provider}: HTTP {error.response.status_code}, retrying")
                return True
            if isinstance(error, httpx.TransportError) and not isinstance(error, httpx.UnsupportedProtocol):
                cause = _describe_transport(error)
                if cause == "host name not found":
                    # The resolver says the name does not exist (not "try again"): on a machine
                    # without network every retry would fail the same way, only later.
                    return False
                self.trace(f"{spec.provider}: {cause}, retrying")
                return True
            return False

        limit = self._limit(spec.url)
        response: httpx.Response | None = None
        try:
            async for attempt in stamina.retry_context(
                on=backoff,
                attempts=attempts,
                timeout=budget,
                wait_initial=BACKOFF_INITIAL,
                wait_max=BACKOFF_MAX,
                wait_jitter=BACKOFF_JITTER,
            ):
                with attempt:
                    async with limit:
                        sent = time.monotonic()
                        self.requests_sent += 1
                        response = await self.client().get(spec.url, params=spec.params, headers=spec.headers)
                        self.trace(
                            f"{spec.provider}: GET {shown} -> {response.status_code} "
                            f"({(time.monotonic() - sent) * 1000:.0f} ms)"
                        )
                    if response.status_code == 429 or response.status_code >= 500:
                        raise _RetryableStatus(response)
        except _RetryableStatus as error:
            response = error.response
        except httpx.TimeoutException:
            tries = f", {attempts} attempts" if attempts > 1 else ""
            raise ProviderTimeout(
                spec.provider, spec.dataset, f"no response within {self.timeout:g} s{tries}"
            ) from None
        except httpx.TransportError as error:
            host = urlsplit(spec.url).netloc
            raise NetworkError(spec.provider, spec.dataset, f"{_describe_transport(error)} ({host})") from None
        assert response is not None
        status = response.status_code
        if status in spec.empty_on:
            return ""
        if status >= 400:
            reason = response.reason_phrase or ""
            body = response.text[:2000]
            if status == 429:
                after = retry_after_seconds(response.headers.get("Retry-After"))
                hint = f"; the server asks to wait {after:g} s" if after is not None else ""
                raise RateLimited(spec.provider, spec.dataset, f"HTTP 429 {reason}{hint}".rstrip(), status, body)
            raise HttpStatusError(spec.provider, spec.dataset, f"HTTP {status} {reason}".rstrip(), status, body)
        return response.text


# --- helpers for parsers ------------------------------------------------------------------


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith("<!doctype html") or head.startswith("<html") or head.startswith("<")


def json_body(provider: str, dataset: str, text: str) -> Any:
    """Parse a JSON body, saying what came instead when it is not JSON."""
    if not text.strip():
        raise BadResponse(provider, dataset, "empty body where JSON was expected")
    if looks_like_html(text):
        raise BadResponse(provider, dataset, "an HTML page where JSON was expected (an error or consent page)")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise BadResponse(provider, dataset, f"invalid JSON ({error.msg} at line {error.lineno})") from None
