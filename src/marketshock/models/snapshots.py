"""What `history` and `diff` print with `--json`: the `data` of their envelopes.

Like `results`, field names here are a public contract: scripts read them with jq.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class SkippedFile(_Model):
    """A file in the snapshot directory that is not a readable snapshot, and why."""

    file: str
    reason: str


class HistoryPoint(_Model):
    date: dt.date  # the snapshot's as-of date
    value: int | float
    file: str


class HistoryResult(_Model):
    metric: str
    directory: str
    points: list[HistoryPoint]  # oldest first, one a snapshot that has the metric
    skipped: list[SkippedFile] = []


class SnapshotRef(_Model):
    file: str
    as_of: dt.date
    generated_at: dt.datetime
    source: str


class MetricChange(_Model):
    metric: str
    old: int | float | None  # null: the metric is not in the old snapshot
    new: int | float | None  # null: the metric is not in the new snapshot
    change: int | float | None  # new - old
    # change over |old|, in percent; null when old is 0 or missing, and for a metric where a percent
    # change means nothing: a `*_pct` (its `change` is in percentage points), a count, streak, rank,
    # z-score, percentile, year or month count
    change_pct: float | None


class DiffResult(_Model):
    old: SnapshotRef
    new: SnapshotRef
    changes: list[MetricChange]  # by metric path; unchanged metrics only with --all
