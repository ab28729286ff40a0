"""What `alerts --json` prints: the `data` of its envelope. Field names are a public contract."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class AlertRow(_Model):
    name: str  # the rule's name in the config
    when: str  # the rule's expression, as written
    fired: bool
    values: dict[str, int | float | None]  # every metric the rule reads; null when the report lacks it
    notify: int  # how many notification URLs the rule has (never the URLs: they can hold tokens)


class AlertsResult(_Model):
    file: str | None  # the snapshot file the rules ran on; null for a report computed by this run
    rules: list[AlertRow]  # every rule, in config order
    fired: list[str]  # the names of the rules that fired
