"""The shared HTTP layer and its cache, on httpx mock transports (no network, no waiting)."""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import time
import tracemalloc
import zlib
from pathlib import Path

import httpx
import pytest
import stamina

from marketshock import __version__
from marketshock.errors import (
    BadResponse,
    BodyTooLarge,
    HttpStatusError,
    NetworkError,
    ProviderTimeout,
    RateLimited,
    RedirectRefused,
)
from marketshock.providers import chain
from marketshock.providers import http as http_module
from marketshock.providers.cache import Cache, Entry
from marketshock.providers.http import USER_AGENT, Http, RequestSpec, json_body, retry_after_seconds

SPEC = RequestSpec("yahoo", "BTC price history", "https://example.test/v8/finance/chart/BTC-USD", ttl=600)


@pytest.fixture(autouse=True)
def no_backoff():
    # Retries still happen as configured; only the waits between them are skipped.
    with stamina.set_testing(True, attempts=10, cap=True):
        yield


def make_http(
    handler, *, retries=2, cache=None, refresh=False, trace=None, max_per_host=4, max_body=1_000_000, deadline=None
) -> Http:
    return Http(
        timeout=0.5,
        retries=retries,
        max_per_host=max_per_host,
        max_body=max_body,
        deadline=deadline,
        cache=cache,
        refresh=refresh,
        trace=trace,
        transport=httpx.MockTransport(handler),
    )


def fetch(http: Http, spec: RequestSpec = SPEC, parse=lambda text: text, **kwargs):
    async def go():
        try:
            return await http.fetch(spec, parse, **kwargs)
        finally:
            await http.aclose()

    return asyncio.run(go())


def counting(responses):
    """A handler answering from a list (the last one repeats) and counting requests."""
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        answer = responses[min(len(calls), len(responses)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handler, calls


# --- retries ------------------------------------------------------------------------------


def test_a_server_error_is_retried_until_it_answers():
    handler, calls = counting([httpx.Response(503), httpx.Response(502), httpx.Response(200, text="ok")])
    assert fetch(make_http(handler, retries=2)).value == "ok"
    assert len(calls) == 3


def test_a_client_error_is_not_retried_and_names_the_status():
    handler, calls = counting([httpx.Response(404, text='{"chart":{"error":{"description":"gone"}}}')])
    with pytest.raises(HttpStatusError) as error:
        fetch(make_http(handler, retries=3))
    assert len(calls) == 1
    assert error.value.status == 404
    assert str(error.value) == "yahoo: BTC price history: HTTP 404 Not Found"


def test_retries_stop_at_the_configured_budget():
    handler, calls = counting([httpx.Response(500)])
    with pytest.raises(HttpStatusError, match="HTTP 500"):
        fetch(make_http(handler, retries=1))
    assert len(calls) == 2


def test_rate_limited_after_retries_is_its_own_kind():
    handler, calls = counting([httpx.Response(429, headers={"Retry-After": "0"})])
    with pytest.raises(RateLimited) as error:
        fetch(make_http(handler, retries=1))
    assert error.value.kind == "rate-limited"
    assert len(calls) == 2


def test_a_retry_after_longer_than_the_budget_fails_at_once():
    handler, calls = counting([httpx.Response(429, headers={"Retry-After": "3600"})])
    with pytest.raises(RateLimited, match="wait 3600 s"):
        fetch(make_http(handler, retries=3))
    assert len(calls) == 1


def test_a_refused_connect_is_retried_once_then_reported_as_network():
    # Nothing listens there: one retry for a server restarting, not the whole backoff budget,
    # so a run without network ends in seconds (issue 12).
    handler, calls = counting([httpx.ConnectError("[Errno 111] Connection refused")])
    http = make_http(handler, retries=3)
    with pytest.raises(NetworkError, match="connection refused"):
        fetch(http)
    assert len(calls) == 2
    assert len(http.unreachable) == 1 and http.answered == 0


def test_other_connect_errors_are_retried_then_reported_as_network():
    handler, calls = counting([httpx.ConnectError("[Errno 113] No route to host")])
    with pytest.raises(NetworkError, match="No route to host"):
        fetch(make_http(handler, retries=2))
    assert len(calls) == 3


def test_a_host_name_that_does_not_exist_is_not_retried():
    # Without a network every retry of a failed name lookup fails the same way, only later.
    handler, calls = counting([httpx.ConnectError("[Errno -2] Name or service not known")])
    with pytest.raises(NetworkError, match="host name not found"):
        fetch(make_http(handler, retries=3))
    assert len(calls) == 1


def test_a_connect_timeout_is_not_retried():
    # The kernel has resent the SYN within the connect timeout: another attempt would wait as long.
    handler, calls = counting([httpx.ConnectTimeout("timed out")])
    http = make_http(handler, retries=3)
    with pytest.raises(ProviderTimeout, match=r"no connection within 0\.5 s \(example\.test\)"):
        fetch(http)
    assert len(calls) == 1
    assert http.unreachable == {"yahoo": "no connection within 0.5 s (example.test)"}


def test_the_connect_timeout_is_its_own_setting_and_never_longer_than_the_timeout():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(200, text="ok")

    http = Http(timeout=10, connect_timeout=2.5, retries=0, transport=httpx.MockTransport(handler))
    fetch(http)
    assert seen == [{"connect": 2.5, "read": 10, "write": 10, "pool": 10}]
    assert Http(timeout=1, connect_timeout=2.5, retries=0).connect_timeout == 1


def timeouts_of_two_requests(http: Http) -> list[str]:
    """Fetch BTC's then ETH's history from the same host; the message of each that timed out."""
    other = RequestSpec("yahoo", "ETH price history", "https://example.test/v8/finance/chart/ETH-USD", ttl=600)

    async def go() -> list[str]:
        outcomes = []
        for spec in (SPEC, other):
            try:
                await http.fetch(spec, lambda text: text)
            except ProviderTimeout as error:
                outcomes.append(str(error))
        await http.aclose()
        return outcomes

    return asyncio.run(go())


def test_a_host_whose_handshake_timed_out_is_not_asked_again_in_the_run():
    handler, calls = counting([httpx.ConnectTimeout("timed out"), httpx.Response(200, text="ok")])
    assert timeouts_of_two_requests(make_http(handler, retries=3)) == [
        "yahoo: BTC price history: no connection within 0.5 s (example.test)",
        "yahoo: ETH price history: no connection within 0.5 s (example.test)",
    ]
    assert len(calls) == 1  # the second request never left


def test_once_two_providers_handshakes_timed_out_and_none_answered_connects_get_one_second():
    connects = []

    def handler(request: httpx.Request) -> httpx.Response:
        connects.append(request.extensions["timeout"]["connect"])
        raise httpx.ConnectTimeout("timed out")

    http = Http(timeout=10, connect_timeout=3, retries=3, transport=httpx.MockTransport(handler))
    specs = [RequestSpec(p, "x", f"https://{p}.test/x", ttl=0) for p in ("yahoo", "fred", "stooq")]

    async def go():
        for spec in specs:
            with pytest.raises(ProviderTimeout):
                await http.fetch(spec, lambda text: text)
        await http.aclose()

    asyncio.run(go())
    assert connects == [3, 3, 1.0]


def test_read_timeouts_are_reported_as_timeouts():
    handler, _ = counting([httpx.ReadTimeout("timed out")])
    with pytest.raises(ProviderTimeout, match=r"no response within 0\.5 s, 2 attempts") as error:
        fetch(make_http(handler, retries=1))
    assert error.value.kind == "timeout"


def test_a_silent_read_is_retried_once_whatever_the_retry_budget():
    # A host that accepts connections and answers nothing would otherwise cost every request
    # timeout x (retries + 1) plus the backoffs.
    handler, calls = counting([httpx.ReadTimeout("timed out")])
    with pytest.raises(ProviderTimeout, match=r"no response within 0\.5 s, 2 attempts \(example\.test\)"):
        fetch(make_http(handler, retries=3))
    assert len(calls) == 2


def test_a_host_that_never_answered_is_not_asked_again_in_the_run():
    handler, calls = counting([httpx.ReadTimeout("timed out")])
    http = make_http(handler, retries=3)
    said = timeouts_of_two_requests(http)[1]
    assert said == "yahoo: ETH price history: no response within 0.5 s (example.test)"
    assert len(calls) == 2  # both attempts of the first request; the second never left
    assert http.unreachable == {"yahoo": "no response within 0.5 s, 2 attempts (example.test)"}


def test_a_cut_connection_is_a_network_error():
    handler, _ = counting([httpx.RemoteProtocolError("peer closed connection without sending complete message body")])
    with pytest.raises(NetworkError, match="closed before the whole response"):
        fetch(make_http(handler, retries=0))


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("7", 7.0), ("Wed, 25 Nov 2026 10:00:30 GMT", 30.0), ("Wed, 25 Nov 2026 09:00:00 GMT", 0.0), ("soon", None)],
)
def test_retry_after_reads_seconds_and_http_dates(header, seconds):
    now = dt.datetime(2026, 11, 25, 10, 0, 0, tzinfo=dt.UTC)
    assert retry_after_seconds(header, now) == seconds


# --- requests -----------------------------------------------------------------------------


def test_requests_carry_the_marketshock_user_agent():
    handler, calls = counting([httpx.Response(200, text="ok")])
    fetch(make_http(handler))
    assert calls[0].headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith(f"marketshock/{__version__} (+")


def test_a_provider_header_overrides_the_user_agent():
    handler, calls = counting([httpx.Response(200, text="ok")])
    spec = RequestSpec("sec", "ticker map", "https://example.test/files/x.json", headers={"User-Agent": "Jo jo@x.org"})
    fetch(make_http(handler), spec)
    assert calls[0].headers["User-Agent"] == "Jo jo@x.org"


def test_no_more_than_max_per_host_requests_are_in_flight():
    in_flight, peak = 0, 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return httpx.Response(200, text="ok")

    http = make_http(handler, max_per_host=2)
    specs = [RequestSpec("coinbase", "BTC", f"https://example.test/page/{i}") for i in range(8)]

    async def go():
        try:
            await asyncio.gather(*(http.fetch(s, str) for s in specs))
        finally:
            await http.aclose()

    asyncio.run(go())
    assert peak == 2


def test_concurrent_callers_of_one_request_share_one_response():
    async def handler(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.01)
        return httpx.Response(200, text="tickers")

    calls = []

    async def counted(request):
        calls.append(request)
        return await handler(request)

    http = make_http(counted)

    async def go():
        try:
            return await asyncio.gather(*(http.fetch(SPEC, str) for _ in range(5)))
        finally:
            await http.aclose()

    assert [f.value for f in asyncio.run(go())] == ["tickers"] * 5
    assert len(calls) == 1


def test_secret_parameters_never_reach_errors_or_traces():
    lines: list[str] = []
    handler, calls = counting([httpx.Response(500)])
    spec = RequestSpec("fred", "ICSA claims", "https://example.test/fred/series/observations", {"api_key": "s3cr3tk3y"})
    with pytest.raises(HttpStatusError) as error:
        fetch(make_http(handler, retries=1, trace=lines.append), spec)
    assert calls[0].url.params["api_key"] == "s3cr3tk3y"  # sent to the provider...
    assert "s3cr3tk3y" not in str(error.value)  # ...and shown nowhere
    assert lines and not any("s3cr3tk3y" in line for line in lines)
    assert "api_key=%2A%2A%2A" in spec.display_url()


def test_a_value_no_date_can_hold_is_a_bad_response_not_a_crash():
    # e.g. Yahoo's gmtoffset or a split's date far beyond any calendar: an OverflowError in the parser.
    def parse(text):
        return dt.datetime.fromtimestamp(1e20)

    handler, _ = counting([httpx.Response(200, text="{}")])
    with pytest.raises(BadResponse, match="unexpected response shape"):
        fetch(make_http(handler), parse=parse)


def test_an_html_page_where_json_was_expected_is_a_bad_response():
    with pytest.raises(BadResponse, match="HTML page"):
        json_body("yahoo", "BTC", "<!DOCTYPE html><html><body>consent</body></html>")


def test_an_unforeseen_shape_is_a_bad_response_naming_provider_and_dataset():
    handler, _ = counting([httpx.Response(200, text="{}")])
    with pytest.raises(BadResponse) as error:
        fetch(make_http(handler), parse=lambda text: json_body("yahoo", "x", text)["chart"])
    assert str(error.value).startswith("yahoo: BTC price history: unexpected response shape")


# --- redirects ------------------------------------------------------------------------------

FRED = RequestSpec("fred", "ICSA claims", "https://fred.test/fred/series/observations", {"api_key": "k3yk3yk3y"})


def redirecting(location: str, final: httpx.Response | None = None):
    """A handler that redirects the first request to `location` and answers the rest with `final`."""
    return counting([httpx.Response(301, headers={"Location": location}), final or httpx.Response(200, text="ok")])


def test_a_redirect_on_the_same_scheme_and_host_is_followed():
    handler, calls = redirecting("/v8/finance/chart/BTC-USD?moved=1")
    assert fetch(make_http(handler)).value == "ok"
    assert [c.url.host for c in calls] == ["example.test", "example.test"]


def test_a_redirect_to_another_host_is_refused_naming_both_hosts():
    handler, calls = redirecting("https://elsewhere.test/fred/series/observations?api_key=k3yk3yk3y")
    with pytest.raises(RedirectRefused) as error:
        fetch(make_http(handler), FRED)
    assert "from https://fred.test to https://elsewhere.test" in str(error.value)
    assert error.value.kind == "redirect"
    assert [c.url.host for c in calls] == ["fred.test"]  # the key never went to the other host


def test_a_redirect_to_another_scheme_is_refused():
    handler, calls = redirecting("http://example.test/v8/finance/chart/BTC-USD")
    with pytest.raises(RedirectRefused, match=r"to http://example\.test"):
        fetch(make_http(handler))
    assert len(calls) == 1


def test_a_redirect_to_another_port_is_refused():
    handler, _ = redirecting("https://example.test:8443/v8/finance/chart/BTC-USD")
    with pytest.raises(RedirectRefused, match=r"to https://example\.test:8443"):
        fetch(make_http(handler))


def test_endless_redirects_stop():
    handler, calls = counting([httpx.Response(302, headers={"Location": "/again"})])
    with pytest.raises(RedirectRefused, match="more than 5 redirects"):
        fetch(make_http(handler))
    assert len(calls) == 6


def test_a_refused_redirect_serves_the_last_good_value_marked_stale(tmp_path):
    cache = Cache(tmp_path)
    old = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cache.put("yahoo", SPEC.key, Entry("old", old, old + dt.timedelta(minutes=5)), url=SPEC.url, dataset="x")
    handler, _ = redirecting("https://elsewhere.test/")
    result = through_the_chain(make_http(handler, cache=cache), SPEC)
    assert (result.value, result.stale) == ("old", True)
    assert isinstance(result.error.parts[0], RedirectRefused)


# --- size and time limits -------------------------------------------------------------------


async def endless(chunk: bytes = b"x" * 65536, pause: float = 0.0):
    while True:
        if pause:
            await asyncio.sleep(pause)
        yield chunk


def test_a_body_announced_over_the_cap_is_refused_before_it_is_read():
    handler, _ = counting([httpx.Response(200, headers={"Content-Length": "2000000"}, content=endless())])
    with pytest.raises(BodyTooLarge, match="announced") as error:
        fetch(make_http(handler, max_body=1_000_000))
    assert error.value.kind == "too-large"


def test_an_endless_streamed_body_is_cut_off_at_the_cap():
    handler, _ = counting([httpx.Response(200, content=endless())])
    with pytest.raises(BodyTooLarge, match=r"over the 0\.5 MiB limit \(more arrived; http\.max_body_mb\)"):
        fetch(make_http(handler, max_body=512 * 1024))


async def streamed(data: bytes, size: int = 1024):
    """`data` as a network would deliver it: in reads of `size` bytes."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


def encoded(data: bytes, encoding: str) -> httpx.Response:
    return httpx.Response(200, headers={"Content-Encoding": encoding}, content=streamed(data))


def test_the_cap_counts_the_body_after_decompression():
    bomb = gzip.compress(b"0" * 4_000_000)  # 4 MB of zeros in about 4 kB
    handler, _ = counting([encoded(bomb, "gzip")])
    with pytest.raises(BodyTooLarge):
        fetch(make_http(handler, max_body=1_000_000))


def test_one_read_of_a_compressed_body_never_inflates_past_the_cap():
    bomb = gzip.compress(b"0" * 50_000_000)  # one read of 50 kB would inflate to 50 MB at once
    handler, _ = counting([httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=streamed(bomb, 1 << 20))])
    tracemalloc.start()
    try:
        with pytest.raises(BodyTooLarge):
            fetch(make_http(handler, max_body=1_000_000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10_000_000  # inflating the read whole would take 50 MB


@pytest.mark.parametrize(("encoding", "compress"), [("gzip", gzip.compress), ("deflate", zlib.compress)])
def test_a_compressed_body_is_inflated(encoding, compress):
    handler, _ = counting([encoded(compress("Kospi -5%, 코스피".encode() * 1000), encoding)])
    assert fetch(make_http(handler)).value == "Kospi -5%, 코스피" * 1000


def test_a_corrupt_compressed_body_is_a_bad_response():
    handler, _ = counting([encoded(b"\x1f\x8b not gzip at all", "gzip")])
    with pytest.raises(BadResponse, match="compressed body is corrupt"):
        fetch(make_http(handler))


def test_an_encoding_we_never_asked_for_is_a_bad_response():
    handler, _ = counting([encoded(b"...", "br")])
    with pytest.raises(BadResponse, match="unsupported Content-Encoding 'br'"):
        fetch(make_http(handler))


def test_a_body_at_the_cap_is_read_whole():
    handler, _ = counting([httpx.Response(200, content=b"y" * 1000)])
    assert fetch(make_http(handler, max_body=1000)).value == "y" * 1000


def test_an_error_body_is_capped_too():
    handler, calls = counting([httpx.Response(404, content=endless())])
    with pytest.raises(BodyTooLarge):
        fetch(make_http(handler, max_body=100_000, retries=2))
    assert len(calls) == 1  # too large is an answer, not a glitch: never retried


def test_only_one_body_at_a_time_grows_past_the_big_body_size(monkeypatch):
    # Concurrent endless bodies would each hold up to the cap; past BIG_BODY they take turns.
    monkeypatch.setattr(http_module, "BIG_BODY", 2000)
    sent: dict[str, int] = {}
    seen_when_refused: list[dict[str, int]] = []

    async def body(name: str):
        sent[name] = 0
        while True:
            sent[name] += 500
            if sent[name] > 10_000:  # this chunk gets the body refused
                seen_when_refused.append(dict(sent))
            yield b"z" * 500
            await asyncio.sleep(0)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body(request.url.path))

    http = make_http(handler, max_body=10_000)
    specs = [RequestSpec("yahoo", name, f"https://example.test/{name}") for name in ("a", "b")]

    async def go():
        try:
            return await asyncio.gather(*(http.fetch(s, str) for s in specs), return_exceptions=True)
        finally:
            await http.aclose()

    assert all(isinstance(r, BodyTooLarge) for r in asyncio.run(go()))
    first = seen_when_refused[0]
    # The other one waits with the chunk that would take it past the big-body size in hand.
    assert sorted(first.values()) == [2000 + 500, 10_000 + 500]


def test_a_trickling_body_is_cut_off_at_the_deadline():
    # Each byte restarts httpx's read timeout; only the deadline stops this.
    handler, _ = counting([httpx.Response(200, content=endless(b".", pause=0.05))])
    started = time.monotonic()
    with pytest.raises(ProviderTimeout, match=r"within the 0\.3 s deadline \(http\.deadline\)") as error:
        fetch(make_http(handler, deadline=0.3))
    assert time.monotonic() - started < 0.3 + 1  # generous: the deadline plus one second
    assert error.value.kind == "timeout"


def test_the_deadline_covers_every_attempt_not_each():
    handler, calls = counting([httpx.Response(503, content=endless(b".", pause=0.05))])
    with pytest.raises(ProviderTimeout, match="deadline"):
        fetch(make_http(handler, retries=5, deadline=0.3))
    assert len(calls) == 1


def test_the_default_deadline_is_every_attempt_timing_out_and_every_wait_at_its_longest():
    assert make_http(None, retries=3).deadline == 0.5 * 4 + 8 * 3


def test_a_limit_that_cuts_a_fetch_off_serves_the_last_good_value_marked_stale(tmp_path):
    cache = Cache(tmp_path)
    old = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cache.put("yahoo", SPEC.key, Entry("old", old, old + dt.timedelta(minutes=5)), url=SPEC.url, dataset="x")
    handler, _ = counting([httpx.Response(200, content=endless(b".", pause=0.05))])
    result = through_the_chain(make_http(handler, cache=cache, deadline=0.2), SPEC)
    assert (result.value, result.stale) == ("old", True)
    assert isinstance(result.error.parts[0], ProviderTimeout)


# --- secrets and outside text ---------------------------------------------------------------


def test_a_key_echoed_in_an_error_body_never_reaches_the_error():
    echo = '{"error_message": "Bad Request. URL: https://fred.test/fred/series/observations?api_key=k3yk3yk3y"}'
    handler, _ = counting([httpx.Response(400, text=echo)])
    with pytest.raises(HttpStatusError) as error:
        fetch(make_http(handler), FRED)
    from marketshock.providers import fred

    assert "k3yk3yk3y" not in str(fred.api_error(error.value))


def test_a_key_echoed_in_a_good_body_is_masked_in_the_cache(tmp_path):
    handler, _ = counting([httpx.Response(200, text="observations for k3yk3yk3y")])
    fetch(make_http(handler, cache=Cache(tmp_path)), FRED)
    stored = [p.read_text() for p in tmp_path.rglob("*.json")]
    assert stored and not any("k3yk3yk3y" in text for text in stored)


def test_escapes_in_a_reason_phrase_are_removed():
    handler, _ = counting([httpx.Response(404, extensions={"reason_phrase": b"Not \x1b]0;pwned\x07Found\x1b[31m"})])
    with pytest.raises(HttpStatusError) as error:
        fetch(make_http(handler))
    assert str(error.value) == "yahoo: BTC price history: HTTP 404 Not Found"


# --- the cache ----------------------------------------------------------------------------


def test_a_fresh_cache_entry_makes_no_request(tmp_path):
    handler, calls = counting([httpx.Response(200, text="first")])
    cache = Cache(tmp_path)
    assert fetch(make_http(handler, cache=cache)).value == "first"
    again = fetch(make_http(handler, cache=cache))
    assert again.value == "first" and not again.stale
    assert len(calls) == 1


def test_entries_live_in_one_directory_per_provider(tmp_path):
    handler, _ = counting([httpx.Response(200, text="x")])
    fetch(make_http(handler, cache=Cache(tmp_path)))
    assert [p.name for p in tmp_path.iterdir()] == ["yahoo"]
    assert len(list((tmp_path / "yahoo").glob("*.json"))) == 1


def test_an_expired_entry_is_fetched_again(tmp_path):
    cache = Cache(tmp_path)
    old = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cache.put("yahoo", SPEC.key, Entry("old", old, old + dt.timedelta(minutes=5)), url=SPEC.url, dataset="x")
    handler, calls = counting([httpx.Response(200, text="new")])
    assert fetch(make_http(handler, cache=cache)).value == "new"
    assert len(calls) == 1


def through_the_chain(http: Http, *specs: RequestSpec):
    """`fetch` through the fallback chain (providers/chain.py), one provider a spec."""

    async def go():
        try:
            attempts = [(s.provider, lambda mode, s=s: http.fetch(s, lambda text: text, stale=mode)) for s in specs]
            return await chain.first(attempts, cached=http.cache.root is not None)
        finally:
            await http.aclose()

    return asyncio.run(go())


def test_a_failing_provider_serves_the_last_good_value_marked_stale(tmp_path):
    cache = Cache(tmp_path)
    old = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cache.put("yahoo", SPEC.key, Entry("old", old, old + dt.timedelta(minutes=5)), url=SPEC.url, dataset="x")
    handler, _ = counting([httpx.Response(503)])
    result = through_the_chain(make_http(handler, retries=0, cache=cache), SPEC)
    assert (result.value, result.stale, result.fetched_at) == ("old", True, old)
    assert isinstance(result.error.parts[0], HttpStatusError)


def test_a_failing_provider_alone_does_not_serve_a_stale_value(tmp_path):
    cache = Cache(tmp_path)
    old = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cache.put("yahoo", SPEC.key, Entry("old", old, old + dt.timedelta(minutes=5)), url=SPEC.url, dataset="x")
    handler, _ = counting([httpx.Response(503)])
    with pytest.raises(HttpStatusError):
        fetch(make_http(handler, retries=0, cache=cache))


def test_a_fresh_fallback_beats_a_stale_first_choice(tmp_path):
    cache = Cache(tmp_path)
    old = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cache.put("yahoo", SPEC.key, Entry("old", old, old + dt.timedelta(minutes=5)), url=SPEC.url, dataset="x")
    second = RequestSpec("stooq", "BTC price history", "https://stooq.test/q/d/l/", ttl=600)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503) if request.url.host == "example.test" else httpx.Response(200, text="fresh")

    result = through_the_chain(make_http(handler, retries=0, cache=cache), SPEC, second)
    assert (result.value, result.stale) == ("fresh", False)


def test_refresh_skips_a_fresh_entry_but_falls_back_to_it_when_the_provider_fails(tmp_path):
    handler, _ = counting([httpx.Response(200, text="v1")])
    cache = Cache(tmp_path)
    fetch(make_http(handler, cache=cache))
    handler2, calls2 = counting([httpx.Response(200, text="v2")])
    assert fetch(make_http(handler2, cache=cache, refresh=True)).value == "v2"
    assert len(calls2) == 1
    failing, _ = counting([httpx.ConnectError("[Errno 111] Connection refused")])
    fallback = through_the_chain(make_http(failing, retries=0, cache=cache, refresh=True), SPEC)
    assert (fallback.value, fallback.stale) == ("v2", True)


def test_a_body_that_does_not_parse_is_never_stored(tmp_path):
    handler, _ = counting([httpx.Response(200, text="<html>oops</html>")])
    with pytest.raises(BadResponse):
        fetch(make_http(handler, cache=Cache(tmp_path)), parse=lambda t: json_body("yahoo", "x", t))
    assert not list(tmp_path.rglob("*.json"))


def test_a_corrupt_cache_file_is_a_miss(tmp_path):
    cache = Cache(tmp_path)
    (tmp_path / "yahoo").mkdir()
    (tmp_path / "yahoo" / f"{SPEC.key}.json").write_text('{"format": 1, "body": "trunc')
    handler, calls = counting([httpx.Response(200, text="fresh")])
    assert fetch(make_http(handler, cache=cache)).value == "fresh"
    assert len(calls) == 1


def test_a_read_only_cache_directory_is_no_cache():
    # /proc refuses new directories even to root, which writes through ordinary read-only modes.
    read_only = Cache(Path("/proc/marketshock-cache"))
    handler, calls = counting([httpx.Response(200, text="x")])
    assert fetch(make_http(handler, cache=read_only)).value == "x"
    assert fetch(make_http(handler, cache=read_only)).value == "x"
    assert len(calls) == 2


def test_a_cache_root_that_cannot_be_created_is_no_cache(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    handler, calls = counting([httpx.Response(200, text="x")])
    assert fetch(make_http(handler, cache=Cache(blocker / "cache"))).value == "x"
    assert len(calls) == 1


def test_a_write_replaces_the_file_atomically_and_leaves_no_temporary(tmp_path):
    cache = Cache(tmp_path)
    now = dt.datetime(2026, 2, 6, tzinfo=dt.UTC)
    for body in ("one", "two"):
        assert cache.put("fred", "k", Entry(body, now, now), url="u", dataset="d")
    assert cache.get("fred", "k").body == "two"
    assert [p.name for p in Path(tmp_path, "fred").iterdir()] == ["k.json"]


def test_two_processes_writing_one_key_leave_a_readable_entry(tmp_path):
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_write_many, args=(str(tmp_path), n)) for n in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    assert all(p.exitcode == 0 for p in procs)
    entry = Cache(tmp_path).get("yahoo", "shared")
    assert entry is not None and entry.body.startswith("writer-")


def _write_many(root: str, n: int) -> None:
    cache = Cache(Path(root))
    now = dt.datetime(2026, 2, 6, tzinfo=dt.UTC)
    for i in range(200):
        cache.put("yahoo", "shared", Entry(f"writer-{n}-{i}" * 50, now, now), url="u", dataset="d")
        got = cache.get("yahoo", "shared")
        assert got is None or got.body.startswith("writer-")
