"""The process's entry point (the `marketshock` script and `python -m marketshock`).

Python's default handler turns a Ctrl-C into a KeyboardInterrupt traceback, and SIGTERM kills
the process without a word. `cli.main` sets handlers that end a run with one line and exit 130
or 143, but only once Typer and the CLI are imported, some 50 ms after the start. Until then
the handlers set here do the same: nothing has been written yet, so there is nothing to clean
up, and the process ends at once.
"""

from __future__ import annotations

import contextlib
import os
import signal

_SIGNALS = ("SIGINT", "SIGTERM")
_PLUGINS = "PYDANTIC_DISABLE_PLUGINS"
_plugins_set_here = False  # whether without_pydantic_plugins added the variable to this process


def _interrupted_early(signum: int, frame: object) -> None:
    with contextlib.suppress(OSError):  # stderr closed: the exit code still says it
        os.write(2, b"marketshock: interrupted\n")
    os._exit(128 + signum)  # 130 for SIGINT, 143 for SIGTERM, as cli.main exits


def install() -> None:
    """Handle SIGINT and SIGTERM with one line on stderr and exit 128 + the signal's number."""
    for name in _SIGNALS:
        number = getattr(signal, name, None)
        if number is not None:
            signal.signal(number, _interrupted_early)


def without_pydantic_plugins() -> None:
    """Run pydantic without plugins unless PYDANTIC_DISABLE_PLUGINS says otherwise.

    pydantic looks for plugins in the entry points of every installed distribution when it
    builds its first validator: about 10 ms of each run's start-up, more in a larger
    environment, for plugins (tracing, logging) marketshock neither needs nor should let change
    how its figures are validated. Setting the variable, even to an empty value, keeps the
    user's choice (`PYDANTIC_DISABLE_PLUGINS= marketshock ...` loads them again). Programs
    marketshock starts get the user's environment without it (`child_environment`)."""
    global _plugins_set_here
    if _PLUGINS not in os.environ:
        os.environ[_PLUGINS] = "__all__"
        _plugins_set_here = True


def child_environment() -> dict[str, str]:
    """The environment for a program marketshock starts (the pager): the user's own, without the
    variable `without_pydantic_plugins` set for this process, so a pager that uses pydantic
    keeps its plugins."""
    environment = dict(os.environ)
    if _plugins_set_here:
        environment.pop(_PLUGINS, None)
    return environment


def main() -> None:
    """Set the early handlers, then import and run the CLI (`cli.main` sets its own)."""
    install()
    without_pydantic_plugins()
    from marketshock.cli import main as run

    run()
