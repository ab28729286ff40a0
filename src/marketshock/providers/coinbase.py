"""Coinbase Exchange daily candles: the fallback for crypto history (UTC days, with lows).

The endpoint returns at most 300 candles a request, newest first, as
`[time, low, high, open, close, volume]`; a long history is paged into 300-day windows that
go out concurrently (the HTTP layer bounds them per host).
"""

from __future__ import annotations

import datetime as dt

from marketshock.errors import BadResponse
from marketshock.models.series import Bar
from marketshock.providers.http import RequestSpec, json_body

PROVIDER = "coinbase"
PAGE_DAYS = 300
DAY_SECONDS = 86400


def candle_requests(
    product: str, start: dt.date, end: dt.date, base_url: str, *, dataset: str, ttl: float
) -> list[RequestSpec]:
    """Step 1: one request per 300-day window from `start` to `end` (both inclusive)."""
    specs = []
    page_start = start
    while page_start <= end:
        page_end = min(end, page_start + dt.timedelta(days=PAGE_DAYS - 1))
        specs.append(
            RequestSpec(
                provider=PROVIDER,
                dataset=dataset,
                url=f"{base_url.rstrip('/')}/products/{product}/candles",
                params={
                    "granularity": str(DAY_SECONDS),
                    "start": f"{page_start.isoformat()}T00:00:00Z",
                    "end": f"{page_end.isoformat()}T00:00:00Z",
                },
                ttl=ttl,
            )
        )
        page_start = page_end + dt.timedelta(days=1)
    return specs


def parse_candles(text: str, *, dataset: str) -> list[Bar]:
    """Step 3: candles -> bars, oldest first. An empty list is a valid page (before the listing)."""
    body = json_body(PROVIDER, dataset, text)
    if isinstance(body, dict) and "message" in body:
        raise BadResponse(PROVIDER, dataset, f"error body: {body['message']}")
    if not isinstance(body, list):
        raise BadResponse(PROVIDER, dataset, "expected a list of candles")
    bars = []
    for i, row in enumerate(body):
        if not isinstance(row, list) or len(row) < 5:
            raise BadResponse(PROVIDER, dataset, f"candle {i} is not [time, low, high, open, close, volume]")
        time, low, high, open_, close = row[:5]
        if not isinstance(time, int):
            raise BadResponse(PROVIDER, dataset, f"candle {i}: `time` is not an integer")
        if close is None:
            continue  # no close: a gap day, which the series' normalisation finds (crypto trades every UTC day)
        try:
            bars.append(
                Bar.parse(
                    dt.datetime.fromtimestamp(time, dt.UTC).date(),
                    open_,
                    high,
                    low,
                    close,
                    row[5] if len(row) > 5 else None,
                )
            )
        except ValueError:
            raise BadResponse(PROVIDER, dataset, f"candle {i}: a price is not a number") from None
    return sorted(bars, key=lambda b: b.date)


def merge_pages(pages: list[list[Bar]]) -> tuple[Bar, ...]:
    by_day = {b.date: b for page in pages for b in page}
    return tuple(by_day[d] for d in sorted(by_day))
