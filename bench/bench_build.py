"""Build throughput of the index: our schema/analyzer vs Whoosh's StandardAnalyzer, 1 vs 2 workers.

Reads the dev corpora /work/shared/eval-dev/{ko,en}/corpus.jsonl (id, title, text),
turns each line into a schema-valid record (no extraction/enrichment: this measures
validation + analysis + indexing + generation switch) and builds a fresh index in a
temporary folder for each configuration. Usage: python bench/bench_build.py [--repeat N]
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from whoosh.analysis import StandardAnalyzer  # noqa: E402

from indexer.index import build_records  # noqa: E402
from indexer.index import schema as schema_module  # noqa: E402
from indexer.records import content_hash  # noqa: E402

DEV = Path("/work/shared/eval-dev")


def load(lang: str) -> list[dict[str, Any]]:
    records = []
    with (DEV / lang / "corpus.jsonl").open(encoding="utf-8") as handle:
        for position, line in enumerate(handle):
            item = json.loads(line)
            text = item.get("text", "")
            record = {
                "id": item["id"], "title": item.get("title") or text[:80] or item["id"], "body": text,
                "lang": item.get("lang", lang) if item.get("lang") in ("ko", "en", "mixed") else lang,
                "type": "article", "source": {"path": f"{lang}/corpus.jsonl", "position": position},
                "cities": [], "topics": [], "sdgs": [],
            }
            record["content_hash"] = content_hash(record)
            records.append(record)
    return records


def megabytes(records: list[dict[str, Any]]) -> float:
    return sum(len(r["title"].encode()) + len(r["body"].encode()) for r in records) / 1e6


def run(records: list[dict[str, Any]], workers: int, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            build_records(records, {}, Path(tmp) / "index", workers=workers, progress=False)
            best = min(best, time.perf_counter() - started)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per configuration (best is kept)")
    args = parser.parse_args()
    if not DEV.is_dir():
        print(f"skipped: {DEV} is absent (the dev corpora are needed)")
        return 0
    logging.basicConfig(level=logging.WARNING)
    corpora = {lang: load(lang) for lang in ("ko", "en")}
    corpora["ko+en"] = corpora["ko"] + corpora["en"]
    ours = schema_module.text_analyzer
    ours_name = type(ours()).__name__
    configs = [(f"ours ({ours_name})", ours, 1), (f"ours ({ours_name})", ours, 2),
               ("StandardAnalyzer", StandardAnalyzer, 1), ("StandardAnalyzer", StandardAnalyzer, 2)]
    print(f"{'corpus':8} {'analyzer':34} {'workers':>7} {'records':>7} {'MB':>6} {'sec':>7} {'rec/s':>8} {'MB/s':>6}")
    for name, records in corpora.items():
        size = megabytes(records)
        for label, analyzer, workers in configs:
            schema_module.text_analyzer = analyzer
            try:
                seconds = run(records, workers, args.repeat)
            finally:
                schema_module.text_analyzer = ours
            print(f"{name:8} {label:34} {workers:>7} {len(records):>7} {size:>6.2f} {seconds:>7.2f} "
                  f"{len(records) / seconds:>8.0f} {size / seconds:>6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
