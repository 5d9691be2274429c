"""Extraction throughput: text records/s (seed pages, JSONL exports) and PDF pages/s.

Each line shows the project's converter + enrichment beside a baseline in the same run:
for text, reading and splitting the same files with no enrichment; for PDFs see
bench/bench_pdf.py (pdfminer.six's own extract_text). Run:
``.venv/bin/python bench/bench_extract.py [--repeat 5]``.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _devsets  # noqa: E402
from indexer.enrich.cities import gazetteer  # noqa: E402
from indexer.extract import extract_sources  # noqa: E402

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def timed(fn, repeat: int) -> tuple[float, int]:
    best, count = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        count = fn()
        best = min(best, time.perf_counter() - started)
    return best, count


def baseline_text(paths: list[Path]) -> int:
    """Read and split into lines/objects only: the floor any converter pays."""
    n = 0
    for path in paths:
        for file in ([path] if path.is_file() else sorted(path.rglob("*.txt")) + sorted(path.rglob("*.jsonl"))):
            text = file.read_text(encoding="utf-8")
            n += sum(1 for line in text.splitlines() if line.strip()) if file.suffix == ".jsonl" else 1
    return n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    gazetteer()  # built once per process; not part of a per-record cost
    sets = [("seed pages (corpus/pages)", [CORPUS / "pages"])]
    for lang in ("ko", "en"):
        if _devsets.available(lang):
            sets.append((f"dev {lang} JSONL export", [_devsets.EVAL_DEV / lang / "corpus.jsonl"]))
        else:
            print(f"skip dev {lang}: not found under {_devsets.EVAL_DEV}")
    print(f"{'source':32}{'records':>9}{'records/s':>12}{'baseline rec/s':>16}{'MB/s':>8}")
    for label, paths in sets:
        seconds, count = timed(lambda: len(extract_sources(paths).records), args.repeat)
        base_seconds, base_count = timed(lambda: baseline_text(paths), args.repeat)
        size = sum((p.stat().st_size if p.is_file() else sum(f.stat().st_size for f in p.rglob("*") if f.is_file()))
                   for p in paths) / 1e6
        print(f"{label:32}{count:9d}{count / seconds:12.0f}{base_count / base_seconds:16.0f}{size / seconds:8.2f}")
    for workers in (1, 2):
        paths = [_devsets.EVAL_DEV / lang / "corpus.jsonl" for lang in ("ko", "en") if _devsets.available(lang)]
        if paths:
            seconds, count = timed(lambda: len(extract_sources(paths, workers=workers).records), args.repeat)
            print(f"dev ko+en, --workers {workers}: {count / seconds:.0f} records/s")
    pdfs = sorted((CORPUS / "brochures").glob("*.pdf"))
    if pdfs:
        from indexer.converters import pdf

        def pages() -> int:
            return sum(len(pdf.convert(p, p.parent)[0].get("pages", [])) for p in pdfs)

        seconds, count = timed(pages, args.repeat)
        print(f"bundled brochure PDFs: {count / seconds:.1f} pages/s (bench/bench_pdf.py compares with pdfminer.six)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
