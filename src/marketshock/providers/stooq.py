"""Stooq daily CSV: the alternative for index and ETF history.

Stooq answers in English (`Date,Open,High,Low,Close,Volume`) or, depending on the host's
locale, Polish (`Data,Otwarcie,Najwyzszy,Najnizszy,Zamkniecie,Wolumen`); old index rows have
no volume. An unknown symbol is a 200 with the text "No data" ("Brak danych").
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from marketshock.errors import BadResponse, NoDataError, RateLimited
from marketshock.models.series import Bar
from marketshock.providers.http import RequestSpec, looks_like_html

PROVIDER = "stooq"
HEADERS = {
    ("date", "open", "high", "low", "close"): "en",
    ("data", "otwarcie", "najwyzszy", "najnizszy", "zamkniecie"): "pl",
}


def daily_request(symbol: str, start: dt.date, end: dt.date, base_url: str, *, dataset: str, ttl: float) -> RequestSpec:
    return RequestSpec(
        PROVIDER,
        dataset,
        f"{base_url.rstrip('/')}/q/d/l/",
        params={"s": symbol, "i": "d", "d1": start.strftime("%Y%m%d"), "d2": end.strftime("%Y%m%d")},
        ttl=ttl,
    )


def _price(text: str) -> float | None:
    return float(text) if text.strip() else None


def parse_daily_csv(text: str, *, dataset: str) -> tuple[Bar, ...]:
    stripped = text.strip().lstrip("\ufeff")
    lowered = stripped.lower()
    if lowered in ("no data", "brak danych") or lowered.startswith(("no data", "brak danych")):
        raise NoDataError(PROVIDER, dataset, "Stooq has no data for this symbol and range")
    if "exceeded the daily hits limit" in lowered or "przekroczony dzienny limit" in lowered:
        raise RateLimited(PROVIDER, dataset, "Stooq's daily download limit is exceeded")
    if looks_like_html(stripped):
        raise BadResponse(PROVIDER, dataset, "an HTML page where CSV was expected")
    reader = csv.reader(io.StringIO(stripped))
    header = tuple(h.strip().lower() for h in next(reader, []))
    if header[:5] not in HEADERS:
        raise BadResponse(PROVIDER, dataset, f"unexpected CSV header {','.join(header)!r}")
    bars = []
    for n, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) < 5:
            raise BadResponse(PROVIDER, dataset, f"line {n} has {len(row)} fields, expected 5 or 6")
        try:
            bars.append(
                Bar.parse(
                    dt.date.fromisoformat(row[0].strip()),
                    _price(row[1]),  # an empty field is a gap in that field only
                    _price(row[2]),
                    _price(row[3]),
                    row[4],
                    row[5] if len(row) > 5 and row[5].strip() else None,
                )
            )
        except ValueError:
            raise BadResponse(PROVIDER, dataset, f"line {n} is not a date and numbers: {','.join(row)!r}") from None
    if not bars:
        raise NoDataError(PROVIDER, dataset, "no rows in the response")
    return tuple(sorted(bars, key=lambda b: b.date))
