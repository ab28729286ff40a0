"""Signals, closed pipes, and the global options after the command.

A reader that stops early ends every command with exit 0; SIGINT and SIGTERM end a run with
one line, "marketshock: interrupted", and 130 or 143, leaving no partial or temporary file.
"""

from __future__ import annotations

import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import PROJECT, command, environ, invoke, process


@pytest.fixture(scope="module")
def snaps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("snapshots")
    for day in ("2026-02-05", "2026-02-06"):
        assert invoke("snapshot", "--offline", "--as-of", day, "--out", str(out)).code == 0
    return out


def _reader_gone(*args: str, env: dict[str, str] | None = None) -> tuple[int, bytes]:
    """Run with stdout a pipe whose reader closed before anything was written: a sure broken pipe."""
    proc = subprocess.Popen(
        command(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=PROJECT, env=environ(env)
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read()
    proc.stderr.close()
    return proc.wait(timeout=60), err


@pytest.mark.parametrize(
    "args",
    [
        ("sources",),
        ("config", "show"),
        ("history", "crypto.BTC.price"),
        ("history", "--list"),
        ("diff", "2026-02-05", "2026-02-06"),
        ("alerts", "--offline", "-q"),  # -q: no rules is a warning
    ],
    ids=" ".join,
)
def test_a_closed_pipe_ends_the_command_with_exit_0(args: tuple[str, ...], snaps: Path):
    assert _reader_gone(*args, env={"MARKETSHOCK_SNAPSHOT_DIR": str(snaps)}) == (0, b"")


# --- signals -----------------------------------------------------------------------


def _start_slow_snapshot(out: Path) -> subprocess.Popen[bytes]:
    """A snapshot whose write pauses half-way (the test hook in files.py), once its temporary file exists."""
    proc = subprocess.Popen(
        command("snapshot", "--offline", "--out", str(out)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=PROJECT,
        # No cache: the hook would pause the parsed-columns cache's writes (atomic too) first.
        env=environ({"MARKETSHOCK_TEST_SLOW_WRITE": "5", "MARKETSHOCK_CACHE_ENABLED": "false"}),
    )
    deadline = time.monotonic() + 60
    while not (out.is_dir() and any(p.name.endswith(".tmp") for p in out.iterdir())):
        assert time.monotonic() < deadline and proc.poll() is None, "the write never started"
        time.sleep(0.02)
    return proc


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_a_signal_during_the_write_leaves_no_partial_and_no_temporary_file(tmp_path: Path, sig: int, code: int):
    out = tmp_path / "snaps"
    proc = _start_slow_snapshot(out)
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=60)
    assert (proc.returncode, stdout, stderr) == (code, b"", b"marketshock: interrupted\n")
    assert sorted(p.name for p in out.iterdir()) == [".marketshock.lock"]


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server on 127.0.0.1 that accepts connections and never answers: a slow live fetch."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        server.close()


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_a_signal_during_a_slow_live_fetch_says_interrupted(silent_server: str, sig: int, code: int):
    env = {f"MARKETSHOCK_{p}_BASE_URL": silent_server for p in ("YAHOO", "COINBASE", "COINGECKO", "STOOQ")}
    proc = subprocess.Popen(
        command("crypto"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=PROJECT,
        env=environ({**env, "MARKETSHOCK_CACHE_ENABLED": "false", "MARKETSHOCK_HTTP_TIMEOUT": "60"}),
    )
    time.sleep(2.0)  # imports done, requests out and waiting
    assert proc.poll() is None
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=60)
    assert (proc.returncode, stdout, stderr) == (code, b"", b"marketshock: interrupted\n")


def test_main_gives_the_signal_handlers_back(snaps: Path):
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    assert invoke("history", "--list", "--dir", str(snaps)).code == 0
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before


# --- global options after the command ----------------------------------------------


def _commands(snaps: Path, tmp_path: Path) -> dict[str, list[str]]:
    return {
        "sources": ["sources"],
        "config show": ["config", "show"],
        "schema": ["schema"],
        "snapshot": ["snapshot", "--offline", "--out", str(tmp_path / "out")],
        "history": ["history", "--list", "--dir", str(snaps)],
        "diff": ["diff", "2026-02-05", "2026-02-06", "--dir", str(snaps)],
        "alerts": ["alerts", "--offline"],
    }


NAMES = ["sources", "config show", "schema", "snapshot", "history", "diff", "alerts"]


@pytest.mark.parametrize("name", NAMES)
def test_config_after_the_command_is_the_config_it_reads(name: str, snaps: Path, tmp_path: Path):
    missing = tmp_path / "missing.toml"
    result = invoke(*_commands(snaps, tmp_path)[name], "--config", str(missing))
    assert (result.code, result.err) == (2, f"marketshock: error: config file {missing} does not exist\n")


@pytest.mark.parametrize("name", NAMES)
def test_config_after_the_command_wins_over_the_one_before(name: str, snaps: Path, tmp_path: Path):
    good = tmp_path / "config.toml"
    good.write_text("")
    result = invoke(
        "--config", str(tmp_path / "missing.toml"), *_commands(snaps, tmp_path)[name], "--config", str(good)
    )
    assert result.code == 0, result.err


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("option", ["-q", "--quiet", "-v", "--verbose"])
def test_quiet_and_verbose_after_the_command_are_accepted(name: str, option: str, snaps: Path, tmp_path: Path):
    result = invoke(*_commands(snaps, tmp_path)[name], option)
    assert result.code == 0, result.err


def test_config_path_and_init_take_config_after_the_command(tmp_path: Path):
    target = tmp_path / "mine.toml"
    assert invoke("config", "path", "--config", str(target)).out == f"{target}\n"
    assert invoke("config", "init", "--config", str(target), "-q").code == 0
    assert target.is_file()


def test_verbose_after_history_lists_each_foreign_file(snaps: Path, tmp_path: Path):
    import shutil

    mine = Path(shutil.copytree(snaps, tmp_path / "snaps"))
    (mine / "notes.md").write_text("mine")
    result = invoke("history", "crypto.BTC.price", "--dir", str(mine), "-v")
    assert result.err == f"marketshock: skipped {mine / 'notes.md'}: not a snapshot (expected YYYY-MM-DD.json)\n"


def test_quiet_after_history_silences_the_summary(snaps: Path, tmp_path: Path):
    import shutil

    mine = Path(shutil.copytree(snaps, tmp_path / "snaps"))
    (mine / "notes.md").write_text("mine")
    assert invoke("history", "crypto.BTC.price", "--dir", str(mine), "-q").err == ""


def test_snapshot_takes_no_color_and_refresh_after_the_command(tmp_path: Path):
    out = tmp_path / "snaps"
    result = invoke("snapshot", "--offline", "--out", str(out), "--no-color", "--refresh", "--export", "txt")
    assert result.code == 0, result.err
    assert "\x1b" not in (out / "2026-02-06.txt").read_text()


def test_schema_takes_offline_after_the_command():
    assert invoke("schema", "--offline").code == 0


@pytest.mark.parametrize("args", [("--version",), ("report", "--offline")], ids=" ".join)
def test_a_run_started_with_stdout_closed_says_so_in_one_line_and_exits_2(args: tuple[str, ...]):
    shell = " ".join([shlex.quote(sys.executable), "-m", "marketshock", *args, ">&-"])
    run = process(argv=["sh", "-c", shell])
    assert (run.code, run.out, run.err) == (2, "", "marketshock: error: standard output is closed: nowhere to print\n")


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_a_signal_before_the_cli_is_imported_is_one_line_and_the_documented_code(sig: int, code: int):
    # What the entry point installs first, before Typer and the CLI take their ~50 ms to import:
    # a signal then used to be a KeyboardInterrupt traceback (SIGINT) or a silent kill (SIGTERM).
    script = (
        "import os, time\nfrom marketshock import entry\nentry.install()\n"
        f"os.kill(os.getpid(), {int(sig)})\ntime.sleep(10)\nprint('not interrupted')"
    )
    run = process(argv=[sys.executable, "-c", script])
    assert (run.code, run.out, run.err) == (code, "", "marketshock: interrupted\n")
