"""Shock benchmark: `shock --offline --json` against `crypto --offline --json`, median wall
time of whole processes, run by hand (never a timed test).

    python bench/shock.py [--runs N] [--budget 1.5]

`shock` reads every long daily history (BTC from 2014, SPY from 1993, ...) and computes its
statistics in the same process start-up budget as `crypto`; the script prints both medians
and their ratio, and exits 1 when the ratio is over the budget.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

ENV = {**os.environ, "NO_COLOR": "1"}


def wall_seconds(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--budget", type=float, default=1.5, help="allowed ratio shock / crypto")
    args = parser.parse_args()
    crypto_argv = [sys.executable, "-m", "marketshock", "crypto", "--offline", "--json"]
    shock_argv = [sys.executable, "-m", "marketshock", "shock", "--offline", "--json"]
    wall_seconds(crypto_argv), wall_seconds(shock_argv)  # warm the file cache and bytecode first
    # Interleave the two commands so drift in machine load hits both alike.
    crypto_times, shock_times = [], []
    for _ in range(args.runs):
        crypto_times.append(wall_seconds(crypto_argv))
        shock_times.append(wall_seconds(shock_argv))
    crypto, shock = statistics.median(crypto_times), statistics.median(shock_times)
    ratio = shock / crypto
    print(f"median of {args.runs} runs")
    print(f"{'marketshock crypto --offline --json':40s} {crypto * 1000:7.1f} ms")
    print(f"{'marketshock shock --offline --json':40s} {shock * 1000:7.1f} ms   {ratio:4.2f}x crypto")
    verdict = "within" if ratio <= args.budget else "OVER"
    print(f"{verdict} the {args.budget}x budget")
    followed = followed_ratio(args.runs)
    print(f"{'shock statistics with what followed':40s} {followed:4.2f}x without it (in process, same run)")
    print(f"{'within' if followed <= args.budget else 'OVER'} the {args.budget}x budget")
    sys.exit(0 if ratio <= args.budget and followed <= args.budget else 1)


def followed_ratio(runs: int) -> float:
    """CPU time of the shock section's statistics for every bundled series with "what followed"
    over the same without it (move_stats.what_followed swapped for a no-op), interleaved."""
    import asyncio
    import datetime as dt

    from marketshock import move_stats
    from marketshock.context import RunContext
    from marketshock.providers import bundled
    from marketshock.sections import shock

    ctx = RunContext(as_of=dt.date(2026, 2, 6), data=bundled.BundledData())
    real = move_stats.what_followed

    def nothing(*_args: object, **_kwargs: object) -> move_stats.Followed:
        return move_stats.Followed((), dict.fromkeys(move_stats.FOLLOW_HORIZONS), "")

    def once(follow: bool) -> float:
        move_stats.what_followed = real if follow else nothing  # type: ignore[assignment]
        start = time.process_time()
        asyncio.run(shock.build(ctx))
        return time.process_time() - start

    once(True), once(False)  # load and cache every series first
    with_times, without_times = [], []
    for _ in range(runs):
        with_times.append(once(True))
        without_times.append(once(False))
    move_stats.what_followed = real
    return statistics.median(with_times) / statistics.median(without_times)


if __name__ == "__main__":
    main()
