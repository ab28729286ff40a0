"""A local HTTP server on 127.0.0.1 that stands in for every live provider at once.

Each provider's base URL (MARKETSHOCK_*_BASE_URL) points at it; the path tells which
provider is asked. Two kinds of answers:

- `recorded`: the real recorded responses in tests/fixtures/real/, byte for byte;
- `replay`: the bundled February 2026 series, written in each provider's real response
  format (built on the recorded shapes), so live mode can be compared with --offline.

Faults are injected per provider (timeout, 500, 429 with Retry-After, malformed body,
truncated body, empty result, HTML page) and a latency can be added to every answer. Hostile
faults play an attacker's server: an error body echoing the request URL (a key in it) with
terminal escapes, a redirect to another host, a body trickling a byte at a time, an endless
body, a huge one announced by its Content-Length, a small gzip body that inflates to 256 MiB.
Used by the end-to-end tests (one server a session, started and stopped by a fixture,
`reset()` for each test) and by bench/live_report.py and bench/hostile_server.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import gzip
import io
import json
import sys
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

FIXTURES = Path(__file__).parent / "fixtures" / "real"
PROVIDERS = ("yahoo", "coinbase", "coingecko", "fred", "sec", "stooq")
FAULTS = ("timeout", "500", "429", "malformed", "truncated", "empty", "html")
HOSTILE_FAULTS = ("echo", "redirect", "trickle", "endless", "huge", "bomb")
# What a hostile answer puts in front of the terminal: colour, a window title, Rich markup.
ESCAPES = "\x1b[31m\x1b]0;pwned\x07[bold red]owned[/]\x1b[0m"
# A status line may carry 8-bit bytes (h11 refuses 7-bit controls there): the 8-bit CSI, and markup.
REASON = "Bad \x9b31m[bold red]Request[/]"

# Yahoo symbol -> bundled series (its daily CSV), exchange offset from UTC in seconds.
YAHOO_BUNDLED = {
    "BTC-USD": ("btc_usd_daily_yahoo.csv.gz", 0),
    "ETH-USD": ("eth_usd_daily_yahoo.csv.gz", 0),
    "SPY": ("etf_spy_daily_yahoo.csv.gz", -18000),
    "QQQ": ("etf_qqq_daily_yahoo.csv.gz", -18000),
    "SMH": ("etf_smh_daily_yahoo.csv.gz", -18000),
    "EEM": ("etf_eem_daily_yahoo.csv.gz", -18000),
    "GLD": ("etf_gld_daily_yahoo.csv.gz", -18000),
    "SLV": ("etf_slv_daily_yahoo.csv.gz", -18000),
    "^VIX": ("index_vix_daily_yahoo.csv.gz", -18000),
}
COINBASE_BUNDLED = {"BTC-USD": "btc_usd_daily_yahoo.csv.gz", "ETH-USD": "eth_usd_daily_yahoo.csv.gz"}
STOOQ_BUNDLED = {"spy.us": "etf_spy_daily_yahoo.csv.gz", "qqq.us": "etf_qqq_daily_yahoo.csv.gz"}
FRED_BUNDLED = {"ICSA": "fred_icsa_weekly.csv.gz", "CCSA": "fred_ccsa_weekly.csv.gz"}
SEC_RECORDED = {
    1018724: "sec_companyfacts_AMZN_PaymentsToAcquireProductiveAssets_extract_end2023plus.json",
    1652044: "sec_companyfacts_GOOGL_trimmed_us-gaap.json",
    1326801: "sec_companyfacts_META_trimmed_us-gaap.json",
    789019: "sec_companyfacts_MSFT_trimmed_us-gaap.json",
}
# The total market value CoinGecko's /global would have said: the curated CoinGecko point of
# 2026-02-06, in the documented /global shape (no recorded /global body exists).
GLOBAL_REPLAY = {"total": 2.38e12, "change_24h": -3.1, "updated_at": 1770379200}  # 2026-02-06 12:00 UTC


@functools.cache
def gzip_bomb(size: int = 256 << 20) -> bytes:
    """`size` zero bytes, gzipped (about 250 kB), built a MiB at a time."""
    pack = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: the gzip container
    zeros = bytes(1 << 20)
    return b"".join([*(pack.compress(zeros) for _ in range(size >> 20)), pack.flush()])


@functools.cache
def bundled_rows(name: str) -> list[dict[str, str]]:
    raw = resources.files("marketshock.data").joinpath(name).read_bytes()
    if name.endswith(".gz"):
        raw = gzip.decompress(raw)
    return list(csv.DictReader(io.StringIO(raw.decode())))


def provider_of(path: str) -> str | None:
    if path.startswith("/v8/finance/chart/"):
        return "yahoo"
    if path.startswith("/products/"):
        return "coinbase"
    if path.startswith("/api/v3/"):
        return "coingecko"
    if path.startswith(("/graph/fredgraph.csv", "/fred/")):
        return "fred"
    if path.startswith(("/api/xbrl/", "/files/company_tickers.json", "/submissions/")):
        return "sec"
    if path.startswith("/q/d/l"):
        return "stooq"
    return None


def _epoch(day: dt.date, offset: int) -> int:
    # A session bar is stamped at 09:30 local time, a crypto bar at 00:00 UTC, as Yahoo does.
    at = dt.time(0, 0) if offset == 0 else dt.time(9, 30)
    local = dt.datetime.combine(day, at, tzinfo=dt.UTC)
    return int(local.timestamp()) - offset


class Answer:
    def __init__(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
        *,
        reason: str | None = None,
        stream: Callable[[Any], None] | None = None,
    ):
        self.status, self.body, self.content_type, self.headers = status, body, content_type, headers or {}
        self.reason = reason  # the reason phrase, when not the standard one
        self.stream = stream  # writes the body itself (no Content-Length, the connection closes after)


def _intraday_window(body: bytes, q: dict[str, str]) -> Answer:
    """An intraday chart body cut to the bars with period1 <= timestamp < period2, as Yahoo
    serves them: a request whose window misses part of the day misses those bars."""
    chart = json.loads(body)
    p1, p2 = int(q.get("period1", "0")), int(q.get("period2", str(2**31)))
    for result in chart["chart"]["result"] or []:
        keep = [i for i, t in enumerate(result["timestamp"]) if p1 <= t < p2]
        result["timestamp"] = [result["timestamp"][i] for i in keep]
        for quote in result["indicators"]["quote"]:
            for name, column in quote.items():
                quote[name] = [column[i] for i in keep]
    return _json(chart)


def _json(obj: object, status: int = 200) -> Answer:
    return Answer(status, json.dumps(obj, separators=(",", ":")).encode(), "application/json")


YAHOO_NOT_FOUND = (FIXTURES / "yahoo_chart_error_404_not_found_SI.json").read_bytes() if FIXTURES.exists() else b""


class Provider:
    """What the server answers, by provider, for one mode ("recorded" or "replay")."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        # Stand-ins a test adds: Yahoo symbol -> (daily rows like the bundled CSVs, UTC offset),
        # and SEC CIK -> {concept: companyconcept `units`}.
        self.extra_yahoo: dict[str, tuple[list[dict[str, str]], int]] = {}
        self.extra_sec: dict[int, dict[str, dict]] = {}
        # SEC CIK -> the body of its /submissions/CIK##########.json (bytes, served as they are);
        # any other CIK gets EDGAR's 404, as for a CIK without a submissions file.
        self.extra_submissions: dict[int, bytes] = {}
        # Yahoo symbol -> a chart body of intraday bars (interval other than 1d), served as it is.
        self.extra_yahoo_intraday: dict[str, bytes] = {}

    # -- yahoo -----------------------------------------------------------------------------
    def yahoo(self, path: str, q: dict[str, str]) -> Answer:
        symbol = unquote(path.rsplit("/", 1)[-1])
        if self.mode == "recorded":
            if symbol == "BTC-USD":
                return Answer(
                    200,
                    (FIXTURES / "yahoo_chart_BTC-USD_1d_2020-01-01_2020-01-03.json").read_bytes(),
                    "application/json",
                )
            return Answer(404, YAHOO_NOT_FOUND, "application/json")
        if q.get("interval", "1d") != "1d" and symbol in self.extra_yahoo_intraday:
            return _intraday_window(self.extra_yahoo_intraday[symbol], q)
        if symbol == "^KS11":
            # Only curated closes exist for KOSPI (not every session): a bar per close.
            file, offset = "kospi_close_curated.csv", 32400
            rows = [
                {
                    "date": r["date"],
                    "open": r["close"],
                    "high": r["close"],
                    "low": r["intraday_low"] or r["close"],
                    "close": r["close"],
                    "volume": "",
                }
                for r in bundled_rows(file)
                if r["close"]
            ]
        elif symbol in YAHOO_BUNDLED:
            file, offset = YAHOO_BUNDLED[symbol]
            rows = bundled_rows(file)
        elif symbol in self.extra_yahoo:
            rows, offset = self.extra_yahoo[symbol]
        else:
            return Answer(404, YAHOO_NOT_FOUND, "application/json")
        p1, p2 = int(q.get("period1", "0")), int(q.get("period2", str(2**31)))
        rows = [r for r in rows if p1 <= _epoch(dt.date.fromisoformat(r["date"]), offset) < p2]
        quote = {k: [float(r[k]) for r in rows] for k in ("open", "high", "low", "close")}
        quote["volume"] = [int(float(r["volume"])) if r["volume"] else None for r in rows]
        return _json(
            {
                "chart": {
                    "result": [
                        {
                            "meta": {
                                "currency": "USD",
                                "symbol": symbol,
                                "instrumentType": "CRYPTOCURRENCY" if offset == 0 else "ETF",
                                "gmtoffset": offset,
                                "timezone": {0: "UTC", 32400: "KST"}.get(offset, "EST"),
                                "dataGranularity": "1d",
                            },
                            "timestamp": [_epoch(dt.date.fromisoformat(r["date"]), offset) for r in rows],
                            "indicators": {"quote": [quote], "adjclose": [{"adjclose": quote["close"]}]},
                        }
                    ],
                    "error": None,
                }
            }
        )

    # -- coinbase ----------------------------------------------------------------------------
    def coinbase(self, path: str, q: dict[str, str]) -> Answer:
        product = path.split("/")[2]
        if self.mode == "recorded":
            if product == "BTC-USD":
                body = (FIXTURES / "coinbase_candles_BTC-USD_86400_2026-06-22_2026-07-31.json").read_bytes()
                start, end = q.get("start", "")[:10], q.get("end", "")[:10]
                rows = [
                    c
                    for c in json.loads(body)
                    if start <= dt.datetime.fromtimestamp(c[0], dt.UTC).date().isoformat() <= end
                ]
                return _json(rows)
            return _json({"message": "NotFound"}, 404)
        if product not in COINBASE_BUNDLED:
            return _json({"message": "NotFound"}, 404)
        start, end = q["start"][:10], q["end"][:10]
        rows = [r for r in bundled_rows(COINBASE_BUNDLED[product]) if start <= r["date"] <= end]
        candles = [
            [
                _epoch(dt.date.fromisoformat(r["date"]), 0),
                float(r["low"]),
                float(r["high"]),
                float(r["open"]),
                float(r["close"]),
                float(r["volume"] or 0),
            ]
            for r in reversed(rows)
        ]
        return _json(candles)

    # -- coingecko -----------------------------------------------------------------------------
    def coingecko(self, path: str, q: dict[str, str]) -> Answer:
        if path.rstrip("/").endswith("/simple/price"):
            return Answer(
                200, (FIXTURES / "coingecko_simple_price_bitcoin_usd_2026-01-01.json").read_bytes(), "application/json"
            )
        if path.rstrip("/").endswith("/global"):
            return Answer(200, (FIXTURES / "coingecko_global_documented_shape.json").read_bytes(), "application/json")
        return _json({"error": "not found"}, 404)

    # -- fred ----------------------------------------------------------------------------------
    def _fred_observations(self, series: str, start: str, end: str) -> list[tuple[str, str]]:
        rows = bundled_rows(FRED_BUNDLED[series])
        return [(r["week_ending"], str(int(float(r[series])))) for r in rows if start <= r["week_ending"] <= end]

    def fred(self, path: str, q: dict[str, str]) -> Answer:
        if path.startswith("/fred/series/observations"):
            series = q.get("series_id", "")
            if series not in FRED_BUNDLED:
                return Answer(
                    400, (FIXTURES / "fred_api_error_400_series_does_not_exist.json").read_bytes(), "application/json"
                )
            obs = self._fred_observations(series, q.get("observation_start", ""), q.get("observation_end", "9999"))
            day = q.get("realtime_start", "2026-03-26")
            return _json(
                {
                    "realtime_start": day,
                    "realtime_end": day,
                    "count": len(obs),
                    "observations": [
                        {"realtime_start": day, "realtime_end": day, "date": d, "value": v} for d, v in obs
                    ],
                }
            )
        series = q.get("id", "")
        if self.mode == "recorded":
            files = {"ICSA": "fred_fredgraph_ICSA.csv", "CCSA": "fred_fredgraph_CCSA_DATEheader_2023-11.csv"}
            if series not in files:
                return Answer(404, b"<html><body>Series not found</body></html>", "text/html")
            return Answer(200, (FIXTURES / files[series]).read_bytes(), "text/csv")
        if series not in FRED_BUNDLED:
            return Answer(404, b"<html><body>Series not found</body></html>", "text/html")
        obs = self._fred_observations(series, q.get("cosd", ""), q.get("coed", "9999"))
        text = f"observation_date,{series}\n" + "".join(f"{d},{v}\n" for d, v in obs)
        return Answer(200, text.encode(), "text/csv")

    # -- sec -----------------------------------------------------------------------------------
    def sec(self, path: str, q: dict[str, str]) -> Answer:
        if path == "/files/company_tickers.json":
            return Answer(200, (FIXTURES / "sec_company_tickers.json").read_bytes(), "application/json")
        if path.startswith("/submissions/"):  # /submissions/CIK0001018724.json
            cik = int(path.removeprefix("/submissions/CIK").removesuffix(".json"))
            if cik in self.extra_submissions:
                return Answer(200, self.extra_submissions[cik], "application/json")
            return Answer(404, b"<html><body>Not Found</body></html>", "text/html")
        parts = path.split("/")  # /api/xbrl/companyconcept/CIK0001018724/us-gaap/Concept.json
        if len(parts) != 7 or parts[3] != "companyconcept":
            return Answer(404, b"<html><body>Not Found</body></html>", "text/html")
        cik, concept = int(parts[4][3:]), parts[6].removesuffix(".json")
        if cik in self.extra_sec:
            if concept not in self.extra_sec[cik]:
                return Answer(404, b"<html><body>Not Found</body></html>", "text/html")
            return _json({"cik": cik, "taxonomy": "us-gaap", "tag": concept, "units": self.extra_sec[cik][concept]})
        if cik not in SEC_RECORDED:
            return Answer(404, b"<html><body>Not Found</body></html>", "text/html")
        recorded = json.loads((FIXTURES / SEC_RECORDED[cik]).read_text())
        if "facts" in recorded:
            units = recorded["facts"].get("us-gaap", {}).get(concept, {}).get("units")
        else:
            units = recorded["units"] if recorded.get("tag") == concept else None
        if units is None:
            return Answer(404, b"<html><body>Not Found</body></html>", "text/html")
        return _json({"cik": cik, "taxonomy": "us-gaap", "tag": concept, "units": units})

    # -- stooq ---------------------------------------------------------------------------------
    def stooq(self, path: str, q: dict[str, str]) -> Answer:
        symbol = q.get("s", "")
        if self.mode == "recorded":
            files = {
                "spy.us": "stooq_spy_us_daily_2015-01-02_2026-04-17.csv",
                "^kospi": "stooq_kospi_daily_1980-01-04_2024-01-26.csv",
            }
            if symbol not in files:
                return Answer(200, b"No data", "text/plain")
            return Answer(200, (FIXTURES / files[symbol]).read_bytes(), "text/csv")
        if symbol not in STOOQ_BUNDLED:
            return Answer(200, b"No data", "text/plain")
        d1, d2 = q.get("d1", "00000000"), q.get("d2", "99999999")
        rows = [r for r in bundled_rows(STOOQ_BUNDLED[symbol]) if d1 <= r["date"].replace("-", "") <= d2]
        text = "Date,Open,High,Low,Close,Volume\r\n" + "".join(
            f"{r['date']},{r['open']},{r['high']},{r['low']},{r['close']},{r['volume']}\r\n" for r in rows
        )
        return Answer(200, text.encode(), "text/csv")


def empty(provider: str, path: str, query: dict[str, str]) -> Answer:
    """A well-formed answer with nothing in it, in the provider's own shape."""
    if provider == "yahoo":
        symbol = unquote(path.rsplit("/", 1)[-1])
        meta = {"symbol": symbol, "gmtoffset": 0}
        return _json({"chart": {"result": [{"meta": meta, "indicators": {"quote": [{}]}}], "error": None}})
    if provider == "coinbase":
        return _json([])
    if provider == "coingecko":
        return _json({"data": {"total_market_cap": {}, "updated_at": 1770379200}})
    if provider == "fred":
        return Answer(200, f"observation_date,{query.get('id', '')}\n".encode(), "text/csv")
    if provider == "sec":
        if path.startswith("/files/"):
            return _json({})
        if path.startswith("/submissions/"):
            columns = ("accessionNumber", "filingDate", "acceptanceDateTime", "form", "items", "primaryDocument")
            return _json({"cik": path[16:26].lstrip("0"), "filings": {"recent": {c: [] for c in columns}, "files": []}})
        return _json({"cik": 1018724, "taxonomy": "us-gaap", "tag": path.rsplit("/", 1)[-1][:-5], "units": {"USD": []}})
    return Answer(200, b"No data", "text/plain")  # stooq


MALFORMED = {
    "yahoo": Answer(200, b'{"chart": {"result": [{"meta": ', "application/json"),
    "coinbase": Answer(200, b"[[1770336000, 60074.2, 71681.3,", "application/json"),
    "coingecko": Answer(200, b'{"data": {"total_market_cap": {"usd": "lots"}', "application/json"),
    "fred": Answer(200, b"observation_date,ICSA\n2026-01-31,two hundred\n", "text/csv"),
    "sec": Answer(200, b'{"cik": 1018724, "units": {"USD": [{"end": ', "application/json"),
    "stooq": Answer(200, b"Date,Open,High,Low,Close,Volume\r\n2026-02-06,abc,1,1,1,1\r\n", "text/csv"),
}
HTML_PAGE = Answer(
    200,
    b"<!DOCTYPE html><html><head><title>Service unavailable</title></head><body><h1>Oops</h1></body></html>",
    "text/html",
)


class ReplayServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    # socketserver's default listen backlog is 5: a burst of concurrent connects beyond it is
    # dropped and retried by the client's TCP stack a second later, which would show up as
    # one extra "latency" in the concurrency benchmark.
    request_queue_size = 128

    def __init__(self, mode: str = "replay", latency: float = 0.0, routes: Path | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        # A folder of recorded-shape bodies with its `routes.json` (path, optional query, file,
        # type): those requests get those bodies, byte for byte; every other request is answered
        # as `mode` says.
        self.routes = _routes(routes) if routes else []
        self.answers = Provider(mode)
        self.latency = latency
        self.faults: dict[str, str] = {}
        self._answers: dict[tuple[str, str], Answer] = {}  # built once: the server must not be the bottleneck
        self.retry_after = "1"
        self.hang = 3.0  # seconds a "timeout" fault waits before answering
        self.redirect_to = ""  # where a "redirect" fault sends the client: default, this server as "localhost"
        self.trickle_every = 0.2  # seconds between two bytes of a "trickle" fault
        self.trickle_for = 60.0  # ... and for how long at most, so the thread ends
        self.endless_bytes = 4 << 30  # an "endless" body stops after this much, should a client never stop
        self.huge_bytes = 200 << 20  # a "huge" body announces and sends this much
        self.hosts: list[str] = []  # the Host header of every request: a followed redirect shows up here
        self.hits: Counter[str] = Counter()
        self.paths: list[str] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> ReplayServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a client that hung up on a hostile answer, as it should: not worth a traceback
        super().handle_error(request, client_address)

    def reset(self) -> ReplayServer:
        """As just started: no faults, no hits, the default Retry-After and hang. The answers
        already built stay: they depend on the request alone."""
        with self._lock:
            self.faults.clear()
            self.hits.clear()
            self.paths.clear()
            self.hosts.clear()
            self.answers.extra_yahoo.clear()
            self.answers.extra_sec.clear()
            self.answers.extra_submissions.clear()
            self.answers.extra_yahoo_intraday.clear()
            self._answers.clear()
        self.retry_after = "1"
        self.hang = 3.0
        self.redirect_to = ""
        self.trickle_every, self.trickle_for = 0.2, 60.0
        return self

    def env(self) -> dict[str, str]:
        """MARKETSHOCK_*_BASE_URL for every provider, all pointing here."""
        return {f"MARKETSHOCK_{p.upper()}_BASE_URL": self.url for p in PROVIDERS}

    def answer(self, path: str, query: dict[str, str]) -> Answer:
        provider = provider_of(path)
        with self._lock:
            self.hits[provider or "unknown"] += 1
            self.paths.append(path)
        if self.latency:
            time.sleep(self.latency)
        if provider is None:
            return Answer(404, b"not found", "text/plain")
        for route_path, route_query, answer in self.routes:
            if path == route_path and all(query.get(k) == v for k, v in route_query.items()):
                return answer
        fault = self.faults.get(provider)
        if fault == "timeout":
            time.sleep(self.hang)
        elif fault == "500":
            return Answer(500, b"<html><body>Internal Server Error</body></html>", "text/html")
        elif fault == "429":
            return Answer(429, b'{"status":{"error_code":429}}', "application/json", {"Retry-After": self.retry_after})
        elif fault == "malformed":
            return MALFORMED[provider]
        elif fault == "empty":
            return empty(provider, path, query)
        elif fault == "html":
            return HTML_PAGE
        elif fault in HOSTILE_FAULTS:
            return self.hostile(fault, path, query)
        key = (path, json.dumps(sorted(query.items())))
        if key not in self._answers:
            self._answers[key] = getattr(self.answers, provider)(path, query)
        return self._answers[key]

    def hostile(self, fault: str, path: str, query: dict[str, str]) -> Answer:
        url = f"{self.url}{path}?{urlencode(query)}"  # the key, when one was sent, is in it
        if fault == "echo":
            message = f"{ESCAPES}Bad Request. Variable api_key is not registered. URL: {url}"
            return Answer(400, json.dumps({"error_message": message}).encode(), "application/json", reason=REASON)
        if fault == "redirect":
            where = self.redirect_to or f"http://localhost:{self.server_address[1]}"
            return Answer(301, b"", "text/plain", {"Location": f"{where}{path}?{urlencode(query)}"})

        def trickle(out: Any) -> None:
            ends = time.monotonic() + self.trickle_for
            while time.monotonic() < ends:
                out.write(b" ")
                out.flush()
                time.sleep(self.trickle_every)

        def endless(out: Any, total: int) -> None:
            chunk = b"x" * (1 << 16)
            for _ in range(total // len(chunk)):
                out.write(chunk)

        if fault == "trickle":
            return Answer(200, b"", "application/json", stream=trickle)
        if fault == "endless":
            return Answer(200, b"", "application/json", stream=lambda out: endless(out, self.endless_bytes))
        if fault == "bomb":
            return Answer(200, gzip_bomb(), "application/json", {"Content-Encoding": "gzip"})
        headers = {"Content-Length": str(self.huge_bytes)}  # "huge": announced, and sent if read
        return Answer(200, b"", "application/json", headers, stream=lambda out: endless(out, self.huge_bytes))


def _routes(folder: Path) -> list[tuple[str, dict[str, str], Answer]]:
    table = json.loads((folder / "routes.json").read_text())
    out = []
    for r in table:
        body = (folder / r["file"]).read_bytes()
        out.append((r["path"], r.get("query", {}), Answer(200, body, r.get("type", "application/json"))))
    return out


class _Handler(BaseHTTPRequestHandler):
    server: ReplayServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        with self.server._lock:
            self.server.hosts.append(self.headers.get("Host", ""))
        answer = self.server.answer(parts.path, query)
        provider = provider_of(parts.path)
        truncated = provider is not None and self.server.faults.get(provider) == "truncated"
        try:
            self.send_response(answer.status, answer.reason)
            self.send_header("Content-Type", answer.content_type)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            if answer.stream is not None:
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                answer.stream(self.wfile)
                return
            if truncated:
                # Promise the whole body, send half of it, hang up: a cut connection.
                self.send_header("Content-Length", str(len(answer.body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(answer.body[: len(answer.body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True  # the client gave up (a timeout test): nothing to do

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: the tests read the hit counters instead
