"""Curated tables: capex guidance, Challenger job cuts, ETF flows and market-value points.

No free API publishes these, so live mode uses the sourced tables bundled with the package,
extended by the user's own CSV files named in the config (`[curated]`), with the same columns
as the bundled table (those marking a source's quality are optional). A user row with the same
key as a bundled row replaces it (a ticker; a year and month; a month, provider and scope; a
provider, kind and date), so a user can both add the next quarter's guidance and correct a row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from marketshock.config import CuratedSettings
from marketshock.errors import CuratedFileError, shown_path
from marketshock.models.capex import CapexRecord
from marketshock.models.economic import MonthlySeries
from marketshock.models.series import MarketCapPoint, QuotedMonthlyFlow
from marketshock.providers import bundled

PROVIDER = "curated"


def _user_rows(path: str | None, dataset: str, required: set[str]) -> list[dict[str, str]]:
    if not path:
        return []
    file = Path(path).expanduser()
    try:
        if file.exists() and not file.is_file():  # a directory, or a FIFO whose read would block forever
            raise CuratedFileError(PROVIDER, dataset, f"{shown_path(file)} is not a regular file")
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CuratedFileError(PROVIDER, dataset, f"cannot read {file}: {error.__class__.__name__}") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = required - set(reader.fieldnames or [])
    if missing:
        raise CuratedFileError(PROVIDER, dataset, f"{file}: missing columns {', '.join(sorted(missing))}")
    return [{k: (v or "") for k, v in row.items() if k is not None} for row in reader]


R = TypeVar("R")


def _convert(
    dataset: str, path: str | None, convert: Callable[[list[dict[str, str]]], R], rows: list[dict[str, str]]
) -> R:
    try:
        return convert(rows)
    except (ValueError, KeyError) as error:
        raise CuratedFileError(PROVIDER, dataset, f"{path}: a row does not fit: {error}") from None


class Curated:
    def __init__(self, settings: CuratedSettings) -> None:
        self.settings = settings

    def capex(self) -> dict[str, CapexRecord]:
        records = dict(bundled.load_capex())
        path = self.settings.capex_file
        rows = _user_rows(path, "capex", set(bundled_columns("capex_curated.csv")))
        user = _convert("capex", path, bundled.capex_from_rows, rows)
        records.update({t: r.model_copy(update={"user_file": True}) for t, r in user.items()})
        return records

    def job_cuts(self) -> MonthlySeries:
        base = bundled.load_job_cuts()
        path = self.settings.job_cuts_file
        rows = _user_rows(
            path, "job cuts", {"year", "month", "announced_job_cuts", "release_date", "source_url", "note"}
        )
        if not rows:
            return base
        extra = _convert("job cuts", path, bundled.job_cuts_from_rows, rows)
        merged = {(v.year, v.month): v for v in base.values} | {(v.year, v.month): v for v in extra.values}
        return base.model_copy(update={"values": tuple(merged[k] for k in sorted(merged))})

    def etf_quoted_flows(self) -> list[QuotedMonthlyFlow]:
        path = self.settings.etf_flows_file
        rows = _user_rows(path, "ETF flows", set(bundled_columns("etf_flow_quotes_curated.csv")))
        extra = _convert("ETF flows", path, bundled.quoted_flows_from_rows, rows)
        merged = {(q.month, q.source.provider, q.scope): q for q in (*bundled.load_etf_quoted_flows(), *extra)}
        return list(merged.values())

    def market_cap_points(self) -> list[MarketCapPoint]:
        path = self.settings.market_cap_file
        rows = _user_rows(path, "market value", set(bundled_columns("crypto_market_cap_curated.csv")))
        extra = _convert("market value", path, bundled.market_cap_from_rows, rows)
        merged = {(p.provider, p.kind, p.date): p for p in (*bundled.load_market_cap_points(), *extra)}
        return list(merged.values())


def bundled_columns(name: str) -> list[str]:
    """The columns a user's file must have: the bundled table's, but for the optional ones saying
    how good a source is (quality, publication date, corroboration, why no primary source)."""
    return [c for c in bundled.columns(name) if not bundled.quality_column(c)]
