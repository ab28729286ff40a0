"""Issue 12: a run where no provider answers says so in one line, exits 1, and does it fast.

Every base URL points at a closed port on 127.0.0.1 (nothing listens: the connect is refused),
as on a machine whose network is down; the retries are the defaults (3), which a refused
connect must not spend in backoff.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from harness import Run, invoke
from replay_server import ReplayServer

PROVIDERS = ("yahoo", "coingecko", "coinbase", "fred", "sec", "stooq")
DOWN = "marketshock: no provider reachable (6 tried): check the network, or use --offline"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env_for(tmp_path: Path, urls: dict[str, str]) -> dict[str, str]:
    return {
        "MARKETSHOCK_CACHE_DIR": str(tmp_path / "cache"),
        "MARKETSHOCK_SEC_USER_AGENT": "marketshock tests tests@example.com",
        "MARKETSHOCK_HTTP_RETRIES": "3",
        # Refused connects fail at once; the timeout only bounds a connect the loaded machine is slow
        # to refuse (a spurious timeout would mark the shared stand-in host down for the whole run).
        "MARKETSHOCK_HTTP_TIMEOUT": "2",
        "NO_COLOR": "1",
        "COLUMNS": "200",
        **{f"MARKETSHOCK_{p.upper()}_BASE_URL": url for p, url in urls.items()},
    }


def all_down(tmp_path: Path) -> dict[str, str]:
    port = closed_port()
    return env_for(tmp_path, {p: f"http://127.0.0.1:{port}" for p in PROVIDERS})


def timed(*args: str, env: dict[str, str]) -> tuple[Run, float]:
    started = time.monotonic()
    result = invoke(*args, env=env)
    assert "Traceback" not in result.err, result.err
    return result, time.monotonic() - started


def test_report_with_no_provider_reachable_is_one_line_and_exit_1_within_6_seconds(tmp_path):
    result, took = timed("report", env=all_down(tmp_path))
    assert result.code == 1, result.err
    assert result.err_lines == [DOWN]
    assert result.out == ""  # curated rows alone are not today's report
    assert took < 6, took


def test_report_json_with_no_provider_reachable_has_no_data_and_every_failure_in_errors(tmp_path):
    result, took = timed("report", "--json", env=all_down(tmp_path))
    assert result.code == 1
    assert result.err_lines == [DOWN]
    envelope = result.json()
    assert envelope["data"] is None
    assert envelope["errors"] and {e["kind"] for e in envelope["errors"]} == {"network"}, envelope["errors"]
    assert {e["provider"] for e in envelope["errors"]} >= {"yahoo", "fred", "sec", "coingecko"}
    assert took < 6, took


@pytest.fixture
def dropping_hosts():
    """One listening port per provider whose accept queue is full: the kernel drops every new
    SYN, as a filtered or vanished network does, so connects time out instead of being refused."""
    held: list[socket.socket] = []

    def hole() -> str:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        held.append(listener)
        for _ in range(3):  # fill the queue (a backlog of 0 still takes one or two)
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            held.append(filler)
        return f"http://127.0.0.1:{port}"

    try:
        yield lambda: {p: hole() for p in PROVIDERS}
    finally:
        for s in held:
            s.close()


def test_with_packets_dropped_the_default_timeouts_still_end_in_one_line_within_6_seconds(tmp_path, dropping_hosts):
    # The defaults (timeout 10 s, 3 retries) with a 3 s connect timeout that is not retried, one
    # host not asked again once its handshake timed out, and 1 s connects once two have: not 10 s x 4.
    env = env_for(tmp_path, dropping_hosts())
    del env["MARKETSHOCK_HTTP_TIMEOUT"]
    result, took = timed("report", env=env)
    assert result.code == 1, result.err
    assert result.err_lines == [DOWN]
    assert took < 6, took


def test_a_resolver_that_never_answers_still_ends_in_one_line_within_6_seconds(tmp_path, monkeypatch):
    # A name server that drops queries: each lookup blocks in a thread that a timed-out request
    # cannot cancel; the run must not wait for those threads before it exits.
    release = threading.Event()

    def unanswered(*args, **kwargs):
        release.wait(30)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", unanswered)
    env = env_for(tmp_path, {p: f"http://{p}.example.invalid" for p in PROVIDERS})
    del env["MARKETSHOCK_HTTP_TIMEOUT"]  # the defaults: a 3 s connect timeout, 3 retries
    try:
        result, took = timed("report", env=env)
    finally:
        release.set()
    assert result.code == 1, result.err
    assert result.err_lines == [DOWN]
    assert took < 6, took


@pytest.fixture
def silent_hosts():
    """One listening port per provider that accepts every connection and never answers."""
    listeners: list[socket.socket] = []
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def serve(listener: socket.socket) -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    def hole() -> str:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        listeners.append(listener)
        threading.Thread(target=serve, args=(listener,), daemon=True).start()
        return f"http://127.0.0.1:{listener.getsockname()[1]}"

    try:
        yield lambda: {p: hole() for p in PROVIDERS}
    finally:
        stop.set()
        for s in [*accepted, *listeners]:
            s.close()


def test_providers_that_accept_and_never_answer_are_one_line_and_exit_1(tmp_path, silent_hosts):
    # Two silent waits and not one answer: the host is not asked again, and its silence counts as
    # unreachable (with 3 retries and backoffs, each request used to wait 4 timeouts).
    env = env_for(tmp_path, silent_hosts())
    env["MARKETSHOCK_HTTP_TIMEOUT"] = "0.5"
    result, took = timed("report", env=env)
    assert result.code == 1, result.err
    assert result.err_lines == [DOWN]
    assert took < 6, took


def test_verbose_adds_the_details_under_the_one_line(tmp_path):
    result = invoke("report", "-v", env=all_down(tmp_path))
    assert result.code == 1
    assert result.err_lines.count(DOWN) == 1
    assert any("connection refused (127.0.0.1:" in line for line in result.err_lines if line != DOWN)


def test_quiet_still_says_why_nothing_was_produced(tmp_path):
    result = invoke("-q", "report", env=all_down(tmp_path))
    assert result.code == 1
    assert result.err_lines == [DOWN]


def test_a_snapshot_with_no_provider_reachable_writes_nothing_and_says_so_once(tmp_path):
    directory = tmp_path / "snaps"
    result = invoke("snapshot", env={**all_down(tmp_path), "MARKETSHOCK_SNAPSHOT_DIR": str(directory)})
    assert result.code == 1, result.err
    assert len(result.err_lines) == 1 and "no provider reachable (6 tried)" in result.err
    assert not directory.exists() or not any(directory.rglob("*.json"))


def test_one_command_counts_only_the_providers_it_tried(tmp_path):
    result, took = timed("crypto", env=all_down(tmp_path))  # yahoo, coinbase and coingecko
    assert result.code == 1
    assert result.err_lines == ["marketshock: no provider reachable (3 tried): check the network, or use --offline"]
    assert took < 6


def test_one_provider_refusing_is_that_provider_failing_not_the_network(tmp_path):
    # FRED alone: a provider down, not the network; the curated Challenger figures still show.
    result = invoke("labor", env=all_down(tmp_path))
    assert result.code == 3, result.err
    assert "no provider reachable" not in result.err
    assert result.err_lines and all(": fred: " in line and "connection refused" in line for line in result.err_lines)


@pytest.fixture
def replay():
    srv = ReplayServer("replay").start()
    try:
        yield srv
    finally:
        srv.stop()


def test_when_some_providers_answer_the_failure_is_partial_exit_3_one_line_per_cause(tmp_path, replay):
    env = env_for(tmp_path, {})
    env.update(replay.env())
    env["MARKETSHOCK_FRED_BASE_URL"] = f"http://127.0.0.1:{closed_port()}"
    env["MARKETSHOCK_FRED_API_BASE_URL"] = env["MARKETSHOCK_FRED_BASE_URL"]
    env["MARKETSHOCK_WATCHLIST_INDICES"] = "KOSPI,MSCI-APXJ,VIX"  # the series the replay server has
    env["MARKETSHOCK_HTTP_TIMEOUT"] = "10"  # answers that do come may be slow on a busy machine
    result = invoke("report", "--as-of", "2026-02-06", env=env)
    assert result.code == 3, result.err
    assert "no provider reachable" not in result.err
    fred = [line for line in result.err_lines if ": fred: " in line]
    assert fred and all("connection refused" in line for line in fred)
    assert len(result.err_lines) == len(set(result.err_lines))
