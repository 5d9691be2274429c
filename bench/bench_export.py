"""Export and query-analytics costs, against ``policy-search serve`` over the dev sets.

1. ``/api/search/export`` (CSV and JSON lines) of broad queries, beside its baseline: the same
   rows fetched the only other way, page after page of ``/api/search?size=100``.
2. ``/api/search`` latency with query analytics on (the default) beside analytics off: two
   servers up at once, each query asked of both in turn (so machine noise hits both alike), and
   the number of searches the analytics file counted afterwards.

    python bench/bench_export.py [--synthetic 0] [--queries 200] [--workers 1]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import _devsets  # noqa: E402
from bench.bench_api import api_latencies, pct, query_set, start_server, stop_server, write_corpora  # noqa: E402

BROAD = [{"q": ""}, {"q": "city OR state OR war OR university"}, {"q": "한국 OR 서울 OR 정부 OR 있다"},
         {"q": "city", "lang": "en"}]


def export_seconds(url: str, params: dict, fmt: str) -> tuple[int, float]:
    import requests

    started = time.perf_counter()
    response = requests.get(url + "/api/search/export", params={**params, "format": fmt}, timeout=600)
    response.raise_for_status()
    rows = len(response.content.decode("utf-8").splitlines()) - (1 if fmt == "csv" else 0)
    return rows, time.perf_counter() - started


def paging_seconds(url: str, params: dict, limit: int) -> tuple[int, float]:
    import requests

    session = requests.Session()
    started, rows, page = time.perf_counter(), 0, 1
    while rows < limit:
        body = session.get(url + "/api/search", params={**params, "page": page, "size": 100}, timeout=600).json()
        if not body["results"]:
            break
        rows += len(body["results"])
        page += 1
    return rows, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=0, help="extra synthetic records (0: the dev sets only)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    if not (_devsets.available("ko") and _devsets.available("en")):
        sys.exit(f"the dev sets are not at {_devsets.EVAL_DEV}")
    from indexer.index.builder import build_index
    from search_api.ops.analytics import AnalyticsStore

    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        tmp = Path(tmp)
        corpora = write_corpora(tmp, args.synthetic)
        index = tmp / "index"
        started = time.perf_counter()
        build_index([corpora["dev"]] + ([corpora["synthetic"]] if args.synthetic else []), index)
        print(f"index: {time.perf_counter() - started:.1f} s to build ({args.synthetic} synthetic records)")

        os.environ["POLICY_SEARCH_ANALYTICS_DB"] = "off"
        proc, url = start_server(index, args.workers)
        try:
            print("\nexport (rows, seconds, rows/s) vs baseline: the same rows by /api/search pages of 100")
            for params in BROAD:
                export_seconds(url, params, "jsonl")  # warm
                for fmt in ("csv", "jsonl"):
                    rows, seconds = export_seconds(url, params, fmt)
                    print(f"  {params!s:32} export {fmt:5} {rows:6} rows {seconds:6.2f} s {rows / seconds:8.0f} rows/s")
                rows, seconds = paging_seconds(url, params, rows)
                print(f"  {params!s:32} paging       {rows:6} rows {seconds:6.2f} s {rows / seconds:8.0f} rows/s (baseline)")
        finally:
            stop_server(proc)

        queries = query_set(args.queries)
        db = tmp / "analytics.sqlite3"
        os.environ["POLICY_SEARCH_ANALYTICS_DB"] = "off"
        off_proc, off_url = start_server(index, args.workers)
        os.environ["POLICY_SEARCH_ANALYTICS_DB"] = str(db)
        on_proc, on_url = start_server(index, args.workers)
        off, on = [], []
        try:
            for chunk in range(0, len(queries), 10):  # alternate which server goes first
                part = queries[chunk:chunk + 10]
                pair = [(off_url, off), (on_url, on)] if chunk % 20 else [(on_url, on), (off_url, off)]
                for url, times in pair:
                    times += api_latencies(url, part)[:len(part)]
            time.sleep(1.0)  # let the writer threads finish their batches
        finally:
            stop_server(off_proc)
            stop_server(on_proc)
        counted = AnalyticsStore(db).report(days=1)["totals"]["searches"]
        print(f"\n/api/search latency over {len(queries)} queries (ms):")
        for name, times in (("analytics off (baseline)", off), ("analytics on", on)):
            print(f"  {name:26} p50 {pct(times, 50):6.1f}  p90 {pct(times, 90):6.1f}  p99 {pct(times, 99):6.1f}"
                  f"  mean {statistics.mean(times):6.1f}")
        print(f"  searches counted in the analytics file: {counted} "
              f"(asked: {len(queries)}, plus 5 warm-up searches per batch of 10)")


if __name__ == "__main__":
    main()
