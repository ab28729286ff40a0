"""`sources --json`: every provider and every bundled dataset, with the quality of its sources.

For scripts that audit what they rely on: where each dataset comes from, how good the cited
sources of its curated figures are, which days it covers and how many rows it has.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from marketshock.models.series import Quality


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class QualityCounts(_Model):
    """How many figures of a dataset have a best source of each quality (`unmarked`: none given)."""

    primary: int = 0
    secondary: int = 0
    aggregator: int = 0
    unmarked: int = 0
    aggregator_only: int = Field(0, description="figures resting on aggregator pages alone (each says why)")


class DatasetSource(_Model):
    dataset: str = Field(description="what the dataset holds, e.g. 'KOSPI closes' or 'BTC daily bars'")
    files: list[str] = Field(description="the bundled file(s) it is read from")
    provider: str = Field(description="who publishes the data, or 'curated' for tables citing a source per figure")
    curated: bool = Field(description="true: figures typed from cited pages, each with its own source")
    quality: Quality | None = Field(
        description="the lowest quality among the figures' best sources; null for a provider's own series"
    )
    quality_counts: QualityCounts | None = Field(description="figures by the quality of their best source")
    first: dt.date | None = Field(description="the first day the dataset covers")
    last: dt.date | None = Field(description="the last day the dataset covers")
    rows: int = Field(description="rows (figures, for capex: companies) in the dataset")
    reference: str = Field(description="where the data comes from, for a provider's series")


class ProviderSource(_Model):
    name: str
    base_url: str
    serves: str
    credentials: str = Field(description="whether what the provider needs is set: never the value")
    cache: str = Field(description="age of the newest cached response, 'empty' or 'disabled'")


class SourcesResult(_Model):
    providers: list[ProviderSource]
    datasets: list[DatasetSource]
