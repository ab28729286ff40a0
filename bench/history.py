"""History benchmark: `history` over 100, 1,000 and 5,000 snapshots, run by hand (never a timed test).

    python bench/history.py [--runs N] [--sizes 100,1000,5000] [--no-scan]

Writes one real `snapshot --offline` report, copies it to N dated files in a temporary
directory (the BTC price varied a little a day, so every file differs), builds the metrics
index once (`history --reindex`, timed), then prints for each size the median CPU time
(user + system of the process), wall time and peak memory (max RSS) of
`history crypto.BTC.price` and `history --list`, with ratios against baselines measured in
the same run: `python -c "import pandas"` and the same command at the smallest size.
`JSON scan` is the way history read before the index: every file parsed (in-process,
`store.scan` + `store.metric_history`), one run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_SECONDS, GOAL_MIB, GOAL_RATIO = 0.5, 80.0, 1.5

JSON_SCAN = """
import sys
from pathlib import Path
from marketshock import store
snapshots, _ = store.scan(Path(sys.argv[1]))
print(len(store.metric_history(snapshots, "crypto.BTC.price")))
"""


def measure(argv: list[str], runs: int) -> tuple[float, float, float]:
    """Median CPU seconds, median wall seconds and the largest max RSS (MiB) of `runs` processes."""
    env = {**os.environ, "NO_COLOR": "1"}
    cpu, wall, rss = [], [], []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall.append(time.perf_counter() - start)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}")
        cpu.append(usage.ru_utime + usage.ru_stime)
        rss.append(usage.ru_maxrss / 1024)  # KiB on Linux
    return statistics.median(cpu), statistics.median(wall), max(rss)


def seed_report(py: str, directory: Path) -> dict[str, object]:
    subprocess.run(
        [py, "-m", "marketshock", "-q", "snapshot", "--offline", "--out", str(directory)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    [path] = directory.glob("*.json")
    doc: dict[str, object] = json.loads(path.read_text())
    path.unlink()
    return doc


def fill(directory: Path, doc: dict[str, object], count: int) -> None:
    """Dated copies of `doc` up to `count` files, the latest on 2026-02-06."""
    last = dt.date(2026, 2, 6)
    data = doc["data"]
    assert isinstance(data, dict)
    btc = data["crypto"]["assets"][0]
    base = btc["price"]
    have = {p.name for p in directory.glob("*.json")}
    for i in range(count):
        day = last - dt.timedelta(days=i)
        name = f"{day.isoformat()}.json"
        if name in have:
            continue
        btc["price"] = round(base * (1 + ((i * 7919) % 200 - 100) / 1000), 2)
        doc["as_of"] = day.isoformat()
        doc["generated_at"] = f"{day.isoformat()}T23:30:00Z"
        (directory / name).write_text(json.dumps(doc))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--no-scan", action="store_true", help="skip the JSON-scan baseline (slow at 5,000)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    py = sys.executable
    pandas_cpu, _, pandas_rss = measure([py, "-c", "import pandas"], args.runs)
    print(f"baseline: python -c 'import pandas'  {pandas_cpu * 1000:7.1f} ms CPU  {pandas_rss:6.1f} MiB")
    print(
        f"median of {args.runs} runs; CPU = user + system; x pandas = CPU / import pandas; "
        f"x {sizes[0]} = CPU / the same at {sizes[0]} snapshots"
    )
    first: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="marketshock-bench-") as tmp:
        directory = Path(tmp) / "snapshots"
        directory.mkdir()
        doc = seed_report(py, directory)
        for size in sizes:
            fill(directory, doc, size)
            hist = [py, "-m", "marketshock", "-q", "history", "--dir", str(directory)]
            reindex = measure([*hist, "--reindex"], 1)
            print(
                f"\n{size:,} snapshots ({sum(p.stat().st_size for p in directory.glob('*.json')) / 2**20:.0f} MiB "
                f"of JSON); history --reindex {reindex[0]:.2f} s CPU, {reindex[2]:.0f} MiB"
            )
            cases = {
                "history crypto.BTC.price": [*hist, "crypto.BTC.price"],  # the table: Rich lays out every row
                "history crypto.BTC.price --csv": [*hist, "crypto.BTC.price", "--csv"],
                "history crypto.BTC.price --json": [*hist, "crypto.BTC.price", "--json"],
                "history --list": [*hist, "--list"],
            }
            for name, argv in cases.items():
                cpu, wall, rss = measure(argv, args.runs)
                first.setdefault(name, cpu)
                ok = ""
                if name.startswith("history crypto.BTC.price"):
                    met = cpu < GOAL_SECONDS and rss < GOAL_MIB and cpu <= GOAL_RATIO * first[name]
                    ok = "  goal met" if met else "  goal MISSED"
                print(
                    f"  {name:33s} {cpu * 1000:7.1f} ms CPU {wall * 1000:7.1f} ms wall {rss:6.1f} MiB  "
                    f"{cpu / pandas_cpu:4.2f}x pandas  {cpu / first[name]:4.2f}x {sizes[0]}{ok}"
                )
            if not args.no_scan:
                cpu, wall, rss = measure([py, "-c", JSON_SCAN, str(directory)], 1)
                print(
                    f"  {'JSON scan (no index), 1 run':33s} {cpu * 1000:7.1f} ms CPU {wall * 1000:7.1f} ms wall "
                    f"{rss:6.1f} MiB  {cpu / pandas_cpu:4.2f}x pandas"
                )
    print(
        f"\ngoal: history crypto.BTC.price (any output) at {sizes[-1]:,} under {GOAL_SECONDS} s "
        f"and {GOAL_MIB:.0f} MiB, at most {GOAL_RATIO}x its time at {sizes[0]}"
    )


if __name__ == "__main__":
    main()
