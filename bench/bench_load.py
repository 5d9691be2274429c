"""Bounded load test: ``policy-search serve --workers 2`` on 127.0.0.1 while full reindexes swap generations.

    python bench/bench_load.py [--seconds 60] [--swaps 2] [--via cli|admin] [--connections 8]

Uses wrk (Debian package ``wrk``) with a Lua script of mixed Korean/English queries when it is
installed, else a Python load generator. Prints requests, failed requests (non-2xx + socket
errors), latency percentiles (p50/p90/p99), the generations served and the RSS of each worker
sampled every second. Exits 1 if any request failed, a worker died, or a swap was not served.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.ops.helpers import CORPUS, QUERIES, Poller, Server, build, live, rss_mb  # noqa: E402

LUA = r"""
local queries = {%s}
local n = 0
request = function()
  n = n + 1
  local q = queries[(n %% #queries) + 1]
  local path = "/api/search?q=" .. q
  if n %% 7 == 0 then path = "/api/suggest?q=" .. string.sub(q, 1, 6) end
  if n %% 11 == 0 then path = "/api/facets" end
  return wrk.format("GET", path)
end
done = function(summary, latency, requests)
  io.write(string.format("JSON {\"requests\": %%d, \"non2xx\": %%d, \"connect\": %%d, \"read\": %%d, \"write\": %%d, \"timeout\": %%d, \"status\": %%d, \"p50_ms\": %%.2f, \"p90_ms\": %%.2f, \"p99_ms\": %%.2f, \"max_ms\": %%.2f}\n",
    summary.requests, summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, summary.errors.status, latency:percentile(50)/1000, latency:percentile(90)/1000,
    latency:percentile(99)/1000, latency.max/1000))
end
"""


def _lua_queries() -> str:
    from urllib.parse import quote

    return ", ".join(json.dumps(quote(q)) for q in QUERIES)


def _swap(index: Path, via: str, token: str, url: str) -> str:
    if via == "cli":
        build(index)
        return live(index)
    import requests

    headers = {"Authorization": f"Bearer {token}"}
    job = requests.post(url + "/api/admin/reindex", json={"mode": "full"}, headers=headers, timeout=60).json()
    while job["status"] not in ("succeeded", "failed"):
        time.sleep(0.3)
        job = requests.get(f"{url}/api/admin/jobs/{job['id']}", headers=headers, timeout=30).json()
    if job["status"] != "succeeded":
        raise SystemExit(f"reindex job failed: {job}")
    return job["generation"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--swaps", type=int, default=2)
    parser.add_argument("--via", choices=("cli", "admin"), default="cli")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--index", type=Path, help="an index folder to copy (default: build one from corpus/)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    index = work / "index"
    if args.index:
        shutil.copytree(args.index, index)
    else:
        build(index)
    token = "bench-token"
    server = Server(index, workers=2, POLICY_SEARCH_ADMIN_TOKEN=token, POLICY_SEARCH_SOURCES=str(CORPUS))
    try:
        server.wait_ready()
        workers = server.worker_pids(expected=2)
        # warm up both workers (index snapshot, analyzers, dictionaries) before RSS is sampled
        with Poller([server.url], threads=4):
            time.sleep(5)
        samples: dict[int, list[float]] = {pid: [] for pid in workers}
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                for pid in workers:
                    try:
                        samples[pid].append(rss_mb(pid))
                    except OSError:
                        samples[pid].append(-1)
                stop.wait(1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        swaps: list[tuple[float, str]] = []

        def swapper() -> None:
            for n in range(args.swaps):
                time.sleep(args.seconds / (args.swaps + 1))
                started = time.monotonic()
                swaps.append((time.monotonic() - started, _swap(index, args.via, token, server.url)))

        swap_thread = threading.Thread(target=swapper)
        swap_thread.start()
        wrk = shutil.which("wrk")
        if wrk:
            script = work / "mixed.lua"
            script.write_text(LUA % _lua_queries(), encoding="utf-8")
            done = subprocess.run([wrk, "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--latency",
                                   "-s", str(script), server.url], capture_output=True, text=True,
                                  timeout=args.seconds + 120)
            line = next((l for l in done.stdout.splitlines() if l.startswith("JSON ")), None)
            if line is None:
                print(done.stdout, done.stderr)
                return 1
            result = json.loads(line[5:])
            result["tool"] = "wrk"
            failed = sum(result[k] for k in ("non2xx", "connect", "read", "write", "timeout"))
        else:
            with Poller([server.url], threads=args.connections) as poller:
                time.sleep(args.seconds)
            result = {"tool": "python", "requests": poller.count, "p50_ms": poller.percentile(0.5) * 1000,
                      "p90_ms": poller.percentile(0.9) * 1000, "p99_ms": poller.percentile(0.99) * 1000}
            failed = len(poller.failures)
        swap_thread.join()
        stop.set()
        sampler.join()
        import requests

        served = requests.get(server.url + "/healthz", timeout=10).json()["generation"]
        alive = server.worker_pids() == workers
        result.update(seconds=args.seconds, failed=failed, rps=round(result["requests"] / args.seconds, 1),
                      swaps=[g for _, g in swaps], served_at_end=served, workers_unchanged=alive)
        print(json.dumps(result, indent=2))
        for pid, values in samples.items():
            values = [v for v in values if v > 0]
            print(f"worker {pid} RSS MB: first {values[0]:.1f} min {min(values):.1f} max {max(values):.1f} "
                  f"last {values[-1]:.1f} (samples {len(values)})")
            growth = values[-1] - values[0]
            print(f"  growth {growth:+.1f} MB -> {'flat' if growth < 0.25 * values[0] + 20 else 'GROWING'}")
        ok = failed == 0 and alive and len(swaps) == args.swaps and served == swaps[-1][1]
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
