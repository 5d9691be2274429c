"""Analysis throughput on one core, in Korean chars/s, beside raw MeCab ``parse()``.

Text: the Korean dev corpus (``../shared/eval-dev/ko/corpus.jsonl``), analysed doc by
doc as Whoosh does at indexing (positions + chars, mode="index"). Target >= 300k chars/s.
Run: ``.venv/bin/python bench/bench_analysis.py [--repeat N]``.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _devsets  # noqa: E402
from indexer.analysis import hangul_bigram_analyzer, policy_analyzer  # noqa: E402
from indexer.analysis.korean import get_tagger  # noqa: E402

TARGET = 300_000


def _rate(fn, texts: list[str], repeat: int) -> float:
    n = sum(map(len, texts)) * repeat
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(repeat):
            for t in texts:
                fn(t)
        best = min(best, time.perf_counter() - t0)
    return n / best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    if not _devsets.available("ko"):
        print(f"skip: Korean dev set not found under {_devsets.EVAL_DEV}")
        return 0
    texts = [d["text"] for d in _devsets.load("ko").corpus]
    tagger, ana, big = get_tagger(), policy_analyzer(), hangul_bigram_analyzer()

    def analyse(text: str, a=ana) -> None:
        for _t in a(text, positions=True, chars=True, mode="index"):
            pass

    raw = _rate(tagger.parse, texts, args.repeat)
    ours = _rate(analyse, texts, args.repeat)
    bigr = _rate(lambda t: analyse(t, big), texts, args.repeat)
    print(f"text: {len(texts)} docs, {sum(map(len, texts)):,} chars x {args.repeat}")
    print(f"raw MeCab parse()          {raw:12,.0f} chars/s")
    print(f"policy_analyzer()          {ours:12,.0f} chars/s  ({ours / raw:.0%} of raw MeCab; target {TARGET:,})")
    print(f"hangul_bigram_analyzer()   {bigr:12,.0f} chars/s")
    print("OK" if ours >= TARGET else "BELOW TARGET")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
