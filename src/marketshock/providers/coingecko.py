"""CoinGecko public API: total crypto market value (`/api/v3/global`) and spot quotes
(`/api/v3/simple/price`).

Never used for history: the keyless API serves one point a day for the last 365 days and no
lows, so it cannot find a 16-month low.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from marketshock.errors import BadResponse, NoDataError
from marketshock.providers.http import RequestSpec, json_body

PROVIDER = "coingecko"
NAME = "CoinGecko"  # the provider name the curated market-value rows use


@dataclass(frozen=True)
class GlobalMarket:
    total_market_cap_usd: float
    change_24h_pct: float | None
    updated_at: dt.datetime


def global_request(base_url: str, *, ttl: float) -> RequestSpec:
    return RequestSpec(PROVIDER, "total market value", f"{base_url.rstrip('/')}/api/v3/global", ttl=ttl)


def parse_global(text: str) -> GlobalMarket:
    dataset = "total market value"
    body = json_body(PROVIDER, dataset, text)
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise BadResponse(PROVIDER, dataset, "no `data` object in the response")
    caps = data.get("total_market_cap")
    if not caps:
        raise NoDataError(PROVIDER, dataset, "`data.total_market_cap` is empty")
    usd = caps.get("usd") if isinstance(caps, dict) else None
    if not isinstance(usd, int | float) or usd <= 0:
        raise BadResponse(PROVIDER, dataset, "`data.total_market_cap.usd` is not a positive number")
    change = data.get("market_cap_change_percentage_24h_usd")
    updated = data.get("updated_at")
    if not isinstance(updated, int):
        raise BadResponse(PROVIDER, dataset, "`data.updated_at` is not a Unix time")
    return GlobalMarket(
        total_market_cap_usd=float(usd),
        change_24h_pct=float(change) if isinstance(change, int | float) else None,
        updated_at=dt.datetime.fromtimestamp(updated, dt.UTC),
    )


def simple_price_request(ids: list[str], base_url: str, *, ttl: float) -> RequestSpec:
    return RequestSpec(
        PROVIDER,
        "quotes",
        f"{base_url.rstrip('/')}/api/v3/simple/price",
        params={"ids": ",".join(ids), "vs_currencies": "usd"},
        ttl=ttl,
    )


def parse_simple_price(text: str, ids: list[str]) -> dict[str, float]:
    """{coin id: USD price}; every id asked for must be there."""
    dataset = "quotes"
    body = json_body(PROVIDER, dataset, text)
    if not isinstance(body, dict):
        raise BadResponse(PROVIDER, dataset, "expected an object keyed by coin id")
    if not body:
        raise NoDataError(PROVIDER, dataset, f"no quote for {', '.join(ids)}")
    prices = {}
    for coin in ids:
        entry = body.get(coin)
        if entry is None:
            raise NoDataError(PROVIDER, dataset, f"no quote for {coin!r}")
        usd = entry.get("usd") if isinstance(entry, dict) else None
        if not isinstance(usd, int | float):
            raise BadResponse(PROVIDER, dataset, f"`{coin}.usd` is not a number")
        prices[coin] = float(usd)
    return prices
