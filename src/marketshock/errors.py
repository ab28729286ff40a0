"""Every error marketshock raises, in one hierarchy a caller catches by kind (httpx's
`_exceptions.py` is the model), and the exit codes they map to.

    MarketshockError                      exit_code   kind
    +-- UsageError                        2           usage       bad input: a date, a symbol, an option
    |   +-- ConfigError                   2           config      a broken config file or variable
    |   |   +-- AlertRuleError            2           config      an `[[alerts]]` rule that does not parse
    |   +-- PathError                     2           path        a path given cannot be used (too long, a
    |   |                                                         directory, a FIFO, no permission)
    |   +-- Unavailable                   1           unavailable nothing can be produced at all
    |   +-- Busy                          4           busy        a snapshot directory's lock is held
    |   +-- MissingExtra                  2           missing-extra a picture library is not installed
    +-- StoreError                        2           store       a snapshot directory or file is unusable
    |   +-- LockBusy                      4           busy
    +-- NotifyError                       3           notify      an alert's notification was not delivered
    +-- ProviderError                     3           provider    one dataset could not be served
        +-- NoDataError                   3           no-data     the provider has nothing for the query
        +-- NotCached                     3           no-data     a cache-only read found nothing
        +-- UnknownSymbolError            2           unknown-symbol
        +-- ProviderTimeout               3           timeout
        +-- NetworkError                  3           network
        +-- HttpStatusError               3           http-status
        |   +-- RateLimited               3           rate-limited
        +-- BadResponse                   3           bad-response  the body does not fit the format
        +-- BodyTooLarge                  3           too-large   the body passed http.max_body_mb
        +-- RedirectRefused               3           redirect    a redirect to another scheme or host
        +-- MissingSetting                2           config      the provider needs a setting (SEC User-Agent)
        +-- CuratedFileError              2           config      the user's curated file is unreadable

A `ProviderError` inside a section fails that section only: the others still render and
the run exits 3 (or 1 when nothing at all was produced). `kind` is what the JSON
envelope's `errors[].kind` says.
"""

from __future__ import annotations

import datetime as dt
from enum import IntEnum

from marketshock.formatting import safe_text


class ExitCode(IntEnum):
    OK = 0  # every section produced
    NOTHING = 1  # nothing could be produced
    USAGE = 2  # bad usage or bad config: a bad date, an unknown symbol, a broken config file
    PARTIAL = 3  # some sections failed; the rest printed and the JSON's `errors` lists what failed
    # `snapshot` only: another run held the snapshot directory's lock past --lock-timeout; nothing was
    # written and a retry is safe. Its own code so a cron wrapper can tell "try again" from "broken".
    BUSY = 4
    # `alerts` and `snapshot`: an alert rule fired (after the snapshot was written). Below any failure:
    # a run with a failed section or an undelivered notification exits 3 even when a rule fired.
    ALERT = 5


class MarketshockError(Exception):
    """The root: every error marketshock raises on purpose. Anything else is a bug."""

    exit_code = ExitCode.NOTHING
    kind = "error"


# --- the user's input -----------------------------------------------------------------------


class UsageError(MarketshockError):
    """Bad input from the user; exit 2 with this message."""

    exit_code = ExitCode.USAGE
    kind = "usage"


class ConfigError(UsageError):
    """The config file or an environment variable is broken (exit 2)."""

    kind = "config"


class PathError(UsageError):
    """A path the user gave (an argument, an option, a config value) cannot be used: too long,
    a directory where a file is expected, a FIFO, no permission. Exit 2, one line."""

    kind = "path"

    @classmethod
    def from_os(cls, error: OSError) -> PathError:
        reason = error.strerror or str(error) or type(error).__name__
        return cls(f"{shown_path(error.filename)}: {reason}" if error.filename else reason)


def first_reason(error: BaseException) -> str:
    """An exception's reason in one line: for a pydantic ValidationError the first error's own
    message (its first line, "1 validation error for PriceSeries", says nothing), else the first
    line of its text, else its type's name."""
    errors = getattr(error, "errors", None)
    if callable(errors):
        try:
            found = errors()
        except TypeError:
            found = None
        if found and isinstance(found[0], dict):
            return str(found[0].get("msg", "invalid")).removeprefix("Value error, ")
    text = str(error)
    return text.splitlines()[0] if text else type(error).__name__


def shown_path(path: object, limit: int = 100) -> str:
    """A path for a one-line message: a 5,000-character one keeps its start and its end."""
    text = str(path)
    return text if len(text) <= limit else f"{text[: limit // 2]}...{text[-(limit // 2 - 3) :]}"


class Unavailable(UsageError):
    """What was asked for cannot be produced at all (exit 1)."""

    exit_code = ExitCode.NOTHING
    kind = "unavailable"


class Busy(UsageError):
    """Another run holds the snapshot directory's lock (exit 4); nothing was written."""

    exit_code = ExitCode.BUSY
    kind = "busy"


class MissingExtra(UsageError):
    """An export needs a library that is not installed (matplotlib, Jinja2); the message names
    the extra that brings it (exit 2)."""

    kind = "missing-extra"


class AlertRuleError(ConfigError):
    """An `[[alerts]]` rule of the config does not parse; the message names the rule and the position."""


# --- the snapshot store ---------------------------------------------------------------------


class StoreError(MarketshockError):
    """A snapshot directory or file cannot be used; the message names it."""

    exit_code = ExitCode.USAGE
    kind = "store"


class LockBusy(StoreError):
    """Another run held the directory's lock for longer than the timeout."""

    exit_code = ExitCode.BUSY
    kind = "busy"


# --- alerts ---------------------------------------------------------------------------------


class NotifyError(MarketshockError):
    """An alert's notification could not be delivered (exit 3); the snapshot is kept."""

    exit_code = ExitCode.PARTIAL
    kind = "notify"


# --- providers ------------------------------------------------------------------------------


class ProviderError(MarketshockError):
    """A dataset could not be served by `provider`; the message names provider, dataset and cause."""

    exit_code = ExitCode.PARTIAL
    kind = "provider"

    def __init__(self, provider: str, dataset: str, cause: str) -> None:
        # The cause often quotes the provider (an error body, a reason phrase) and the dataset
        # the user (a symbol): both are made inert and stripped of secrets here, once, so no
        # path an error takes (stderr, the envelope, a snapshot, a log) can carry them raw.
        cause = safe_text(cause, one_line=True)
        dataset = safe_text(dataset, one_line=True)
        super().__init__(f"{provider}: {dataset}: {cause}")
        self.provider = provider
        self.dataset = dataset
        self.cause = cause
        self.parts: tuple[ProviderError, ...] = (self,)  # each provider's own failure (see `combined`)

    @property
    def not_found(self) -> bool:
        """Every provider asked said it has no such thing (no data, or HTTP 404)."""
        return all(isinstance(e, NoDataError) or getattr(e, "status", 0) == 404 for e in self.parts)


class NoDataError(ProviderError):
    kind = "no-data"


class NotCovered(NoDataError):
    """The data has nothing for the symbol on or before the as-of date (BTC in 2008): what the
    data covers, not a failure. Sections list it in the envelope's `coverage`, not `errors`."""

    kind = "not-covered"

    def __init__(
        self, provider: str, dataset: str, cause: str, *, symbol: str, first: dt.date | None, last: dt.date | None
    ) -> None:
        super().__init__(provider, dataset, cause)
        self.symbol, self.first, self.last = symbol, first, last


class NotCached(ProviderError):
    """A read that may only use the cache found nothing there."""

    kind = "no-data"


class UnknownSymbolError(ProviderError):
    """No provider knows the symbol: bad input, so exit 2 rather than a failed section."""

    exit_code = ExitCode.USAGE
    kind = "unknown-symbol"


class ProviderTimeout(ProviderError):
    kind = "timeout"


class NetworkError(ProviderError):
    kind = "network"


class HttpStatusError(ProviderError):
    kind = "http-status"

    def __init__(self, provider: str, dataset: str, cause: str, status: int = 0, body: str = "") -> None:
        super().__init__(provider, dataset, cause)
        self.status = status
        self.body = body  # the start of the error body, for adapters that can read it


class RateLimited(HttpStatusError):
    kind = "rate-limited"


class BadResponse(ProviderError):
    kind = "bad-response"


class BodyTooLarge(ProviderError):
    """The response body passed `http.max_body_mb` (counted after decompression); reading stopped there."""

    kind = "too-large"


class RedirectRefused(ProviderError):
    """A redirect to another scheme or host (where a key in the query must not go), or too many."""

    kind = "redirect"


class MissingSetting(ProviderError):
    """A provider cannot be asked at all without a setting (the SEC's User-Agent)."""

    exit_code = ExitCode.USAGE
    kind = "config"


class CuratedFileError(ProviderError):
    """The user's own curated file cannot be read or does not fit its columns."""

    exit_code = ExitCode.USAGE
    kind = "config"


# --- signals ---------------------------------------------------------------------------------


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived: the run stops, "marketshock: interrupted", exit 128 + the signal
    (130, 143). A BaseException, like KeyboardInterrupt, so no `except Exception` (a section's
    own guard) swallows it, while every `finally` and the atomic writes' cleanup still run: no
    partial file, no temporary file left."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.exit_code = 128 + signum


def combined(errors: list[ProviderError]) -> ProviderError:
    """Several providers' failures for one dataset as one error, the first one's kind kept."""
    first = errors[0]
    if len(errors) == 1:
        return first
    rest = "; ".join(f"then {e.provider}: {e.cause}" for e in errors[1:])
    joined = ProviderError(first.provider, first.dataset, f"{first.cause}; {rest}")
    joined.kind = first.kind
    joined.parts = tuple(part for e in errors for part in e.parts)
    return joined
