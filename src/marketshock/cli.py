"""The command line's entry point: list every command, run the one asked for, and turn every
failure into one line on stderr and a documented exit code (0 ok, 1 nothing, 2 usage or
config, 3 partial, 4 busy, 5 an alert fired,
130 and 143 interrupted by SIGINT or SIGTERM).

Commands register on `app.app` when their module is imported; `menu()` names each command's
module (a section's from the registry), and a run imports only the one it runs (`--help` none),
each keeping its heavy imports inside its functions.
"""

from __future__ import annotations

import sys
from typing import Any

import typer

from marketshock import app as _app

# `app` comes from __getattr__ below: the app with every command loaded.
__all__ = ["OTHER_COMMANDS", "app", "click_group", "load_commands", "main", "menu"]  # noqa: F822

_DATA = "marketshock.commands.data"
_SNAPSHOT = "marketshock.commands.snapshot"
# The commands that are not sections, in `--help` order: each one's name, the module that
# registers it on `marketshock.app.app` when imported, and the first paragraph of its help (all
# that the list of commands shows). tests/test_lazy_commands.py holds `menu()` to what the
# modules register.
OTHER_COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("report", _DATA, "Every section on one screen, headline facts on top."),
    ("snapshot", _SNAPSHOT, "Write the report to <dir>/<as_of>.json, atomically, and print the path."),
    ("history", _SNAPSHOT, "A metric over time, one value per snapshot: a table with a sparkline, --json or --csv."),
    ("diff", _SNAPSHOT, "Compare two snapshots: per metric, old, new, change and change in percent."),
    (
        "alerts",
        "marketshock.commands.alerts",
        "Evaluate the [[alerts]] rules of the config and print which fired (exit 5 when one did, else 0).",
    ),
    (
        "chart",
        "marketshock.commands.chart",
        "Draw a series: a line for daily and weekly data, bars for a month across years; the\n"
        "lows, highs and ranks the tables report are marked on it.",
    ),
    (
        "schema",
        "marketshock.commands.schema",
        "Print the JSON Schema (draft 2020-12) of the --json envelope of every command; the\n"
        "symbols of your watchlist are its examples.",
    ),
    (
        "sources",
        "marketshock.commands.sources",
        "Each provider (base URL, datasets, credentials set or not, the cache's age) and each bundled\n"
        "dataset (provider, quality of its sources, first and last day, rows).",
    ),
    (
        "config",
        "marketshock.commands.config_cmd",
        "Write, inspect and locate the config file (the global --config PATH picks another file).",
    ),
)


def menu() -> tuple[tuple[str, str, str], ...]:
    """Every command in `--help` order as (name, module, help): a command per section of the
    registry (commands/data.py registers them from it), then `OTHER_COMMANDS`. A run imports
    only the module of the command it runs; `--help` none of them."""
    from marketshock.sections.registry import SECTIONS  # dataclasses and strings: no pydantic

    return (*((section.name, _DATA, section.help) for section in SECTIONS), *OTHER_COMMANDS)


def load_commands() -> typer.Typer:
    """The Typer app with every command registered (each module of the menu imported, in menu
    order): for whatever needs them all at once, such as the tests' eager Typer group."""
    import importlib

    for module in dict.fromkeys(module for _, module, _ in menu()):
        importlib.import_module(module)
    return _app.app


def __getattr__(name: str) -> Any:
    # `from marketshock.cli import app`: the app with all its commands, as it always was.
    if name == "app":
        return load_commands()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Entry point: every failure ends as one line on stderr and a documented exit code."""
    if sys.stdout is None:  # started with stdout closed (`>&-`): Python leaves no stream at all
        if sys.stderr is not None:
            sys.stderr.write("marketshock: error: standard output is closed: nowhere to print\n")
        sys.exit(2)
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
        code = click_group()(standalone_mode=False)
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


def click_group() -> Any:
    """The app as Click runs it: only the command that runs is imported and built.

    Typer builds every command's options when it builds the group: the signature, the type
    hints, a pydantic TypeAdapter per option; and every command module had to be imported to
    register its commands. For marketshock's 19 commands that cost more than anything else
    `--help` does, and every run paid it for the 18 commands it did not run. Here the group lists
    stand-ins from `menu()` (each command's name and help, no options: what `--help` and a mistyped
    command's suggestions read) and `resolve_command` imports the module of the command that
    runs and swaps in the real command (or the `config` group), built by Typer as before. Typer
    has no lazy group of its own; should its internals used here move, every command is loaded
    and the eager `typer.main.get_command` is used instead."""
    import copy
    import importlib

    try:
        from typer.core import TyperGroup
        from typer.main import get_command_from_info, get_command_name, get_group_from_info
        from typer.models import CommandInfo
    except ImportError:  # pragma: no cover - another Typer: the plain, eager group
        return typer.main.get_command(load_commands())

    root = _app.app
    commands = menu()
    modules = {name: module for name, module, _ in commands}
    short, markup = root.pretty_exceptions_short, root.rich_markup_mode
    listed = set(modules)  # the names whose command is still a stand-in

    def real_command(name: str) -> Any:
        importlib.import_module(modules[name])
        for info in root.registered_commands:
            if (info.name or get_command_name(info.callback.__name__)) == name:  # type: ignore[union-attr]
                return get_command_from_info(command_info=info, pretty_exceptions_short=short, rich_markup_mode=markup)
        for group_info in root.registered_groups:
            group = get_group_from_info(
                group_info,
                pretty_exceptions_short=short,
                rich_markup_mode=markup,
                suggest_commands=root.suggest_commands,
            )
            if group.name == name:
                return group
        raise AssertionError(f"{modules[name]} registers no command {name!r}")  # menu() is tested

    class LazyGroup(TyperGroup):
        def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
            name, command, rest = super().resolve_command(ctx, args)
            if name in listed:
                listed.discard(name)
                command = self.commands[name] = real_command(name)
            return name, command, rest

    lazy = copy.copy(root)
    lazy.registered_commands = [CommandInfo(name, callback=_listed_only, help=help) for name, _, help in commands]
    lazy.registered_groups = []  # `config` is a stand-in too, until it runs
    lazy.info = copy.copy(root.info)
    lazy.info.cls = LazyGroup
    return typer.main.get_command(lazy)


def _listed_only() -> None:
    """A stand-in's callback: never run, `resolve_command` replaces the command first."""
    raise AssertionError("a stand-in command ran")


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
