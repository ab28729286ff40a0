"""Bad input ends as one readable line on stderr and exit code 2: never a traceback, never
half an output on stdout. Run as real processes, so `cli.main()` and the interpreter's own
error handling are what is tested."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

LONG = "a" * 5000  # longer than any file name a file system takes: the OS says ENAMETOOLONG
A_FILE = str(Path(__file__))  # a file where a directory is expected
A_DIR = str(Path(__file__).parent)  # a directory where a file is expected

BAD_INPUT = {
    "impossible date": (("crypto", "--offline", "--as-of", "2026-13-01"), "2026-13-01"),
    "a word for a date": (("crypto", "--offline", "--as-of", "yesterday"), "yesterday"),
    "ISO week date": (("crypto", "--offline", "--as-of", "2026-W06-5"), "2026-W06-5"),
    "date without dashes": (("labor", "--offline", "--as-of", "20260206"), "20260206"),
    "before the bundled window": (("report", "--offline", "--as-of", "1966-12-31"), "outside the bundled data"),
    "after the bundled window": (("indices", "--offline", "--as-of", "2026-03-27"), "outside the bundled data"),
    "global --as-of out of the window": (("--offline", "--as-of", "1900-01-01", "labor"), "outside"),
    "unknown crypto symbol": (("crypto", "--offline", "-s", "XRP"), "'XRP'"),
    "unknown index symbol": (("indices", "--offline", "-s", "FOO"), "'FOO'"),
    "an ETF asked of crypto": (("crypto", "--offline", "-s", "SPY"), "'SPY' is not a crypto asset"),
    "unknown ticker": (("earnings-capex", "--offline", "-t", "ZZZZ"), "'ZZZZ'"),
    "unknown symbol in JSON mode": (("crypto", "--offline", "--json", "-s", "BTC,XRP"), "'XRP'"),
    "unknown option": (("crypto", "--offline", "--bogus"), "--bogus"),
    "unknown global option": (("--bogus", "crypto"), "--bogus"),
    "unknown command": (("nosuch", "--offline"), "nosuch"),
    "option without its value": (("crypto", "--offline", "--as-of"), "--as-of"),
    "missing config file": (("--config", "/nonexistent/marketshock.toml", "crypto", "--offline"), "does not exist"),
    "diff: a path too long": (("diff", LONG, "2026-02-06"), "File name too long"),
    "history --dir: a path too long": (("history", "--dir", LONG, "crypto.BTC.price"), "File name too long"),
    "report --export: a path too long": (("report", "--offline", "--export", f"{LONG}.svg"), "File name too long"),
    "chart --export: a path too long": (("chart", "--offline", "--export", f"{LONG}.svg", "BTC"), "File name too long"),
    "--config: a path too long": (("--config", LONG, "crypto", "--offline"), "File name too long"),
    "--config: a directory": (("--config", A_DIR, "crypto", "--offline"), "is a directory"),
    "diff: a directory": (("diff", A_DIR, "2026-02-06"), "is a directory"),
    "history --dir: a file": (("history", "--dir", A_FILE, "crypto.BTC.price"), "is not a directory"),
    "report --export: a directory": (("report", "--offline", "--export", A_DIR), "is a directory"),
}


@pytest.fixture(scope="module", autouse=True)
def _processes(cli):
    cli.prefetch(*[args for args, _ in BAD_INPUT.values()])


@pytest.fixture(scope="module", params=list(BAD_INPUT), ids=list(BAD_INPUT))
def bad(request, cli):
    args, named = BAD_INPUT[request.param]
    return cli.process(*args), named


def test_bad_input_exits_2(bad):
    run, _ = bad
    assert run.code == 2, run.err


def test_bad_input_prints_exactly_one_error_line_on_stderr(bad):
    run, _ = bad
    assert run.err.endswith("\n")
    lines = run.err.splitlines()
    assert len(lines) == 1, run.err
    assert lines[0].startswith("marketshock: error: ")


def test_bad_input_error_names_what_was_wrong(bad):
    run, named = bad
    assert named in run.err


def test_bad_input_prints_nothing_on_stdout_and_no_traceback(bad):
    run, _ = bad
    assert run.out == ""
    assert "Traceback" not in run.err


def test_a_date_outside_the_window_says_what_the_window_is(cli):
    run = cli.process("crypto", "--offline", "--as-of", "2026-03-27")
    assert "1967-01-07 .. 2026-03-26" in run.err


def test_the_first_and_last_days_of_the_window_are_accepted(cli):
    for day in ("2024-01-01", "2026-03-26"):
        run = cli.process("labor", "--offline", "--as-of", day, "--json")
        assert run.code == 0, run.err
        assert run.json()["as_of"] == day


def test_no_command_prints_the_usage_on_stderr_and_exits_2(cli):
    run = cli.process()
    assert run.code == 2
    assert run.out == ""
    assert run.err.startswith("Usage: ")
    assert "marketshock [OPTIONS] COMMAND [ARGS]..." in run.err
    assert "marketshock: error:" not in run.err  # asking for nothing is not an error message
    assert "Traceback" not in run.err


def test_a_broken_config_file_is_one_line_naming_the_file_and_key(cli, tmp_path_factory):
    path = tmp_path_factory.mktemp("config") / "config.toml"
    path.write_text("[http]\ntimeout = -1\n", encoding="utf-8")
    run = cli.process("--config", str(path), "crypto", "--offline")
    assert run.code == 2
    assert run.err.count("\n") == 1
    assert str(path) in run.err and "http.timeout" in run.err


# Issue 3 asks that, until live providers exist, a run without --offline says in one line that
# live data is not available yet. Live providers are being built (issue 5), so this test pins
# only what must stay true afterwards: with every provider unreachable (base URLs on a closed
# local port, no cache) a run fails in readable lines with exit 1, never a traceback, and never
# touches the internet. Tighten or replace it when the live providers land.
def test_without_offline_and_no_reachable_provider_the_run_fails_cleanly(cli):
    from marketshock.config import ENVIRONMENT

    closed = "http://127.0.0.1:9"  # the discard port: nothing listens there
    env = {name: closed for key, name in ENVIRONMENT.items() if key.endswith(".base_url")}
    env |= {"MARKETSHOCK_HTTP_TIMEOUT": "0.5", "MARKETSHOCK_HTTP_RETRIES": "0", "MARKETSHOCK_CACHE_ENABLED": "false"}
    run = cli.process("crypto", "--json", env=env)
    assert run.code == 1, run.err
    assert "Traceback" not in run.err
    assert run.err and all(line.startswith("marketshock") for line in run.err.splitlines())


def test_a_deeply_nested_toml_config_is_one_line_and_exit_2(cli, tmp_path_factory):
    path = tmp_path_factory.mktemp("config") / "deep.toml"
    path.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    run = cli.process("--config", str(path), "crypto", "--offline")
    assert (run.code, run.err.count("\n")) == (2, 1), run.err
    assert "nested too deeply" in run.err


def test_marketshock_config_naming_a_directory_says_so(cli, tmp_path_factory):
    directory = tmp_path_factory.mktemp("config-dir")
    run = cli.process("crypto", "--offline", env={"MARKETSHOCK_CONFIG": str(directory)})
    assert (run.code, run.err.count("\n")) == (2, 1), run.err
    assert f"{directory} (from MARKETSHOCK_CONFIG) is a directory" in run.err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_as_config_is_refused_rather_than_read_forever(cli, tmp_path_factory):
    fifo = tmp_path_factory.mktemp("config") / "config.toml"
    os.mkfifo(fifo)
    run = cli.process("--config", str(fifo), "crypto", "--offline")
    assert (run.code, run.err.count("\n")) == (2, 1), run.err
    assert "is not a regular file" in run.err


def test_a_path_too_long_is_shortened_in_the_message(cli):
    run = cli.process("diff", LONG, "2026-02-06")
    assert len(run.err) < 200


def test_escapes_in_an_argument_are_not_echoed(cli):
    run = cli.process("crypto", "--offline", "-s", "\x1b]0;pwned\x07\x1b[31mXRP")
    assert run.code == 2
    assert "\x1b" not in run.err and "\x07" not in run.err
    assert "XRP" in run.err
