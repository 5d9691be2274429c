"""Extraction throughput: text records/s (seed pages, JSONL exports) and PDF pages/s;
office documents (HWP, HWPX, DOCX) and PDFs: verified snippets found and documents/s.

Each line shows the project's converter + enrichment beside a baseline in the same run:
for text, reading and splitting the same files with no enrichment; for the dev PDFs,
pdfminer.six's own extract_text (also bench/bench_pdf.py). Run:
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
    documents(args.repeat)
    return 0


def _flat(text: str) -> str:
    return "".join(text.split())


def _convert(path: Path) -> str | None:
    """The file's text through the project's converter, or None when it is reported."""
    from indexer.converters import converter_for
    from indexer.errors import ConversionError

    try:
        return "\n".join(r["body"] for r in converter_for(path)(path, path.parent))
    except ConversionError:
        return None


def _generated_docx(folder: Path) -> tuple[Path, list[str]]:
    """A Korean DOCX with a table, written by python-docx (no real DOCX in the dev data)."""
    import docx

    document = docx.Document()
    paragraph = "서울특별시는 2024년부터 대중교통 무제한 정기권인 기후동행카드를 시범 운영한다."
    document.add_paragraph(paragraph)
    table = document.add_table(rows=2, cols=3)
    for r, row in enumerate([["구분", "요금", "비고"], ["따릉이 포함", "65,000원", "월 정기권"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    for i in range(200):
        document.add_paragraph(f"{i}번째 문단: 기후동행카드는 지하철과 버스를 한 달 동안 무제한 이용하게 한다.")
    path = folder / "generated.docx"
    document.save(str(path))
    return path, [paragraph, "따릉이 포함 65,000원 월 정기권"]


def documents(repeat: int) -> None:
    """Office and PDF documents of the dev data: snippets found / total and documents/s per format."""
    import tempfile

    from indexer.converters import kind_of

    office = _devsets.EVAL_DEV / "office"
    rows: dict[str, dict] = {}
    if (office / "expected.json").is_file():
        for entry in json.loads((office / "expected.json").read_text(encoding="utf-8"))["files"]:
            path = office / entry["file"]
            try:
                kind = kind_of(path)
            except Exception:  # noqa: BLE001 - a DRM envelope is reported at sniffing
                kind = "hwp"
            row = rows.setdefault(kind, {"paths": [], "found": 0, "total": 0, "reported": 0, "to_report": 0})
            row["paths"].append(path)
            text = _convert(path)
            if entry["expect"] == "report":
                row["to_report"] += 1
                row["reported"] += text is None
            flat = _flat(text or "")
            row["total"] += len(entry["snippets"])
            row["found"] += sum(_flat(s["text"]) in flat for s in entry["snippets"])
    else:
        print(f"skip office documents: not found under {office}")
    with tempfile.TemporaryDirectory() as tmp:
        path, snippets = _generated_docx(Path(tmp))
        flat = _flat(_convert(path) or "")
        rows["docx (generated)"] = {"paths": [path], "found": sum(_flat(s) in flat for s in snippets),
                                    "total": len(snippets), "reported": 0, "to_report": 0}
        print(f"{'format':18}{'files':>6}{'snippets found':>16}{'reported':>10}{'docs/s':>9}")
        for kind, row in sorted(rows.items()):
            seconds, _ = timed(lambda: sum(_convert(p) is not None for p in row["paths"]), repeat)
            reported = f"{row['reported']}/{row['to_report']}" if row["to_report"] else "-"
            print(f"{kind:18}{len(row['paths']):6d}{row['found']:>9d}/{row['total']:<6d}{reported:>10}"
                  f"{len(row['paths']) / seconds:9.1f}")
    _pdfs_beside_pdfminer(repeat)


def _pdfs_beside_pdfminer(repeat: int) -> None:
    """The dev PDFs' snippets on their page and pages/s: the converter beside pdfminer.six extract_text."""
    from pdfminer.high_level import extract_text

    from indexer.converters import pdf

    folder = _devsets.EVAL_DEV / "pdfs"
    if not (folder / "expected.json").is_file():
        print(f"skip dev PDFs: not found under {folder}")
        return
    entries = json.loads((folder / "expected.json").read_text(encoding="utf-8"))["files"]

    def ours() -> dict[tuple[str, int], str]:
        return {(e["file"], p["number"]): _flat(p["text"])
                for e in entries for p in pdf.convert(folder / e["file"], folder)[0]["pages"]}

    def pdfminer() -> dict[tuple[str, int], str]:
        return {(e["file"], n + 1): _flat(extract_text(str(folder / e["file"]), page_numbers=[n]))
                for e in entries for n in range(e["pages"])}

    pages = sum(e["pages"] for e in entries)
    total = sum(len(e["snippets"]) for e in entries)
    for label, run in (("PDF, this project", ours), ("PDF, pdfminer.six", pdfminer)):
        texts = run()
        found = sum(_flat(s["text"]) in texts.get((e["file"], s["page"]), "") for e in entries for s in e["snippets"])
        seconds, _ = timed(lambda: len(run()), repeat)
        print(f"{label:18}{len(entries):6d}{found:>9d}/{total:<6d}{'-':>10}{len(entries) / seconds:9.1f}"
              f"   ({pages / seconds:.1f} pages/s)")


if __name__ == "__main__":
    raise SystemExit(main())
