"""Start-up benchmark: median wall time of whole processes, run by hand (never a timed test).

    python bench/startup.py [--runs N]

Prints `python -c pass` (the interpreter's floor), a bare Typer app (the floor for a
Typer CLI), `marketshock --help` and `marketshock crypto --offline --json`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

# The floor: a one-command Typer app configured as marketshock's is (plain help, no Rich
# markup), so the ratio measures what marketshock itself adds.
BARE_TYPER = "import typer\napp = typer.Typer(rich_markup_mode=None)\n@app.command()\ndef main() -> None: pass\napp()"


def median_seconds(argv: list[str], runs: int) -> float:
    env = {**os.environ, "NO_COLOR": "1"}
    # One untimed run first, allowed to write bytecode caches: an installed package has them
    # (pip compiles it), a checkout run with PYTHONDONTWRITEBYTECODE=1 would otherwise
    # recompile the project's modules on every run and measure that instead.
    warm_env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=warm_env, check=False)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    py = sys.executable
    cases = {
        "python -c pass": [py, "-c", "pass"],
        "bare Typer app --help": [py, "-c", BARE_TYPER, "--help"],
        "marketshock --help": [py, "-m", "marketshock", "--help"],
        "marketshock crypto --offline --json": [py, "-m", "marketshock", "crypto", "--offline", "--json"],
    }
    results = {name: median_seconds(argv, runs) for name, argv in cases.items()}
    floor = results["bare Typer app --help"]
    print(f"median of {runs} runs")
    for name, seconds in results.items():
        print(f"{name:40s} {seconds * 1000:7.1f} ms   {seconds / floor:4.2f}x bare Typer")


if __name__ == "__main__":
    main()
