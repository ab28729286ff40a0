"""The command line's entry point: register every command, run the app, and turn every
failure into one line on stderr and a documented exit code (0 ok, 1 nothing, 2 usage or
config, 3 partial, 4 busy, 5 an alert fired,
130 and 143 interrupted by SIGINT or SIGTERM).

Commands register on `app.app` when their module is imported; each keeps its heavy
imports inside its functions, so importing them all costs `--help` next to nothing.
"""

from __future__ import annotations

import sys
from typing import Any

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
    previous = _catch_signals()
    try:
        _main()
    finally:
        _restore_signals(previous)


_SIGNALS = ("SIGINT", "SIGTERM")


def _catch_signals() -> dict[int, Any]:
    """SIGINT and SIGTERM raise `Interrupted` (a BaseException) wherever the run is, so the atomic
    writes remove their temporary files and no partial file is left. Only the main thread may set
    handlers; the previous ones come back when `main` returns (tests call it in-process)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return {}
    from marketshock.errors import Interrupted

    def interrupt(signum: int, frame: object) -> None:
        raise Interrupted(signum)

    previous = {}
    for name in _SIGNALS:
        number = getattr(signal, name, None)
        if number is not None:
            previous[number] = signal.signal(number, interrupt)
    return previous


def _restore_signals(previous: dict[int, Any]) -> None:
    import signal

    for number, handler in previous.items():
        signal.signal(number, handler)


def _main() -> None:
    from marketshock.errors import ExitCode, Interrupted, MarketshockError

    try:
        code = click_group(app)(standalone_mode=False)
    except Interrupted as interrupted:
        _interrupted(interrupted.exit_code)
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
        _interrupted(130)
    except BrokenPipeError:
        _quiet_broken_pipe()
    except OSError as error:  # a path the user gave: too long, a directory, no permission, ...
        from marketshock.errors import PathError

        _fail(str(PathError.from_os(error)), ExitCode.USAGE)
    except KeyboardInterrupt:
        _interrupted(130)
    except SystemExit:
        if _typer_saw_broken_pipe():
            _quiet_broken_pipe()
        raise
    else:
        _exit(code if isinstance(code, int) else 0)


def click_group(typer_app: typer.Typer) -> Any:
    """The app as Click runs it, each command's options built only when that command is run.

    Typer builds every command's options when it builds the group: the signature, the type
    hints, a pydantic TypeAdapter per option. For marketshock's 19 commands that cost more than
    anything else `--help` does, and every run paid it for the 18 commands it did not run. Here
    the group lists stand-ins (each command's name and help, no options: what `--help` and a
    mistyped command's suggestions read) and `resolve_command` swaps in the real command, built
    by Typer as before, for the one that runs. Typer has no lazy group of its own; should its
    internals used here move, the eager `typer.main.get_command` is used instead."""
    import copy

    try:
        from typer.core import TyperGroup
        from typer.main import get_command_from_info, get_command_name
    except ImportError:  # pragma: no cover - another Typer: the plain, eager group
        return typer.main.get_command(typer_app)

    real: dict[str, Any] = {}
    stand_ins = []
    for info in typer_app.registered_commands:
        name = info.name or get_command_name(info.callback.__name__)  # type: ignore[union-attr]
        real[name] = info
        stand_in = copy.copy(info)
        stand_in.name, stand_in.callback = name, _listed_only
        stand_in.help = info.help if info.help is not None else _doc(info.callback)
        stand_ins.append(stand_in)

    class LazyGroup(TyperGroup):
        def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
            name, command, rest = super().resolve_command(ctx, args)
            if name in real:
                command = self.commands[name] = get_command_from_info(
                    command_info=real.pop(name),
                    pretty_exceptions_short=typer_app.pretty_exceptions_short,
                    rich_markup_mode=typer_app.rich_markup_mode,
                )
            return name, command, rest

    lazy = copy.copy(typer_app)
    lazy.registered_commands = stand_ins
    lazy.info = copy.copy(typer_app.info)
    lazy.info.cls = LazyGroup
    return typer.main.get_command(lazy)


def _listed_only() -> None:
    """A stand-in's callback: never run, `resolve_command` replaces the command first."""
    raise AssertionError("a stand-in command ran")


def _doc(callback: Any) -> str | None:
    import inspect

    return inspect.getdoc(callback)


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


def _interrupted(code: int) -> None:
    """SIGINT (130) or SIGTERM (143): one line, no traceback."""
    try:
        sys.stderr.write("marketshock: interrupted\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # stderr closed too: the exit code still says it
        pass
    sys.exit(code)


def _fail(message: str, code: int) -> None:
    from marketshock.formatting import safe_text  # messages echo user arguments and provider text

    sys.stderr.write(f"marketshock: error: {safe_text(message, one_line=True)}\n")
    sys.exit(code)
