"""The command line's entry point: register every command, run the app, and turn every
failure into one line on stderr and a documented exit code (0 ok, 1 nothing, 2 usage or
config, 3 partial, 4 busy, 5 an alert fired).

Commands register on `app.app` when their module is imported; each keeps its heavy
imports inside its functions, so importing them all costs `--help` next to nothing.
"""

from __future__ import annotations

import sys

import typer

from marketshock.app import app

# Import order is the order of `--help`: the data commands first.
from marketshock.commands import data as _data  # noqa: F401  (indices, earnings-capex, labor, crypto, shock, report)

# isort: split
from marketshock.commands import alerts as _alerts  # noqa: F401
from marketshock.commands import chart as _chart  # noqa: F401
from marketshock.commands import config_cmd as _config_cmd  # noqa: F401  (config init|show|path)
from marketshock.commands import schema as _schema  # noqa: F401
from marketshock.commands import snapshot as _snapshot  # noqa: F401  (snapshot, history, diff)
from marketshock.commands import sources as _sources  # noqa: F401

__all__ = ["app", "main"]


def main() -> None:
    """Entry point: every failure ends as one line on stderr and a documented exit code."""
    from marketshock.errors import ExitCode, MarketshockError

    try:
        code = app(standalone_mode=False)
    except MarketshockError as error:  # every error raised on purpose carries its exit code
        _fail(str(error), error.exit_code)
    except typer.TyperException as error:  # Typer's usage errors: unknown option, missing value, ...
        if type(error).__name__ == "NoArgsIsHelpError":  # a bare `marketshock`: the usage, as Click prints it
            # (matched by name, as Typer's own rich_utils does: the class lives in a private module)
            sys.stderr.write(error.format_message().rstrip("\n") + "\n")
            sys.exit(ExitCode.USAGE)
        command = getattr(getattr(error, "ctx", None), "command_path", "marketshock")
        _fail(f"{error.format_message()} (see: {command} --help)", getattr(error, "exit_code", ExitCode.USAGE))
    except typer.Abort:
        _fail("interrupted", 130)
    except BrokenPipeError:
        _quiet_broken_pipe()
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except SystemExit:
        if _typer_saw_broken_pipe():
            _quiet_broken_pipe()
        raise
    else:
        _exit(code if isinstance(code, int) else 0)


def _exit(code: int) -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_broken_pipe()
    sys.exit(code)


def _typer_saw_broken_pipe() -> bool:
    """Typer catches EPIPE itself and exits 1 after wrapping stdout in click's PacifyFlushWrapper;
    that wrapper is the only trace. Without this, `| head` would exit 0 or 1 depending on timing."""
    return type(sys.stdout).__name__ == "PacifyFlushWrapper"


def _quiet_broken_pipe() -> None:
    """A reader that stopped early (`| head`) is not an error: exit without a traceback."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(0)


def _fail(message: str, code: int) -> None:
    sys.stderr.write(f"marketshock: error: {message}\n")
    sys.exit(code)
