"""The whole report: each section's result and the headlines drawn from them."""

from __future__ import annotations

from pydantic import Field

from marketshock.models.results import Result
from marketshock.models.results.capex import CapexResult
from marketshock.models.results.crypto import CryptoResult
from marketshock.models.results.indices import IndicesResult
from marketshock.models.results.labor import LaborResult
from marketshock.models.results.shock import ShockResult


class Headline(Result):
    section: str
    text: str
    why: str = ""  # what makes it unusual, in plain words (or why it cannot be ranked)
    zscore: float | None = None  # the day's move behind the headline, where one exists
    rank_sigma: float | None = None  # the ordering key: |z-score|, else the superlative's rank-equivalent
    rank_basis: str = ""  # how rank_sigma was found, in words; empty: not ranked


class ReportResult(Result):
    headlines: list[Headline]
    indices: IndicesResult | None = None
    earnings_capex: CapexResult | None = Field(default=None, serialization_alias="earnings-capex")
    labor: LaborResult | None = None
    crypto: CryptoResult | None = None
    shock: ShockResult | None = None
