"""Start-up benchmark: median wall and CPU time of whole processes, run by hand (never a timed test).

    python bench/startup.py [--runs N]

Prints `python -c pass` (the interpreter's floor), a bare one-command Typer app (the floor for
a Typer CLI), a bare Typer app with marketshock's commands (names and help lines, empty bodies:
the yardstick of issue 18's `--help` goal, "within 1.2x a bare Typer app with the same
commands"), `python -c "import pandas"` (the yardstick of the other goals), `marketshock
--help`, `crypto --offline --json` and `report --offline --json`: median wall time, median CPU
time (user + system of the process, less disturbed by a busy machine), peak memory, and the CPU
ratios to the bare one-command app, to the bare app with the same commands and to `import
pandas`, all measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time

# The floor: a one-command Typer app configured as marketshock's is (plain help, no Rich
# markup), so the ratio measures what marketshock itself adds.
BARE_TYPER = "import typer\napp = typer.Typer(rich_markup_mode=None)\n@app.command()\ndef main() -> None: pass\napp()"


def same_commands_app(py: str) -> str:
    """The source of a bare Typer app with the commands `marketshock --help` lists (each with its
    help line and no body), configured as marketshock's is: what Typer alone costs for that menu."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    text = subprocess.run([py, "-m", "marketshock", "--help"], capture_output=True, text=True, env=env).stdout
    lines = text.split("Commands:", 1)[1].splitlines() if "Commands:" in text else []
    source = ["import typer", "app = typer.Typer(rich_markup_mode=None)"]
    for n, line in enumerate(line for line in lines if line.strip()):
        name, _, help_line = line.strip().partition(" ")
        source += [f"@app.command({name!r}, help={help_line.strip()!r})", f"def c{n}() -> None: pass"]
    return "\n".join([*source, "app()"])


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and max RSS (MiB) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0  # reaped by wait4
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # KiB on Linux


def measure(cases: dict[str, list[str]], runs: int) -> dict[str, tuple[float, float, float]]:
    """Per case: median wall seconds, median CPU seconds and the largest max RSS (MiB) of `runs`
    processes. The cases take turns, one process each per round, so a busy spell of a shared
    machine falls on all of them alike instead of on whichever case ran during it; and in a new
    order each round, because the process right after `import pandas` (67 MiB, and threads)
    was measured 15-20 ms slower than the same process elsewhere in the round."""
    env = {**os.environ, "NO_COLOR": "1"}
    # One untimed run first, allowed to write bytecode caches: an installed package has them
    # (pip compiles it), a checkout run with PYTHONDONTWRITEBYTECODE=1 would otherwise
    # recompile the project's modules on every run and measure that instead. It also fills
    # marketshock's cache of parsed bundled files, as any earlier run on the machine would.
    warm_env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for argv in cases.values():
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=warm_env, check=False)
    samples: dict[str, list[tuple[float, float, float]]] = {name: [] for name in cases}
    order = list(cases)
    shuffle = random.Random(20260206).shuffle  # the same orders on every run of the benchmark
    for _ in range(runs):
        shuffle(order)
        for name in order:
            samples[name].append(run_once(cases[name], env))
    return {
        name: (
            statistics.median(s[0] for s in got),
            statistics.median(s[1] for s in got),
            max(s[2] for s in got),
        )
        for name, got in samples.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    py = sys.executable
    cases = {
        "python -c pass": [py, "-c", "pass"],
        "bare Typer app --help": [py, "-c", BARE_TYPER, "--help"],
        "bare Typer, same commands --help": [py, "-c", same_commands_app(py), "--help"],
        'python -c "import pandas"': [py, "-c", "import pandas"],
        "marketshock --help": [py, "-m", "marketshock", "--help"],
        "marketshock crypto --offline --json": [py, "-m", "marketshock", "crypto", "--offline", "--json"],
        "marketshock report --offline --json": [py, "-m", "marketshock", "report", "--offline", "--json"],
    }
    results = measure(cases, runs)
    floor, pandas = results["bare Typer app --help"][1], results['python -c "import pandas"'][1]
    same = results["bare Typer, same commands --help"][1]
    print(f"median of {runs} rounds, cases in a new order each; CPU = user + system of the process; ratios of CPU time")
    for name, (wall, cpu, rss) in results.items():
        print(
            f"{name:36s} {wall * 1000:6.1f} ms wall {cpu * 1000:6.1f} ms CPU {rss:5.1f} MiB"
            f"  {cpu / floor:4.2f}x bare Typer {cpu / same:4.2f}x same commands {cpu / pandas:4.2f}x import pandas"
        )


if __name__ == "__main__":
    main()
