"""The one HTTP layer every live adapter goes through.

It is the only place that builds an `httpx.AsyncClient`, and it owns what the peers' issue
trackers show going wrong: a timeout on every request; retries with exponential backoff and
jitter (stamina) on connect and read errors, HTTP 429 and 5xx only, honouring `Retry-After`
in seconds or as an HTTP date; a limit on requests in flight per host; a User-Agent naming
marketshock and its version; the on-disk cache (`cache.py`) (the stale fallback when a provider
fails is the chain's: `chain.py`); and errors of the `errors.py` hierarchy (timeout, network,
http-status, rate-limited, bad-response, too-large, redirect) whose every message names
provider, dataset and cause, and never a secret (`formatting.safe_text` masks them, and a body
is stored in the cache with secrets masked too).

It also holds the boundary against whatever a server sends:
- one deadline per request (`http.deadline`) over connect, every read and the waits between
  attempts: httpx's read timeout restarts with each byte, so without it a server trickling a
  byte at a time would never be cut off;
- a cap on the body (`http.max_body_mb`), counted as it streams in, after decompression (done
  here on zlib, bounded per read, rather than by httpx, which inflates a read whole);
  only one body at a time may grow past `BIG_BODY`, so the run's memory stays near one cap;
- redirects followed only to the scheme and host the request went to, so a key in the query
  never travels to another host.

An adapter hands over a `RequestSpec` and a parse function. A body is stored only after it
parsed, and a cached body is parsed again on the way out, so adapters see one path.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import json
import time
import zlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar
from urllib.parse import urlencode, urlsplit

import httpx
import stamina

from marketshock import __version__
from marketshock.errors import (
    BadResponse,
    BodyTooLarge,
    HttpStatusError,
    NetworkError,
    NotCached,
    ProviderError,
    ProviderTimeout,
    RateLimited,
    RedirectRefused,
    first_reason,
)
from marketshock.formatting import SECRET_PARAMS, add_secret, redact
from marketshock.providers.cache import Cache, Entry, cache_key

T = TypeVar("T")

USER_AGENT = f"marketshock/{__version__} (+https://pypi.org/project/marketshock/)"
MAX_REDIRECTS = 5
MIB = 1024 * 1024
# A body may grow to this size alongside others; past it, it waits its turn to be the one big
# body in memory (Yahoo's longest history is a few MiB, so real answers never queue).
BIG_BODY = 8 * MIB
INFLATE_PIECE = 256 * 1024  # the most one step of inflating a compressed body may produce
BACKOFF_INITIAL = 0.25  # seconds before the first retry (plus jitter)
BACKOFF_MAX = 8.0  # longest wait between two attempts
BACKOFF_JITTER = 0.25
RETRY_AFTER_MAX = 60.0  # a server asking for longer than this is treated as "not now"
REFUSED_RETRIES = 1  # a refused connect is retried once (a server restarting), then reported
# Once two hosts are down (a handshake, or every read of a host that never answered, timed out)
# and nothing has answered, the network looks down: every later connect gets DOWN_CONNECT_TIMEOUT,
# so a run without network ends in seconds. Still tried, not skipped: a host that answers at all
# answers a handshake in well under 1 s.
DOWN_AFTER = 2
# A read that stays silent for the whole timeout is retried once (a stalled connection), not
# `retries` times: a host that accepts connections and never answers would otherwise cost every
# request timeout x (retries + 1) plus the backoffs (over a minute each with the defaults).
SILENT_RETRIES = 1
DOWN_CONNECT_TIMEOUT = 1.0


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

    def __post_init__(self) -> None:
        # A key in the query is masked wherever it turns up later, even echoed in a body.
        for name, value in self.params.items():
            if name.lower() in SECRET_PARAMS:
                add_secret(value)

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

    def __init__(self, response: httpx.Response, text: str) -> None:
        super().__init__(response.status_code)
        self.response = response
        self.text = text
        self.retry_after = retry_after_seconds(response.headers.get("Retry-After"))


def _origin(url: httpx.URL) -> str:
    """scheme://host[:port] of a URL: what a redirect must keep, and how a host is named."""
    port = f":{url.port}" if url.port is not None else ""
    return f"{url.scheme}://{url.host}{port}"


class _HostDown(Exception):
    """A host whose handshake timed out earlier in this run: not asked again (the cause is the first's)."""

    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


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


def _inflater(spec: RequestSpec, encoding: str) -> Any:
    """A zlib decompressor for the body's Content-Encoding (gzip or deflate, what we ask for), or
    None for an identity body. Hand-written on zlib because httpx inflates each network read
    whole before a caller can count it; zlib's `max_length` bounds what one read can become."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip", "deflate"):
        return zlib.decompressobj(zlib.MAX_WBITS | 32)  # +32: a gzip or a zlib header, detected
    raise BadResponse(spec.provider, spec.dataset, f"unsupported Content-Encoding {encoding!r}")


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


def _inflate(spec: RequestSpec, inflate: Any, data: bytes, most: int) -> bytes:
    try:
        out: bytes = inflate.decompress(data, most)
        return out
    except zlib.error:
        raise BadResponse(spec.provider, spec.dataset, "the compressed body is corrupt") from None


# --- the client ---------------------------------------------------------------------------


class Http:
    """One per run: a shared AsyncClient, per-host semaphores, the cache, and a trace hook."""

    def __init__(
        self,
        *,
        timeout: float,
        retries: int,
        connect_timeout: float | None = None,
        max_per_host: int = 8,
        max_body: int = 64 * MIB,
        deadline: float | None = None,
        cache: Cache | None = None,
        refresh: bool = False,
        trace: Callable[[str], None] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.timeout = timeout
        self.connect_timeout = min(connect_timeout or timeout, timeout)
        self.retries = retries
        self.max_body = max_body  # bytes, after decompression
        # The whole of one request, every attempt and wait included; by default what every attempt
        # takes if each uses its full timeout, plus the longest wait before each retry (10 s x 4 + 8 s x 3),
        # so a Retry-After that fits is still honoured.
        self.deadline = deadline if deadline is not None else timeout * (retries + 1) + BACKOFF_MAX * retries
        self.max_per_host = max_per_host
        self.cache = cache or Cache(None)
        self.refresh = refresh
        self.trace = trace or (lambda _line: None)
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._host_limits: dict[str, asyncio.Semaphore] = {}
        # One body at a time may grow past BIG_BODY: the cap then bounds the run's memory, not
        # each of its concurrent requests' (eight endless bodies would otherwise hold 8 x the cap).
        self._big_body = asyncio.Lock()
        self._inflight: dict[str, asyncio.Future[tuple[str, dt.datetime]]] = {}
        self._texts: dict[str, tuple[str, dt.datetime]] = {}  # bodies fetched during this run, by cache key
        self.requests_sent = 0
        # Whether the network is there at all: answers had (any HTTP status, a cached body) and
        # the providers whose every request failed to connect or resolve, with the first cause.
        self.answered = 0
        self.unreachable: dict[str, str] = {}
        # Hosts whose handshake timed out, with the cause: a run lasts seconds, and a host that did
        # not answer a SYN resent by the kernel will not answer the next request's either; the
        # requests queued behind it fail at once and fall back instead of each waiting its own timeout.
        self._down_hosts: dict[str, str] = {}
        self._answered_hosts: set[str] = set()  # hosts that answered at least once in this run
        self._silent: dict[str, int] = {}  # attempts per host that timed out waiting for a response
        # stamina logs every retry through `logging` by default, which would print on stderr;
        # retries are traced through `trace` (shown with --verbose) instead.
        stamina.instrumentation.set_on_retry_hooks([])

    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.timeout, connect=self.connect_timeout),
                headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
                follow_redirects=False,  # followed in `_get`, to the same origin only
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
            self.answered += 1  # something to show, if only from the cache
            return Fetched(value, entry.fetched_at, stale=not entry.fresh(now))
        if entry is not None and entry.fresh(now) and not self.refresh:
            try:
                value = self._parse(spec, parse, entry.body)
            except ProviderError:
                entry = None  # a stored body that no longer parses is a miss
            else:
                self.trace(f"{spec.provider}: {spec.dataset}: cache hit (fetched {entry.fetched_at:%Y-%m-%d %H:%M}Z)")
                self.answered += 1
                return Fetched(value, entry.fetched_at)
        try:
            text, fetched_at = await self._text(spec)
            value = self._parse(spec, parse, text)
        except ProviderError:
            raise
        expires_at = fetched_at + dt.timedelta(seconds=spec.ttl)
        stored = Entry(body=redact(text), fetched_at=fetched_at, expires_at=expires_at)
        self.cache.put(spec.provider, spec.key, stored, url=spec.url, dataset=spec.dataset)
        return Fetched(value, fetched_at)

    # -- internals ------------------------------------------------------------------------

    @staticmethod
    def _parse(spec: RequestSpec, parse: Callable[[str], T], text: str) -> T:
        try:
            return parse(text)
        except ProviderError:
            raise
        except (ValueError, KeyError, TypeError, IndexError, AttributeError, ArithmeticError) as error:
            # A parser's own checks name the field; this net catches a shape nobody foresaw (an
            # OverflowError among them: a timestamp or an offset no date can hold).
            detail = first_reason(error)
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
        shown = spec.display_url()
        loop = asyncio.get_running_loop()
        started: float | None = None  # when this request first got its slot: the deadline runs from there
        connect = self.connect_timeout  # this attempt's connect timeout, for the message
        silent = 0  # attempts that timed out waiting for the response so far
        refused = 0  # refused connects so far: nothing listens there, so retried only REFUSED_RETRIES times

        def backoff(error: BaseException) -> bool | float:
            nonlocal refused, silent
            if isinstance(error, _RetryableStatus):
                wait = error.retry_after
                if wait is not None:
                    remaining = self.deadline - (loop.time() - (started or loop.time()))
                    if wait > min(RETRY_AFTER_MAX, remaining):
                        return False  # asked to come back later than we can wait: fail now, fall back
                    self.trace(f"{spec.provider}: HTTP {error.response.status_code}, retrying in {wait:g} s")
                    return wait
                self.trace(f"{spec.provider}: HTTP {error.response.status_code}, retrying")
                return True
            if isinstance(error, httpx.ConnectTimeout):
                # The kernel has resent the SYN within the connect timeout already: a host that
                # did not answer it is down or filtered, and another attempt would wait as long.
                return False
            if isinstance(error, httpx.TimeoutException):
                silent += 1
                self._silent[host] = self._silent.get(host, 0) + 1
                if host not in self._answered_hosts and self._silent[host] >= 2:
                    # Two silent waits and not one answer from it in this run: a host that accepts
                    # connections and answers nothing. Every request to it stops here, queued or
                    # retrying, and falls back.
                    self._down_hosts.setdefault(host, f"no response within {self.timeout:g} s ({host})")
                if silent > SILENT_RETRIES:
                    return False
                self.trace(f"{spec.provider}: no response within {self.timeout:g} s, retrying")
                return True
            if isinstance(error, httpx.TransportError) and not isinstance(error, httpx.UnsupportedProtocol):
                cause = _describe_transport(error)
                if cause == "host name not found":
                    # The resolver says the name does not exist (not "try again"): on a machine
                    # without network every retry would fail the same way, only later.
                    return False
                if cause == "connection refused":
                    # Nothing listens there: one quick retry for a server restarting, no more, so a
                    # run without network ends in seconds rather than after every backoff.
                    refused += 1
                    if refused > REFUSED_RETRIES:
                        return False
                self.trace(f"{spec.provider}: {cause}, retrying")
                return True
            return False  # the deadline's cancellation among them: never retried

        limit = self._limit(spec.url)
        host = urlsplit(spec.url).netloc
        response: httpx.Response | None = None
        text = ""
        try:
            # One cut-off for the whole request: httpx's timeouts restart with every byte that
            # arrives and stamina's apply between attempts, so neither stops a trickle.
            async with asyncio.timeout(None) as cutoff:
                async for attempt in stamina.retry_context(
                    on=backoff,
                    attempts=attempts,
                    timeout=self.deadline,
                    wait_initial=BACKOFF_INITIAL,
                    wait_max=BACKOFF_MAX,
                    wait_jitter=BACKOFF_JITTER,
                ):
                    with attempt:
                        async with limit:
                            if (down := self._down_hosts.get(host)) is not None:
                                raise _HostDown(down)
                            if started is None:
                                started = loop.time()
                                cutoff.reschedule(started + self.deadline)
                            sent = time.monotonic()
                            self.requests_sent += 1
                            connect = self._connect_timeout()
                            response, text = await self._get(spec, connect)
                            self.answered += 1
                            self._answered_hosts.add(host)
                            self.trace(
                                f"{spec.provider}: GET {shown} -> {response.status_code} "
                                f"({(time.monotonic() - sent) * 1000:.0f} ms)"
                            )
                        if response.status_code == 429 or response.status_code >= 500:
                            raise _RetryableStatus(response, text)
        except _RetryableStatus as error:
            response, text = error.response, error.text
        except httpx.ConnectError as error:
            # Never connected (refused, no such host, no route): the network may be down altogether.
            cause = f"{_describe_transport(error)} ({urlsplit(spec.url).netloc})"
            self.unreachable.setdefault(spec.provider, cause)
            raise NetworkError(spec.provider, spec.dataset, cause) from None
        except httpx.ConnectTimeout:
            cause = f"no connection within {connect:g} s ({host})"
            self._down_hosts.setdefault(host, cause)
            self.unreachable.setdefault(spec.provider, cause)
            raise ProviderTimeout(spec.provider, spec.dataset, cause) from None
        except _HostDown as error:
            self.unreachable.setdefault(spec.provider, error.cause)
            raise ProviderTimeout(spec.provider, spec.dataset, error.cause) from None
        except TimeoutError:
            cause = f"no complete answer within the {self.deadline:g} s deadline (http.deadline)"
            raise ProviderTimeout(spec.provider, spec.dataset, cause) from None
        except httpx.TimeoutException:
            tries = f", {min(attempts, SILENT_RETRIES + 1)} attempts" if attempts > 1 else ""
            cause = f"no response within {self.timeout:g} s{tries} ({host})"
            # It accepts connections and answers nothing: the run's other requests to it would
            # wait as long; they fail at once and fall back instead.
            self._down_hosts.setdefault(host, cause)
            if host not in self._answered_hosts:  # not one answer in the run: as good as unreachable
                self.unreachable.setdefault(spec.provider, cause)
            raise ProviderTimeout(spec.provider, spec.dataset, cause) from None
        except httpx.TransportError as error:
            host = urlsplit(spec.url).netloc
            raise NetworkError(spec.provider, spec.dataset, f"{_describe_transport(error)} ({host})") from None
        assert response is not None
        status = response.status_code
        if status in spec.empty_on:
            return ""
        if status >= 400:
            reason = response.reason_phrase or ""
            body = text[:2000]
            if status == 429:
                after = retry_after_seconds(response.headers.get("Retry-After"))
                hint = f"; the server asks to wait {after:g} s" if after is not None else ""
                raise RateLimited(spec.provider, spec.dataset, f"HTTP 429 {reason}{hint}".rstrip(), status, body)
            raise HttpStatusError(spec.provider, spec.dataset, f"HTTP {status} {reason}".rstrip(), status, body)
        return text

    def _connect_timeout(self) -> float:
        """Seconds a connect may take now: `connect_timeout`, or DOWN_CONNECT_TIMEOUT once the
        network looks down (DOWN_AFTER hosts down and nothing answered)."""
        if not self.answered and len(self._down_hosts) >= DOWN_AFTER:
            return min(self.connect_timeout, DOWN_CONNECT_TIMEOUT)
        return self.connect_timeout

    async def _get(self, spec: RequestSpec, connect: float) -> tuple[httpx.Response, str]:
        """One GET and its body, following redirects that stay on the request's scheme and host
        (a key in the query must not travel to another host), reading at most `max_body` bytes."""
        client = self.client()
        timeout = httpx.Timeout(self.timeout, connect=connect)
        request = client.build_request("GET", spec.url, params=spec.params, headers=spec.headers, timeout=timeout)
        origin = _origin(request.url)
        for _ in range(MAX_REDIRECTS + 1):
            response = await client.send(request, stream=True)
            try:
                if response.next_request is None:
                    return response, await self._body(spec, response)
            finally:
                await response.aclose()
            request = response.next_request
            if _origin(request.url) != origin:
                raise RedirectRefused(
                    spec.provider,
                    spec.dataset,
                    f"HTTP {response.status_code} redirect from {origin} to {_origin(request.url)} refused: "
                    "only redirects to the same scheme and host are followed",
                )
            self.trace(f"{spec.provider}: HTTP {response.status_code}, redirected to {request.url.path}")
        raise RedirectRefused(spec.provider, spec.dataset, f"more than {MAX_REDIRECTS} redirects")

    async def _body(self, spec: RequestSpec, response: httpx.Response) -> str:
        """The body as text, refused as soon as it passes `max_body` bytes: a declared length
        is checked before reading, and the inflated bytes are counted as they arrive."""
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            raise self._too_large(spec, f"{int(declared) / MIB:,.1f} MiB announced")
        if response.is_stream_consumed:  # built in memory (httpx.MockTransport): httpx has decoded it already
            inflate, reads = None, _once(response.content)
        else:
            inflate, reads = _inflater(spec, response.headers.get("Content-Encoding", "")), response.aiter_raw()
        chunks: list[bytes] = []  # joined once at the end: a growing buffer would copy itself as it grows
        size = 0
        big = False
        try:
            async for raw in reads:
                while raw:
                    if inflate is None:
                        piece, raw = raw, b""
                    else:
                        # A piece at a time, never more than would pass the cap: 64 KiB of gzip
                        # can inflate to 64 MiB.
                        piece = _inflate(spec, inflate, raw, min(INFLATE_PIECE, self.max_body - size + 1))
                        raw = inflate.unconsumed_tail
                    size += len(piece)
                    if size > self.max_body:
                        chunks.clear()  # the error's traceback keeps this frame alive, not the bytes read
                        raise self._too_large(spec, "more arrived")
                    if not big and size > BIG_BODY:
                        await self._big_body.acquire()  # the deadline still runs while it waits
                        big = True
                    chunks.append(piece)
            return b"".join(chunks).decode(response.encoding or "utf-8", errors="replace")
        finally:
            if big:
                self._big_body.release()

    def _too_large(self, spec: RequestSpec, seen: str) -> BodyTooLarge:
        cause = f"response body over the {self.max_body / MIB:g} MiB limit ({seen}; http.max_body_mb)"
        return BodyTooLarge(spec.provider, spec.dataset, cause)


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
