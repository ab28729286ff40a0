"""FRED weekly jobless claims (ICSA, CCSA, IC4WSA).

Without a key: `fredgraph.csv`, whose date column is `DATE` in files written before 2024 and
`observation_date` since (both accepted). With `fred.api_key`: the JSON API
`series/observations`; for a past as-of date it asks for the vintage known on that day
(`realtime_start = realtime_end = as-of`), so a later revision is not used either. The key
goes only into the request's parameters, which the HTTP layer masks in every message.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from marketshock.errors import BadResponse, HttpStatusError, NoDataError
from marketshock.models.economic import WeeklyRow
from marketshock.providers.http import RequestSpec, json_body, looks_like_html

PROVIDER = "fred"
DATE_COLUMNS = ("observation_date", "DATE")


def graph_request(series_id: str, start: dt.date, end: dt.date, base_url: str, *, ttl: float) -> RequestSpec:
    return RequestSpec(
        PROVIDER,
        f"{series_id} claims",
        f"{base_url.rstrip('/')}/graph/fredgraph.csv",
        params={"id": series_id, "cosd": start.isoformat(), "coed": end.isoformat()},
        ttl=ttl,
    )


def api_request(
    series_id: str,
    api_key: str,
    start: dt.date,
    end: dt.date,
    api_base_url: str,
    *,
    vintage: dt.date | None,
    ttl: float,
) -> RequestSpec:
    params = {
        "series_id": series_id,
        "api_key": api_key,
        "file_type": "json",
        "observation_start": start.isoformat(),
        "observation_end": end.isoformat(),
    }
    if vintage is not None:
        params["realtime_start"] = params["realtime_end"] = vintage.isoformat()
    return RequestSpec(
        PROVIDER, f"{series_id} claims", f"{api_base_url.rstrip('/')}/fred/series/observations", params=params, ttl=ttl
    )


def _value(text: str, series_id: str, day: str) -> float | None:
    text = text.strip()
    if text in (".", ""):
        return None  # FRED's mark for a missing observation
    try:
        return float(text)
    except ValueError:
        raise BadResponse(
            PROVIDER, f"{series_id} claims", f"`{series_id}` on {day} is {text!r}, not a number"
        ) from None


def _day(text: str, series_id: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise BadResponse(PROVIDER, f"{series_id} claims", f"date {text!r} is not YYYY-MM-DD") from None


def parse_graph_csv(text: str, series_id: str) -> tuple[WeeklyRow, ...]:
    """fredgraph.csv's rows (a date column, then one named `series_id`), a `WeeklyRow` a row in
    date order (a duplicated week keeps the answer's order, for `WeeklySeries.from_rows`); a
    missing value is None. BadResponse for an HTML page, another header or a bad cell;
    NoDataError when no row has a value."""
    dataset = f"{series_id} claims"
    if looks_like_html(text):
        raise BadResponse(PROVIDER, dataset, "an HTML page where CSV was expected")
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if not header:
        raise BadResponse(PROVIDER, dataset, "empty body where CSV was expected")
    header = [h.strip() for h in header]
    if len(header) < 2 or header[0] not in DATE_COLUMNS or header[1] != series_id:
        raise BadResponse(PROVIDER, dataset, f"unexpected CSV header {','.join(header)!r}")
    observations = []
    for row in reader:
        if not row:
            continue
        if len(row) < 2:
            raise BadResponse(PROVIDER, dataset, f"short CSV row {row!r}")
        # FRED's "." (or an empty cell) is a missing observation: kept, as a gap, never dropped.
        observations.append(WeeklyRow(_day(row[0], series_id), _value(row[1], series_id, row[0])))
    if all(o.value is None for o in observations):
        raise NoDataError(PROVIDER, dataset, "no observations in the response")
    return tuple(sorted(observations, key=lambda o: o.week_ending))  # stable: a duplicated week keeps its order


def parse_api_json(text: str, series_id: str) -> tuple[WeeklyRow, ...]:
    """The API's `observations` (`date`, `value`), a `WeeklyRow` each, as `parse_graph_csv`.
    BadResponse for a body without them or a bad cell; NoDataError when none has a value."""
    dataset = f"{series_id} claims"
    body = json_body(PROVIDER, dataset, text)
    if not isinstance(body, dict) or not isinstance(body.get("observations"), list):
        raise BadResponse(PROVIDER, dataset, "no `observations` list in the response")
    observations = []
    for i, item in enumerate(body["observations"]):
        if not isinstance(item, dict) or "date" not in item or "value" not in item:
            raise BadResponse(PROVIDER, dataset, f"`observations[{i}]` lacks `date` or `value`")
        value = _value(str(item["value"]), series_id, item["date"])
        observations.append(WeeklyRow(_day(item["date"], series_id), value))
    if all(o.value is None for o in observations):
        raise NoDataError(PROVIDER, dataset, "no observations in the response")
    return tuple(sorted(observations, key=lambda o: o.week_ending))  # stable: a duplicated week keeps its order


def api_error(error: HttpStatusError) -> HttpStatusError:
    """FRED's JSON errors say what is wrong (`error_message`); keep that, never the request URL."""
    try:
        import json

        message = json.loads(error.body)["error_message"]
    except (ValueError, KeyError, TypeError):
        return error
    return type(error)(error.provider, error.dataset, f"HTTP {error.status}: {message}", error.status, error.body)
