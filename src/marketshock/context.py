"""The run context: what a section needs to know about this run, and nothing about the CLI."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from marketshock.instruments import Universe, default_universe
from marketshock.providers.base import MarketData


@dataclass(frozen=True)
class RunContext:
    """as_of: figures use data known at the end of this day, never later. data: the source
    (bundled or live). universe: the instruments this run shows by default (the watchlist;
    by default the bundled rows of the package's instrument table)."""

    as_of: dt.date
    data: MarketData
    universe: Universe = field(default_factory=default_universe)
