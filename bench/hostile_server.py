"""The network boundary against a hostile local server: peak memory and cut-off time, measured.

    python bench/hostile_server.py [--marketshock PATH] [--deadline 5]

A replay server (tests/replay_server.py) on 127.0.0.1 plays an attacker's FRED; `labor` runs
against it as a whole process under /usr/bin/time -v, with the default limits (or --deadline);
deadline. Prints, per fault, the exit code, the wall time, the peak resident memory and the
first stderr line:

- `endless`: a body that never ends (no Content-Length);
- `huge`: a 200 MiB body announced by its Content-Length (and sent, if read);
- `bomb`: 250 kB of gzip that inflates to 256 MiB;
- `trickle`: one byte every 0.5 s, for up to 120 s;
- `none`: a normal answer, for the baseline.

`--marketshock` runs another build (an older checkout's console script) for comparison.
Run by hand; never a timed test.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from replay_server import ReplayServer  # noqa: E402


def measure(marketshock: str, server: ReplayServer, fault: str, env: dict[str, str]) -> str:
    server.faults.pop("fred", None)
    if fault != "none":
        server.faults["fred"] = fault
    with tempfile.TemporaryDirectory() as cache:
        environ = {k: v for k, v in os.environ.items() if not k.startswith("MARKETSHOCK_")}
        environ |= server.env() | env | {"MARKETSHOCK_CACHE_DIR": cache}
        started = time.monotonic()
        done = subprocess.run(
            ["/usr/bin/time", "-v", marketshock, "labor", "--as-of", "2026-02-06"],
            capture_output=True,
            text=True,
            env=environ,
            timeout=300,
        )
        wall = time.monotonic() - started
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    first = next((line for line in done.stderr.splitlines() if line.startswith("marketshock")), "")
    mb = int(peak.group(1)) / 1024 if peak else float("nan")
    return f"{fault:8} exit {done.returncode}  {wall:6.1f} s  peak {mb:7.1f} MB  {first[:150]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--marketshock", default=str(Path(sys.executable).with_name("marketshock")))
    parser.add_argument("--deadline", default="", help="MARKETSHOCK_HTTP_DEADLINE (default: the config default)")
    parser.add_argument("--faults", default="none,endless,huge,bomb,trickle")
    args = parser.parse_args()
    server = ReplayServer("replay").start()
    server.trickle_every, server.trickle_for = 0.5, 120.0
    env = {"MARKETSHOCK_HTTP_DEADLINE": args.deadline} if args.deadline else {}
    try:
        for fault in args.faults.split(","):
            print(measure(args.marketshock, server, fault, env), flush=True)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
