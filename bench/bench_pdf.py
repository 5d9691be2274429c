"""Throughput of the PDF converter (pages/s) beside plain pdfminer.six ``extract_text``.

Files: ../shared/eval-dev/pdfs/*.pdf (when present) and corpus/brochures/*.pdf.
Usage: python bench/bench_pdf.py [--repeat N]. Prints numbers; asserts nothing.
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
from pdfminer.high_level import extract_text

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from indexer.converters.pdf import convert  # noqa: E402


def pdf_files() -> list[Path]:
    """The benchmark's input files."""
    shared = REPO.parent / "shared" / "eval-dev" / "pdfs"
    return sorted(shared.glob("*.pdf")) + sorted((REPO / "corpus" / "brochures").glob("*.pdf"))


def page_count(path: Path) -> int:
    """Number of pages, via pypdfium2."""
    doc = pdfium.PdfDocument(path)
    try:
        return len(doc)
    finally:
        doc.close()


def run_converter(path: Path) -> None:
    """The project's converter on one file."""
    convert(path, path.parent)


def run_baseline(path: Path) -> None:
    """Plain pdfminer.six text extraction, one call per page."""
    for number in range(page_count(path)):
        extract_text(str(path), page_numbers=[number])


def timed(func: Callable[[Path], None], path: Path, repeat: int) -> float:
    """Best-of-``repeat`` wall time of ``func(path)`` in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func(path)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    """Print pages/s per file and in total for both extractors."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    totals = {"converter": 0.0, "pdfminer": 0.0}
    pages_total = 0
    print(f"{'file':44} {'pages':>5} {'converter p/s':>14} {'pdfminer p/s':>13}")
    for path in pdf_files():
        pages = page_count(path)
        ours = timed(run_converter, path, args.repeat)
        base = timed(run_baseline, path, args.repeat)
        totals["converter"] += ours
        totals["pdfminer"] += base
        pages_total += pages
        print(f"{path.name[:44]:44} {pages:5d} {pages / ours:14.1f} {pages / base:13.1f}")
    print(
        f"{'TOTAL (best of %d)' % args.repeat:44} {pages_total:5d} "
        f"{pages_total / totals['converter']:14.1f} {pages_total / totals['pdfminer']:13.1f}"
    )


if __name__ == "__main__":
    main()
