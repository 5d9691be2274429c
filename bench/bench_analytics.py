"""The analytics report over 1M searches and 200k clicks (30 days): seconds per report.

    python bench/bench_analytics.py [--rows 1000000]
"""
from __future__ import annotations

import argparse
import logging
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from search_api.ops.analytics import AnalyticsStore, _day, connect  # noqa: E402

log = logging.getLogger("bench_analytics")


def fill(path: Path, rows: int) -> None:
    conn = connect(path)
    rng = random.Random(7)
    now = time.time()
    words = [f"query {n}" for n in range(20_000)]
    with conn:
        conn.execute("BEGIN")
        batch = []
        for n in range(rows):
            ts = now - rng.random() * 30 * 86400
            batch.append((ts, _day(ts), rng.choice(words), rng.choice((0, 3, 12, 40)), rng.random() * 200))
            if len(batch) == 50_000:
                conn.executemany("INSERT INTO searches VALUES (?, ?, ?, ?, ?)", batch)
                batch = []
        conn.executemany("INSERT INTO searches VALUES (?, ?, ?, ?, ?)", batch)
        clicks = [(ts, _day(ts), rng.choice(words), f"doc-{rng.randrange(5000)}", rng.randrange(1, 11))
                  for ts in (now - rng.random() * 30 * 86400 for _ in range(rows // 5))]
        conn.executemany("INSERT INTO clicks VALUES (?, ?, ?, ?, ?)", clicks)
    conn.execute("ANALYZE")
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "analytics.sqlite3"
        started = time.perf_counter()
        fill(path, args.rows)
        log.info("filled %d searches, %d clicks in %.1f s (%.0f MB)", args.rows, args.rows // 5,
                 time.perf_counter() - started, path.stat().st_size / 1e6)
        store = AnalyticsStore(path, max_mb=4096)
        times = []
        for _ in range(3):
            started = time.perf_counter()
            store.report(30, 20)
            times.append(time.perf_counter() - started)
        log.info("report (30 days, top 20): min %.3f s, max %.3f s", min(times), max(times))


if __name__ == "__main__":
    main()
