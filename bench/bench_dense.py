"""Dense scoring as the archive grows: one query against every chunk vector, exact, memory-mapped.

The semantic leg (``search_api.query.semantic.SemanticIndex.score``) multiplies the query's
vector with every chunk vector of the generation (float32, memory-mapped, shared by the
workers through the page cache) and keeps each record's best chunk. This measures that exact
code on generations of ``--records`` records (default 20,000 — the baseline, today's
benchmark size — then 200,000 and 1,000,000), each record with as many chunks as a real
export has (``--chunks-per-record``, 3.6: 71,779 chunks for the 20,000 records of
``bench_build --embeddings``), vectors random unit vectors of the encoder's width (512) in a
``.npy`` file read with ``mmap_mode="r"``, as the API reads them. It prints the first query
(cold page cache for the vectors written just before is not guaranteed: the file was just
written, so it is mostly warm) and p50/p95/p99 of ``--queries`` more, against the search's
time budget (``POLICY_SEARCH_TIME_LIMIT``, 5 s).

    python bench/bench_dense.py [--records 20000,200000,1000000] [--chunks-per-record 3.6] [--queries 30]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search_api.query.semantic import SemanticIndex  # noqa: E402
from search_api.settings import Settings  # noqa: E402

DIM = 512


class _Vectors:
    """What :meth:`SemanticIndex.score` reads of an ``Embeddings``: its vector matrix."""

    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors = vectors


def semantic_index(folder: Path, records: int, per_record: float, rng: np.random.Generator) -> SemanticIndex:
    """A SemanticIndex over ``records`` records and about ``per_record`` chunks each, on disk."""
    counts = rng.poisson(per_record - 1, records) + 1
    chunks = int(counts.sum())
    path = folder / f"vectors-{records}.npy"
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(chunks, DIM))
    step = 200_000
    for lo in range(0, chunks, step):  # written in slices: never the whole matrix in memory
        block = rng.standard_normal((min(step, chunks - lo), DIM), dtype=np.float32)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        out[lo:lo + len(block)] = block
    out.flush()
    del out
    index = SemanticIndex.__new__(SemanticIndex)
    index.embeddings = _Vectors(np.load(path, mmap_mode="r"))
    index.size = records
    index.group_start = np.r_[0, np.cumsum(counts)[:-1]].astype(np.int64)
    index.group_doc = np.arange(records, dtype=np.int64)
    return index


def measure(index: SemanticIndex, queries: int, rng: np.random.Generator) -> dict[str, float]:
    vectors = rng.standard_normal((queries + 1, DIM), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    times = []
    for vector in vectors:
        started = time.perf_counter()
        scores = index.score(vector)
        times.append(time.perf_counter() - started)
        assert scores.scores.shape == (index.size,)
    rest = sorted(times[1:])
    pick = lambda q: rest[min(len(rest) - 1, int(q * len(rest)))]  # noqa: E731
    return {"first": times[0], "p50": statistics.median(rest), "p95": pick(0.95), "p99": pick(0.99)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", default="20000,200000,1000000")
    parser.add_argument("--chunks-per-record", type=float, default=3.6)
    parser.add_argument("--queries", type=int, default=30)
    args = parser.parse_args()
    budget = Settings().search_time_limit
    rng = np.random.default_rng(20261203)
    print(f"exact float32 dense scoring, {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; budget {budget:.1f} s per search")
    print(f"{'records':>9} {'chunks':>10} {'vectors MB':>10} | {'first ms':>9} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'p99 ms':>8} | {'p95 / 20k':>9} {'p99 / budget':>12}")
    baseline = None
    with tempfile.TemporaryDirectory() as tmp:
        for records in (int(r) for r in args.records.split(",")):
            index = semantic_index(Path(tmp), records, args.chunks_per_record, rng)
            chunks = index.embeddings.vectors.shape[0]
            m = measure(index, args.queries, rng)
            baseline = baseline or m["p95"]
            print(f"{records:>9,} {chunks:>10,} {chunks * DIM * 4 / 1e6:>10,.0f} | {m['first'] * 1000:>9.1f} "
                  f"{m['p50'] * 1000:>8.1f} {m['p95'] * 1000:>8.1f} {m['p99'] * 1000:>8.1f} | "
                  f"{m['p95'] / baseline:>9.1f} {m['p99'] / budget:>12.3f}", flush=True)
            del index
            for path in Path(tmp).glob("vectors-*.npy"):
                path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
