"""The runner's live wiring: the as-of date, the spinner, the cache location."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

import pytest

from marketshock import runner
from marketshock.config import CacheSettings
from marketshock.errors import UsageError
from marketshock.providers import bundled
from marketshock.providers.cache import cache_root, default_dir

TODAY = dt.date(2026, 11, 25)


def test_live_as_of_defaults_to_today():
    assert runner.parse_live_as_of(None, TODAY) == TODAY


def test_live_as_of_takes_any_past_day():
    assert runner.parse_live_as_of("2020-01-03", TODAY) == dt.date(2020, 1, 3)


@pytest.mark.parametrize(
    ("text", "message"), [("2026-11-26", "in the future"), ("06/02/2026", "YYYY-MM-DD"), ("20260206", "YYYY-MM-DD")]
)
def test_live_as_of_refuses_the_future_and_bad_dates(text, message):
    with pytest.raises(UsageError, match=message):
        runner.parse_live_as_of(text, TODAY)


class _Stream:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


class _Live:
    name = "live"


@pytest.mark.parametrize(
    ("tty", "data", "quiet", "spins"),
    [
        (True, _Live(), False, True),
        (False, _Live(), False, False),
        (True, _Live(), True, False),
        (True, bundled.BundledData(), False, False),
    ],
)
def test_the_spinner_shows_only_for_live_data_on_a_terminal(monkeypatch, tty, data, quiet, spins):
    monkeypatch.setattr("sys.stderr", _Stream(tty))
    spinner = runner._spinner(runner.Request(command="crypto", quiet=quiet), data)
    assert (not isinstance(spinner, contextlib.nullcontext)) == spins


def test_the_cache_lives_in_cache_dir_or_the_platform_cache_dir(tmp_path):
    assert cache_root(CacheSettings(dir=str(tmp_path))) == tmp_path
    assert cache_root(CacheSettings()) == default_dir()
    assert default_dir().name == "marketshock"
    assert cache_root(CacheSettings(enabled=False)) is None
    assert isinstance(default_dir(), Path)
