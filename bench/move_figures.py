"""Shock statistics benchmark: CPU time of `sections.shock.move_figures` and
`models.series.suspect_split_days` over every bundled daily series, run by hand (never a timed test).

    python bench/move_figures.py [--runs N] [--ref REV] [--as-of 2026-02-06]

Times this tree's code and the code at git revision `--ref` (default: the merge-base with
`main`), each in its own worker processes over the same bundled data: every bundled `bars`
instrument is loaded once, then each run times `move_figures` for all of them (and
`suspect_split_days` on their dates and closes) with time.process_time. The workers run
interleaved, so drift in machine load hits both alike; the script prints the medians of both
and the ratio of this tree to the baseline. It also checks that both give the same figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def worker(runs: int, as_of: str) -> None:
    """Print one JSON line: per-run CPU seconds of both functions, and a digest of the figures."""
    import datetime as dt
    import hashlib

    from marketshock import instruments
    from marketshock.models.series import suspect_split_days
    from marketshock.providers.bundled import load_daily_closes
    from marketshock.sections.shock import move_figures

    day = dt.date.fromisoformat(as_of)
    symbols = [r.symbol for r in instruments.load(None).bundled() if r.form == "bars"]
    series = [load_daily_closes(s) for s in symbols]
    move_figures(series[0], day)  # warm up
    figures, splits = [], []
    for _ in range(runs):
        start = time.process_time()
        results = [move_figures(s, day) for s in series]
        figures.append(time.process_time() - start)
        start = time.process_time()
        suspects = [suspect_split_days(s.dates, s.closes) for s in series]
        splits.append(time.process_time() - start)
    digest = hashlib.sha256(repr((results, suspects)).encode()).hexdigest()
    rows = sum(len(s.dates) for s in series)
    print(json.dumps({"figures": figures, "splits": splits, "digest": digest, "symbols": symbols, "rows": rows}))


def run_worker(src: Path, runs: int, as_of: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src)}
    argv = [sys.executable, __file__, "--worker", "--runs", str(runs), "--as-of", as_of]
    out = subprocess.run(argv, env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=3, help="worker processes per tree, interleaved")
    parser.add_argument("--ref", default=None, help="baseline git revision (default: merge-base with main)")
    parser.add_argument("--as-of", default="2026-02-06")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.runs, args.as_of)
        return
    git = ["git", "-C", str(ROOT)]
    ref = args.ref or subprocess.run([*git, "merge-base", "HEAD", "main"], capture_output=True, text=True).stdout
    ref = ref.strip() or "HEAD"
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run([*git, "archive", ref, "src"], capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        trees = {"baseline": Path(tmp) / "src", "this tree": ROOT / "src"}
        results: dict[str, list[dict]] = {name: [] for name in trees}
        for src in trees.values():  # a first process of each, discarded: bytecode, file cache
            run_worker(src, 1, args.as_of)
        for _ in range(args.rounds):
            for name, src in trees.items():
                results[name].append(run_worker(src, args.runs, args.as_of))
    first = results["this tree"][0]
    print(f"{len(first['symbols'])} series ({', '.join(first['symbols'])}), {first['rows']} rows, as of {args.as_of}")
    print(f"baseline: {ref[:12]}; median of {args.runs} runs x {args.rounds} processes, CPU time")
    same = {r["digest"] for rs in results.values() for r in rs}
    for key, label in (("figures", "move_figures (all series)"), ("splits", "suspect_split_days (all series)")):
        base = statistics.median(t for r in results["baseline"] for t in r[key])
        this = statistics.median(t for r in results["this tree"] for t in r[key])
        print(f"{label:34s} baseline {base * 1000:7.2f} ms   this tree {this * 1000:7.2f} ms   {this / base:4.2f}x")
    print("same figures" if len(same) == 1 else "FIGURES DIFFER")
    sys.exit(0 if len(same) == 1 else 1)


if __name__ == "__main__":
    main()
