"""Live `report` against local servers with injected latency: concurrency and the cache, measured.

    python bench/live_report.py [--latency 0.2] [--runs 3]

One replay server per provider (tests/replay_server.py; each on its own port, so each is its
own host for the per-host limit), every answer delayed by --latency seconds. Prints, as the
median of --runs whole processes:

- `report` live with a warm cache: the floor (interpreter, imports, parsing, analytics; no
  request at all, which is the point of the cache);
- `report` live with a cold cache: how many requests went out, the wall time, and what the
  same requests would take one after another (N x latency);
- the same with the per-host limit raised (to show what the default limit of 8 costs);
- `report --offline`, for comparison (it parses the whole bundled history of every series).

The servers build each answer once and serve it again from memory on later runs, so their
own CPU does not pollute the figures beyond the first run.

Run by hand; never a timed test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from replay_server import PROVIDERS, ReplayServer  # noqa: E402

AS_OF = "2026-02-06"


def marketshock() -> str:
    candidate = Path(sys.executable).with_name("marketshock")
    return str(candidate) if candidate.exists() else "marketshock"


def environment(servers: dict[str, ReplayServer], cache: Path, config: Path, max_per_host: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKETSHOCK_")}
    env.update({f"MARKETSHOCK_{p.upper()}_BASE_URL": s.url for p, s in servers.items()})
    env.update(
        {
            "MARKETSHOCK_CONFIG": str(config),
            "MARKETSHOCK_CACHE_DIR": str(cache),
            "MARKETSHOCK_SEC_USER_AGENT": "marketshock bench bench@example.com",
            "MARKETSHOCK_HTTP_MAX_PER_HOST": str(max_per_host),
            "NO_COLOR": "1",
        }
    )
    return env


def hits(servers: dict[str, ReplayServer]) -> int:
    return sum(sum(s.hits.values()) for s in servers.values())


def timed(argv: list[str], env: dict[str, str], servers: dict[str, ReplayServer]) -> tuple[float, int, int]:
    before = hits(servers)
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.strip()}")
    return seconds, hits(servers) - before, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.2, help="seconds added to every answer")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    servers = {p: ReplayServer("replay", latency=args.latency).start() for p in PROVIDERS}
    report = [marketshock(), "report", "--as-of", AS_OF, "--json"]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            config = work / "config.toml"
            # The bundled moves stand in for the Asia measure: the replay has no AAXJ series.
            config.write_text('[datasets]\nasia_measure = ["curated"]\n')

            def median_of(argv: list[str], max_per_host: int, fresh: bool) -> tuple[float, int, int]:
                rows = []
                for i in range(args.runs):
                    cache = work / (f"cold-{max_per_host}-{i}" if fresh else "warm")
                    rows.append(timed(argv, environment(servers, cache, config, max_per_host), servers))
                return statistics.median(r[0] for r in rows), max(r[1] for r in rows), max(r[2] for r in rows)

            offline = median_of([*report[:1], "report", "--offline", "--as-of", AS_OF, "--json"], 8, True)
            timed(report, environment(servers, work / "warm", config, 8), servers)  # fill the warm cache
            floor = median_of(report, 8, False)
            cold = median_of(report, 8, True)
            wide = median_of(report, 32, True)
    finally:
        for s in servers.values():
            s.stop()
    n, latency = cold[1], args.latency
    print(f"marketshock report --as-of {AS_OF}, {latency * 1000:.0f} ms per answer, median of {args.runs} runs")
    print(f"{'live, warm cache (the floor)':44s} {floor[0] * 1000:7.0f} ms  {floor[1]} requests, exit {floor[2]}")
    print(f"{'live, cold cache, 8 per host (default)':44s} {cold[0] * 1000:7.0f} ms  {n} requests, exit {cold[2]}")
    print(f"{'live, cold cache, 32 per host':44s} {wide[0] * 1000:7.0f} ms  {wide[1]} requests, exit {wide[2]}")
    print(f"{'offline, for comparison':44s} {offline[0] * 1000:7.0f} ms")
    print(f"{'the same requests one after another':44s} {n * latency * 1000:7.0f} ms  (N x latency)")
    for label, run in (("8 per host", cold), ("32 per host", wide)):
        over = run[0] - floor[0]
        print(f"cold minus warm, {label}: {over * 1000:.0f} ms = {over / latency:.1f} x latency")


if __name__ == "__main__":
    main()
