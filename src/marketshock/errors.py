"""Exit codes and the errors the CLI turns into them (one line on stderr, never a traceback)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # every section produced
    NOTHING = 1  # nothing could be produced
    USAGE = 2  # bad usage or bad config: a bad date, an unknown symbol, a broken config file
    PARTIAL = 3  # some sections failed; the rest printed and the JSON's `errors` lists what failed
    # `snapshot` only: another run held the snapshot directory's lock past --lock-timeout; nothing was
    # written and a retry is safe. Its own code so a cron wrapper can tell "try again" from "broken".
    BUSY = 4


class UsageError(Exception):
    """Bad input from the user; exit 2 with this message."""

    exit_code = ExitCode.USAGE


class Unavailable(UsageError):
    """What was asked for cannot be produced at all (exit 1)."""

    exit_code = ExitCode.NOTHING


class Busy(UsageError):
    """Another run holds the snapshot directory's lock (exit 4); nothing was written."""

    exit_code = ExitCode.BUSY
