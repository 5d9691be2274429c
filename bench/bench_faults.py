"""Fault drill: kill -9 of builds at each point, injected disk full, a corrupted live segment, a stale lock.

    python bench/bench_faults.py

Serves the index with ``policy-search serve --workers 2`` and searches it continuously while the
faults happen; prints, per fault, whether the old generation kept serving, the failed requests,
and how long the next build took to recover. Exits 1 on any failed request or unsound index.
(The automated versions are tests/ops/test_faults.py.)
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.ops.helpers import CORPUS, Poller, Server, build, indexer, inject, live  # noqa: E402
from tests.ops.inject import POINTS  # noqa: E402


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="bench-faults-"))
    index = work / "index"
    build(index)
    server = Server(index, workers=2)
    rows, ok = [], True
    try:
        server.wait_ready()
        with Poller([server.url], threads=4) as poller:
            for point in POINTS + ("enospc",):
                before, failures = live(index), len(poller.failures)
                done = inject(point, "build", CORPUS, "--index", index, ENOSPC_AFTER="50000")
                after = live(index)
                sound = indexer("verify", "--index", index).returncode == 0
                started = time.monotonic()
                build(index)
                recovered = time.monotonic() - started
                kept = after == before or point == "before-prune"
                rows.append((point, done.returncode, kept, sound, len(poller.failures) - failures, recovered))
                ok &= kept and sound
            # stale lock of a dead process
            (index / "LOCK").write_text("999999 build\n")
            started = time.monotonic()
            build(index)
            rows.append(("stale-lock", 0, True, indexer("verify", "--index", index).returncode == 0, 0,
                         time.monotonic() - started))
            time.sleep(1)
        print(f"{'fault':<16} {'exit':>5} {'old kept':>9} {'sound':>6} {'failed req':>11} {'next build s':>13}")
        for point, code, kept, sound, failed, seconds in rows:
            print(f"{point:<16} {code:>5} {str(kept):>9} {str(sound):>6} {failed:>11} {seconds:>13.2f}")
        print(f"requests during the drill: {poller.count}, failed: {len(poller.failures)}, "
              f"p99 {poller.percentile(0.99) * 1000:.1f} ms")
        ok &= not poller.failures
    finally:
        server.stop()
    # corrupted live segment: serve verifies and rolls back
    good = live(index)
    build(index)
    bad = live(index)
    segment = max((p for p in (index / "generations" / bad).iterdir() if p.suffix == ".seg"),
                  key=lambda p: p.stat().st_size)
    data = bytearray(segment.read_bytes())
    data[len(data) // 2] ^= 0xFF
    segment.write_bytes(bytes(data))
    server = Server(index, workers=2)
    try:
        served = server.wait_ready()["generation"]
        rolled = "ROLLED BACK" in server.log()
        print(f"corrupted segment in {bad}: serve rolled back: {rolled}, now serving {served} (expected {good})")
        ok &= rolled and served == good
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
