"""What each section computes: the `data` of the JSON envelope and the input of the tables.

Field names here are a public contract (scripts read them with jq): percentages are
`*_pct` in percent, money is `*_usd`, dates are ISO 8601, a gap is null.

One module a section (`results.crypto`, `results.indices`, ...; `results.report` holds the
whole report), so a run imports and builds the models of the sections it runs only: creating
a pydantic model class costs about 0.3 ms, and all 25 would be 8 ms of a `crypto` run's
start-up. This package holds what every section's rows share.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Result(BaseModel):
    """The base of every result model: unknown fields are an error, validators are built on
    first use (most runs validate a few of them)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class DatedRow(Result):
    """A row whose figure is of one day, and how fresh that day is on the as-of date
    (`sections/freshness.py` fills both for every section). `stale` (on a source) is another
    matter: a cached value served after a failed refresh."""

    age_days: int | None = None  # calendar days from `date` to the as-of date; null: no date
    # Older than its cadence allows: an exchange close more than 4 days, a crypto close more
    # than 1, weekly claims more than 13, a monthly figure more than 45 after its release,
    # a curated event or quote more than 14. Never a headline.
    out_of_date: bool = False
