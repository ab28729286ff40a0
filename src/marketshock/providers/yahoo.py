"""Yahoo Finance chart API v8: daily bars (crypto as UTC days, indices and ETFs as exchange
sessions) and intraday prices with the pre- and post-market, for after-hours reactions.

Three steps, each testable alone: `chart_request` (query -> RequestSpec), the shared HTTP
layer, `parse_daily` / `parse_sessions` (body -> models, rejecting what does not fit).
Prices are as quoted (not dividend-adjusted): a level a reader can compare with a quote.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from marketshock.analytics import EXTENDED_CLOSES, EXTENDED_OPENS, NEW_YORK
from marketshock.errors import BadResponse, HttpStatusError, NoDataError
from marketshock.models.series import Bar
from marketshock.providers.http import RequestSpec, json_body

PROVIDER = "yahoo"
CHART_PATH = "/v8/finance/chart/"


@dataclass(frozen=True)
class ChartQuery:
    symbol: str  # Yahoo's symbol: BTC-USD, ^KS11, SPY
    start: dt.date | None  # None: the whole history
    end: dt.date  # inclusive
    interval: str = "1d"
    include_prepost: bool = False


@dataclass(frozen=True)
class Daily:
    symbol: str
    name: str
    currency: str
    bars: tuple[Bar, ...]
    gaps: tuple[dt.date, ...] = ()  # days Yahoo sent without a close: gaps, not days to skip
    splits_applied: tuple[tuple[dt.date, float], ...] = ()  # (day, ratio) adjusted here, Yahoo having not


@dataclass(frozen=True)
class SessionPrices:
    """One trading day's regular close and what traded after it, from intraday bars."""

    symbol: str
    date: dt.date
    regular_close: float | None
    post_last: float | None
    post_low: float | None
    post_high: float | None

    @property
    def post_change_pct(self) -> float | None:
        if self.regular_close and self.post_last is not None:
            return (self.post_last / self.regular_close - 1) * 100
        return None

    @property
    def post_low_pct(self) -> float | None:
        if self.regular_close and self.post_low is not None:
            return (self.post_low / self.regular_close - 1) * 100
        return None


# Yahoo's chart API serves 5-minute bars (with pre/post-market) for the last 60 days only.
INTRADAY_DAYS = 60


def _epoch(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def _period(query: ChartQuery) -> tuple[int, int]:
    if query.include_prepost:
        # Intraday bars of a New York stock with its pre- and post-market: 04:00 of `start` to
        # 20:00 of `end` New York time. UTC midnights would cut the post-market at 19:00 under
        # EST (and start the day at 19:00 or 20:00 the evening before).
        start = dt.datetime.combine(query.start or query.end, EXTENDED_OPENS, NEW_YORK)
        end = dt.datetime.combine(query.end, EXTENDED_CLOSES, NEW_YORK)
        return int(start.timestamp()), int(end.timestamp())
    return (_epoch(query.start) if query.start else 0), _epoch(query.end + dt.timedelta(days=1))


def chart_request(query: ChartQuery, base_url: str, *, dataset: str, ttl: float) -> RequestSpec:
    """Step 1. For daily bars, period2 is the midnight (UTC) after `end`, so `end`'s bar is
    included and nothing later is asked for; with `include_prepost` (a New York stock's
    intraday bars), 04:00 of `start` to 20:00 of `end` New York time, DST included."""
    period1, period2 = _period(query)
    params = {
        "period1": str(period1),
        "period2": str(period2),
        "interval": query.interval,
        "includePrePost": "true" if query.include_prepost else "false",
        "events": "split",  # split events, to adjust earlier bars where Yahoo has not
    }
    return RequestSpec(
        provider=PROVIDER,
        dataset=dataset,
        url=f"{base_url.rstrip('/')}{CHART_PATH}{quote(query.symbol, safe='')}",
        params=params,
        ttl=ttl,
    )


def chart_error(error: HttpStatusError, symbol: str) -> NoDataError | None:
    """Yahoo answers an unknown symbol or range with 404/400 and a `chart.error` body: that is
    "no data", named in Yahoo's words, not a failure of the service."""
    if error.status not in (400, 404):
        return None
    try:
        import json

        described = json.loads(error.body)["chart"]["error"]["description"]
    except (ValueError, KeyError, TypeError):
        return None
    return NoDataError(PROVIDER, error.dataset, f"{symbol}: {described}")


def _result(text: str, dataset: str) -> dict[str, Any]:
    body = json_body(PROVIDER, dataset, text)
    chart = body.get("chart") if isinstance(body, dict) else None
    if not isinstance(chart, dict):
        raise BadResponse(PROVIDER, dataset, "no `chart` object in the response")
    if chart.get("error"):
        error = chart["error"]
        raise NoDataError(PROVIDER, dataset, str(error.get("description") or error.get("code") or error))
    results = chart.get("result")
    if not results:
        raise NoDataError(PROVIDER, dataset, "empty `chart.result`")
    result = results[0]
    if not isinstance(result, dict) or not isinstance(result.get("meta"), dict):
        raise BadResponse(PROVIDER, dataset, "`chart.result[0].meta` missing")
    return result


def _series(result: dict[str, Any], dataset: str) -> tuple[list[int], dict[str, list[Any]]]:
    timestamps = result.get("timestamp")
    if not timestamps:
        raise NoDataError(PROVIDER, dataset, "no bars in the response (`timestamp` empty)")
    try:
        quote_ = result["indicators"]["quote"][0]
    except (KeyError, IndexError, TypeError):
        raise BadResponse(PROVIDER, dataset, "`indicators.quote[0]` missing") from None
    columns = {}
    for name in ("open", "high", "low", "close"):
        values = quote_.get(name)
        if not isinstance(values, list) or len(values) != len(timestamps):
            raise BadResponse(PROVIDER, dataset, f"`indicators.quote[0].{name}` missing or not one per timestamp")
        columns[name] = values
    volume = quote_.get("volume")
    columns["volume"] = (
        volume if isinstance(volume, list) and len(volume) == len(timestamps) else [None] * len(timestamps)
    )
    return timestamps, columns


def _offset(meta: dict[str, Any]) -> dt.timedelta:
    offset = meta.get("gmtoffset", 0)
    if not isinstance(offset, int):
        raise BadResponse(PROVIDER, "chart", "`meta.gmtoffset` is not a number of seconds")
    return dt.timedelta(seconds=offset)


def parse_daily(text: str, *, symbol: str, dataset: str) -> Daily:
    """Step 3 for daily bars. A bar's date is its timestamp in the exchange's time (UTC for
    crypto, so BTC-USD bars are UTC calendar days). A null field is a gap in that field only:
    a bar with a null open keeps its high, low and close. A row without a close is no bar but
    a gap day (`Daily.gaps`; the series' normalisation judges it against the calendar). When
    Yahoo sends today's running bar beside the day's row, the later wins."""
    result = _result(text, dataset)
    meta = result["meta"]
    if meta.get("symbol") and str(meta["symbol"]).upper() != symbol.upper():
        raise BadResponse(PROVIDER, dataset, f"`meta.symbol` is {meta['symbol']!r}, asked for {symbol!r}")
    timestamps, cols = _series(result, dataset)
    offset = _offset(meta)
    bars: dict[dt.date, Bar] = {}
    gaps: set[dt.date] = set()
    for i, ts in enumerate(timestamps):
        if not isinstance(ts, int):
            raise BadResponse(PROVIDER, dataset, f"`timestamp[{i}]` is not an integer")
        o, h, lo, c = cols["open"][i], cols["high"][i], cols["low"][i], cols["close"][i]
        day = (dt.datetime.fromtimestamp(ts, dt.UTC) + offset).date()
        if c is None:
            if day not in bars:
                gaps.add(day)
            continue
        gaps.discard(day)
        try:
            bars[day] = Bar.parse(day, o, h, lo, c, cols["volume"][i])
        except ValueError:
            raise BadResponse(PROVIDER, dataset, f"bar {i} ({day}) has a non-numeric price") from None
    if not bars:
        raise NoDataError(PROVIDER, dataset, "every bar in the response has a missing price")
    ordered = tuple(sorted(bars.values(), key=lambda b: b.date))
    ordered, applied = adjust_for_splits(ordered, _splits(result, offset, dataset))
    return Daily(
        symbol=str(meta.get("symbol") or symbol),
        name=str(meta.get("longName") or meta.get("shortName") or symbol),
        currency=str(meta.get("currency") or "USD"),
        bars=ordered,
        gaps=tuple(sorted(gaps)),
        splits_applied=applied,
    )


def _splits(result: dict[str, Any], offset: dt.timedelta, dataset: str) -> list[tuple[dt.date, float]]:
    """`events.splits` as (day, ratio): a 4:1 split is 4.0 (numerator over denominator)."""
    events = result.get("events")
    splits = events.get("splits") if isinstance(events, dict) else None
    if not splits:
        return []
    out = []
    for key, split in splits.items():
        try:
            ts = int(split.get("date", key))
            ratio = float(split["numerator"]) / float(split["denominator"])
        except (KeyError, TypeError, ValueError, ZeroDivisionError):
            raise BadResponse(PROVIDER, dataset, f"`events.splits[{key}]` is not a date and a ratio") from None
        if ratio > 0 and ratio != 1:
            out.append(((dt.datetime.fromtimestamp(ts, dt.UTC) + offset).date(), ratio))
    return sorted(out)


def adjust_for_splits(
    bars: tuple[Bar, ...], splits: list[tuple[dt.date, float]]
) -> tuple[tuple[Bar, ...], tuple[tuple[dt.date, float], ...]]:
    """Divide the prices before each split by its ratio (and multiply the volume), where the bars
    show the split unapplied: the close on the split day sits nearer the previous close over the
    ratio than the previous close itself. Yahoo's quoted bars are usually adjusted already; they
    are then left as they are."""
    import math

    applied = []
    for day, ratio in splits:
        at = next((i for i, b in enumerate(bars) if b.date >= day), None)
        if not at:  # the split is before the first bar, or after the last
            continue
        move = math.log(bars[at].close / bars[at - 1].close) if bars[at - 1].close > 0 < bars[at].close else 0.0
        if abs(move + math.log(ratio)) >= abs(move):
            continue  # already adjusted
        earlier = tuple(
            b._replace(
                open=b.open / ratio if b.open is not None else None,
                high=b.high / ratio if b.high is not None else None,
                low=b.low / ratio if b.low is not None else None,
                close=b.close / ratio,
                volume=b.volume * ratio if b.volume is not None else None,
            )
            for b in bars[:at]
        )
        bars = earlier + bars[at:]
        applied.append((day, ratio))
    return bars, tuple(applied)


def parse_sessions(text: str, *, symbol: str, dataset: str, day: dt.date) -> SessionPrices:
    """Step 3 for intraday bars with `includePrePost`: the regular session's last close on
    `day` and the post-market's last price and range, split by `meta.tradingPeriods`."""
    result = _result(text, dataset)
    meta = result["meta"]
    timestamps, cols = _series(result, dataset)
    offset = _offset(meta)
    periods = meta.get("tradingPeriods")
    if not isinstance(periods, dict) or "regular" not in periods:
        raise BadResponse(PROVIDER, dataset, "`meta.tradingPeriods.regular` missing (ask with includePrePost=true)")

    def spans(kind: str) -> list[tuple[int, int]]:
        out = []
        for group in periods.get(kind) or []:
            for period in group if isinstance(group, list) else [group]:
                start, end = period.get("start"), period.get("end")
                if isinstance(start, int) and isinstance(end, int):
                    out.append((start, end))
        return out

    def on_day(ts: int) -> bool:
        return (dt.datetime.fromtimestamp(ts, dt.UTC) + offset).date() == day

    regular, post = spans("regular"), spans("post")
    regular_closes, post_prices = [], []
    for i, ts in enumerate(timestamps):
        close = cols["close"][i]
        if close is None or not on_day(ts):
            continue
        if any(start <= ts < end for start, end in regular):
            regular_closes.append(close)
        elif any(start <= ts < end for start, end in post):
            post_prices.append((close, cols["low"][i], cols["high"][i]))
    lows = [lo for _, lo, _ in post_prices if lo is not None]
    highs = [hi for _, _, hi in post_prices if hi is not None]
    if not regular_closes and not post_prices:
        raise NoDataError(PROVIDER, dataset, f"no regular or post-market prices on {day}")
    return SessionPrices(
        symbol=symbol,
        date=day,
        regular_close=regular_closes[-1] if regular_closes else None,
        post_last=post_prices[-1][0] if post_prices else None,
        post_low=min(lows) if lows else None,
        post_high=max(highs) if highs else None,
    )
