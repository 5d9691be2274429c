"""Long-document benchmark: Korean questions over 14 real multi-page PDFs, answered through the API.

Data: ``../shared/eval-dev/longdoc/`` beside the checkout (see its README.md): 14 PDFs, 59
questions each naming the file and the 1-based page that answers it, and ``pdf_map.json``
(question file name -> stored PDF).

Systems, each asked every question, top 10 kept:
  baseline  -- pdfminer.six text per page, BM25 (k1=1.2, b=0.75) over Hangul character
               bigrams plus lowercased words per page; a file ranked by its best page, whose
               page is that best page (the dataset README's plain baseline)
  hybrid, lexical, semantic -- ``GET /api/search?q=...&size=10&mode=M`` of ``policy-search
               serve`` over an index built as the product builds it (``policy-index build``)

A hit is mapped to its file by the record behind it (``GET /api/documents/<id>``: the record's
``source.path``, the PDF's path relative to the built folder) and to its page by the hit's
``page`` field (the page its ``url`` links to, ``#page=N``). A document appears once in the
results, at one page.

Metrics: file MRR@10 (reciprocal rank of the first hit from the right file), File@5 (one of
the top 5 hits is from the right file), Page@1 (the top hit is the right file and links to the
right page), Page@5 hits (one of the top 5 hits does), Page@5 links (the right page is among
the first five page links the results show, in order: each hit's own page, then the further
pages it lists, ``passages``; the baseline lists its file's next two best pages, as the product
lists two); beside them, how many questions got no hit at all;
Page@1 broken down by where the answer sits on the page (``context_type``: paragraph/text,
table, image).

    .venv/bin/python bench/bench_longdoc.py [--no-embeddings] [--index DIR] [--keep]
                                            [--json OUT] [--verbose]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_api import start_server, stop_server  # noqa: E402

PY = sys.executable
REPO_ROOT = Path(__file__).resolve().parent.parent
LONGDOC = Path(__file__).resolve().parents[2] / "shared" / "eval-dev" / "longdoc"
MODES = ("hybrid", "lexical", "semantic")
METRICS = ("file_mrr10", "file_at5", "page_at1", "page_at5", "page_links_at5")
HEADERS = {"file_mrr10": "file MRR@10", "file_at5": "File@5", "page_at1": "Page@1", "page_at5": "Page@5 hits",
           "page_links_at5": "Page@5 links"}
#: context_type -> the group Page@1 is broken down by (the README counts paragraph and text as one).
CONTEXT_GROUPS = {"paragraph": "paragraph/text", "text": "paragraph/text", "table": "table", "image": "image"}
K1, B = 1.2, 0.75
TOP = 10


def nfc(name: str) -> str:
    """File names compared in one Unicode form (Korean names may come back decomposed)."""
    return unicodedata.normalize("NFC", name)


@dataclass
class Question:
    id: str
    text: str
    file: str  # the stored PDF's file name (pdf_map applied)
    page: int
    context: str


@dataclass
class Hit:
    file: str | None
    page: int | None
    id: str = ""
    #: Further pages the hit lists (its inner hits: other passages that hold the words).
    more_pages: tuple[int, ...] = ()


@dataclass
class Judged:
    """One question's outcome for one system."""

    question: Question
    hits: list[Hit]
    file_rank: int | None = field(init=False)  # 1-based rank of the first hit from the right file
    page_rank: int | None = field(init=False)  # 1-based rank of the first right file + right page
    link_rank: int | None = field(init=False)  # 1-based place of the right page among the page links shown

    def __post_init__(self) -> None:
        q = self.question
        self.file_rank = next((r for r, h in enumerate(self.hits, 1) if h.file == q.file), None)
        self.page_rank = next((r for r, h in enumerate(self.hits, 1) if h.file == q.file and h.page == q.page), None)
        links = [(h.file, page) for h in self.hits for page in (h.page, *h.more_pages)]
        self.link_rank = next((r for r, link in enumerate(links, 1) if link == (q.file, q.page)), None)


# --------------------------------------------------------------------------- data


def load_questions(root: Path) -> list[Question]:
    """The questions, their target file resolved through ``pdf_map.json`` to the stored PDF's name."""
    pdf_map = json.loads((root / "pdf_map.json").read_text(encoding="utf-8"))
    out = []
    with (root / "questions.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            q = json.loads(line)
            stored = pdf_map.get(q["target_file_name"], f"pdfs/{q['target_file_name']}")
            out.append(Question(q["id"], q["question"], nfc(Path(stored).name), int(q["target_page_no"]),
                                q.get("context_type") or "paragraph"))
    return out


def copy_pdfs(root: Path, dest: Path) -> list[str]:
    """Copy the PDFs into ``dest`` (the shared folder is read-only; the indexer skips symlinks)."""
    dest.mkdir(parents=True, exist_ok=True)
    names = []
    for pdf in sorted((root / "pdfs").glob("*.pdf")):
        shutil.copy2(pdf, dest / pdf.name)
        names.append(nfc(pdf.name))
    return names


# --------------------------------------------------------------------------- baseline


def _layout_text(item: Any) -> str:
    """The text of a pdfminer layout item as ``extract_text`` renders it: text boxes whole, and
    the loose characters inside figures (form XObjects), where some PDFs keep all their text."""
    from pdfminer.layout import LTContainer, LTText, LTTextContainer

    if isinstance(item, LTTextContainer):
        return item.get_text()
    if isinstance(item, LTContainer):
        return "".join(_layout_text(child) for child in item)
    return item.get_text() if isinstance(item, LTText) else ""


def pdf_pages(path: Path) -> list[str]:
    """pdfminer.six text of each page of ``path`` (page i+1 at index i), default layout parameters."""
    from pdfminer.high_level import extract_pages

    return ["\n".join(_layout_text(item) for item in layout) for layout in extract_pages(str(path))]


_WORD = re.compile(r"\w+")
_HANGUL = re.compile(r"[\uac00-\ud7a3]+")


def tokens(text: str) -> list[str]:
    """Lowercased words (split on whitespace and punctuation) plus the Hangul character bigrams
    of each Hangul run (a one-syllable run as itself)."""
    out = []
    for word in _WORD.findall(text.lower()):
        out.append("w:" + word)
        for run in _HANGUL.findall(word):
            out.extend(run[i:i + 2] for i in range(max(1, len(run) - 1)))
    return out


class PageBM25:
    """BM25 (k1, b) over pages, each a bag of :func:`tokens`, as a sparse term-page matrix."""

    def __init__(self, pages: list[str]):
        import numpy as np
        from scipy import sparse

        vocab: dict[str, int] = {}
        rows, cols, vals = [], [], []
        lengths = np.zeros(len(pages))
        for doc, text in enumerate(pages):
            counts = Counter(tokens(text))
            lengths[doc] = sum(counts.values())
            for term, tf in counts.items():
                rows.append(vocab.setdefault(term, len(vocab)))
                cols.append(doc)
                vals.append(tf)
        tf = sparse.csr_matrix((vals, (rows, cols)), shape=(len(vocab), len(pages)), dtype=float)
        df = np.diff(tf.indptr)
        n = len(pages)
        self.idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
        norm = K1 * (1 - B + B * lengths / max(lengths.mean(), 1e-9))
        tf = tf.tocoo()
        weights = tf.data * (K1 + 1) / (tf.data + norm[tf.col])
        self.weights = sparse.csr_matrix((weights, (tf.row, tf.col)), shape=tf.shape)
        self.vocab = vocab
        self.n = n

    def scores(self, text: str):
        """BM25 score of every page for the query ``text`` (each distinct term counted once)."""
        import numpy as np

        terms = [self.vocab[t] for t in set(tokens(text)) if t in self.vocab]
        if not terms:
            return np.zeros(self.n)
        return np.asarray(self.weights[terms].T @ self.idf[terms]).ravel()


def baseline_index(folder: Path, names: list[str], workers: int) -> tuple[PageBM25, list[tuple[str, int]]]:
    """Extract every PDF's pages with pdfminer and index them; also (file, page) per page row."""
    with ProcessPoolExecutor(max_workers=workers) as pool:
        texts = list(pool.map(pdf_pages, [folder / name for name in names]))
    where = [(name, i + 1) for name, pages in zip(names, texts) for i in range(len(pages))]
    return PageBM25([page for pages in texts for page in pages]), where


def baseline_search(bm25: PageBM25, where: list[tuple[str, int]], text: str) -> list[Hit]:
    """Files ranked by their best page's score (page = that best page), top 10 with a score > 0."""
    import numpy as np

    scores = bm25.scores(text)
    ranked: dict[str, list[int]] = {}
    for row in np.argsort(-scores, kind="stable"):
        if scores[row] <= 0:
            break
        name, page = where[row]
        if name in ranked or len(ranked) < TOP:
            ranked.setdefault(name, []).append(page)
    # a file at its best page, listing its next two pages as the product lists its further passages
    return [Hit(name, pages[0], more_pages=tuple(pages[1:3])) for name, pages in ranked.items()]


# --------------------------------------------------------------------------- product


def build_index(folder: Path, index: Path, no_embeddings: bool) -> float:
    """``policy-index build folder --index index --workers 2`` as the product runs it; seconds taken."""
    command = [PY, "-m", "indexer.cli", "build", str(folder), "--index", str(index), "--workers", "2"]
    if no_embeddings:
        command.append("--no-embeddings")
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=REPO_ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def indexed_records(index: Path) -> tuple[list[dict[str, Any]], list[Any]]:
    """The live generation's stored records and its skipped inputs (read as ``policy-index stats``)."""
    from indexer.index.generations import open_live

    ix, metadata = open_live(index)
    with ix.reader() as reader:
        records = [json.loads(stored["record"]) for _, stored in reader.iter_docs()]
    ix.close()
    return records, metadata.get("skipped", [])


def record_file(record: dict[str, Any]) -> str | None:
    """The PDF a record came from: its ``source.path`` (relative to the built folder)."""
    path = (record.get("source") or {}).get("path")
    return nfc(Path(path).name) if path else None


def report_coverage(names: list[str], records: list[dict[str, Any]], skipped: list[Any],
                    verbose: bool = False) -> dict[str, Any]:
    """Print how many of the PDFs became records, the missing ones and why (when the build says);
    with ``verbose`` each record's id and file."""
    by_file = Counter(record_file(r) for r in records)
    missing = [name for name in names if name not in by_file]
    print(f"files as records: {len(names) - len(missing)}/{len(names)} ({len(records)} records)")
    for name in missing:
        reason = next((s for s in skipped if name in json.dumps(s, ensure_ascii=False)), None)
        print(f"  missing: {name}" + (f"  (skipped: {reason})" if reason else ""))
    for name, n in by_file.items():
        if n > 1:
            print(f"  {n} records from one file: {name}")
    for r in records:
        if r.get("duplicates"):
            print(f"  {record_file(r)} lists duplicates: {r['duplicates']}")
        if r.get("needs_ocr"):
            print(f"  {record_file(r)}: {len(r['needs_ocr'])} page(s) without text (need OCR)")
        if verbose:
            print(f"  record {r['id']} <- {record_file(r)}")
    return {"files": len(names), "as_records": len(names) - len(missing), "records": len(records),
            "missing": missing}


def hit_page(hit: dict[str, Any]) -> int | None:
    """The page a hit links to: its ``page`` field, else its url's ``#page=N``."""
    if hit.get("page") is not None:
        return int(hit["page"])
    match = re.search(r"#page=(\d+)", hit.get("url") or "")
    return int(match.group(1)) if match else None


class ApiClient:
    """``/api/search`` of a running server, each hit mapped to (file, page) via ``/api/documents/<id>``."""

    def __init__(self, url: str):
        import requests

        self.url = url
        self.session = requests.Session()
        self.files: dict[str, str | None] = {}
        self.page_url_mismatches = 0

    def file_of(self, doc_id: str) -> str | None:
        if doc_id not in self.files:
            from urllib.parse import quote

            response = self.session.get(f"{self.url}/api/documents/{quote(doc_id, safe='')}", timeout=60)
            response.raise_for_status()
            self.files[doc_id] = record_file(response.json())
        return self.files[doc_id]

    def search(self, text: str, mode: str) -> list[Hit]:
        response = self.session.get(self.url + "/api/search", params={"q": text, "size": TOP, "mode": mode},
                                    timeout=120)
        response.raise_for_status()
        body = response.json()
        if body.get("mode") != mode:
            raise RuntimeError(f"asked mode={mode}, served {body.get('mode')} (index without embeddings?)")
        hits = []
        for result in body["results"]:
            page = hit_page(result)
            linked = re.search(r"#page=(\d+)", result.get("url") or "")
            if linked and page is not None and int(linked.group(1)) != page:
                self.page_url_mismatches += 1
            more = tuple(p["page"] for p in result.get("passages", []) if p.get("page") is not None)
            hits.append(Hit(self.file_of(result["id"]), page, result["id"], more))
        return hits


# --------------------------------------------------------------------------- scoring and report


def summarize(judged: list[Judged]) -> dict[str, Any]:
    """The four metrics over ``judged``, and Page@1 per context group."""
    n = len(judged) or 1
    out: dict[str, Any] = {
        "file_mrr10": sum(1 / j.file_rank for j in judged if j.file_rank) / n,
        "file_at5": sum(1 for j in judged if j.file_rank and j.file_rank <= 5) / n,
        "page_at1": sum(1 for j in judged if j.page_rank == 1) / n,
        "page_at5": sum(1 for j in judged if j.page_rank and j.page_rank <= 5) / n,
        "page_links_at5": sum(1 for j in judged if j.link_rank and j.link_rank <= 5) / n,
        "no_hits": sum(1 for j in judged if not j.hits),
    }
    groups: dict[str, list[Judged]] = {}
    for j in judged:
        groups.setdefault(CONTEXT_GROUPS.get(j.question.context, j.question.context), []).append(j)
    out["page_at1_by_context"] = {g: sum(1 for j in js if j.page_rank == 1) / len(js) for g, js in groups.items()}
    out["n_by_context"] = {g: len(js) for g, js in groups.items()}
    return out


def print_table(results: dict[str, dict[str, Any]], n: int) -> None:
    print(f"\n{n} questions, top {TOP}\n")
    print("| system | " + " | ".join(HEADERS[m] for m in METRICS) + " | no hits |")
    print("|---|" + "---:|" * (len(METRICS) + 1))
    for system, r in results.items():
        print(f"| {system} | " + " | ".join(f"{r[m]:.3f}" for m in METRICS) + f" | {r['no_hits']} |")
    groups = list(next(iter(results.values()))["n_by_context"].items())
    print("\nPage@1 by context_type\n")
    print("| system | " + " | ".join(f"{g} (n={k})" for g, k in groups) + " |")
    print("|---|" + "---:|" * len(groups))
    for system, r in results.items():
        print(f"| {system} | " + " | ".join(f"{r['page_at1_by_context'].get(g, 0):.3f}" for g, _ in groups) + " |")


def print_failures(system: str, judged: Iterable[Judged]) -> None:
    """Questions whose top hit is not the right file and page: target, and what came first."""
    print(f"\n-- {system}: Page@1 failures --")
    for j in judged:
        if j.page_rank == 1:
            continue
        q = j.question
        first = f"{j.hits[0].file} p{j.hits[0].page}" if j.hits else "(no hits)"
        where = f"file rank {j.file_rank}" if j.file_rank else "file not in top 10"
        if j.file_rank:
            where += f", its page p{j.hits[j.file_rank - 1].page}"
        print(f"{q.id} [{q.context}] target {q.file} p{q.page}; first: {first}; {where}")


def build_cost(folder: Path, tmp: Path, repeat: int) -> dict[str, Any]:
    """Whole ``policy-index build`` runs of the PDFs without and with embeddings, alternating,
    each into a fresh index (empty embedding cache); the median ratio with / without."""
    import statistics

    times: dict[str, list[float]] = {"without": [], "with": []}
    for run_number in range(repeat):
        for label, no_embeddings in (("without", True), ("with", False)):
            target = tmp / f"cost-{label}-{run_number}"
            seconds = build_index(folder, target, no_embeddings)
            shutil.rmtree(target, ignore_errors=True)
            times[label].append(seconds)
            print(f"build {label} embeddings, run {run_number + 1}: {seconds:.1f} s", flush=True)
    ratio = statistics.median(times["with"]) / statistics.median(times["without"])
    print(f"with / without embeddings (medians): {ratio:.2f} (target <= 1.5)")
    return {"seconds": times, "ratio": ratio}


def run(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    questions = load_questions(LONGDOC)
    folder = tmp / "pdfs"
    names = copy_pdfs(LONGDOC, folder)
    if args.build_cost:
        return {"build_cost": build_cost(folder, tmp, args.build_cost)}
    index = args.index or tmp / "index"
    if args.index and (index / "CURRENT").exists():
        print(f"reusing index {index}")
    else:
        print(f"building {index} from {len(names)} PDFs ...", flush=True)
        print(f"built in {build_index(folder, index, args.no_embeddings):.1f} s")
    records, skipped = indexed_records(index)
    coverage = report_coverage(names, records, skipped, args.verbose)

    started = time.perf_counter()
    bm25, where = baseline_index(folder, names, args.workers)
    print(f"baseline: {len(where)} pdfminer pages indexed in {time.perf_counter() - started:.1f} s", flush=True)
    judged: dict[str, list[Judged]] = {"baseline": [Judged(q, baseline_search(bm25, where, q.text))
                                                    for q in questions]}
    os.environ.pop("POLICY_SEARCH_RATE_LIMIT", None)  # the server inherits it; 3 x 59 searches
    proc, url = start_server(index, 1, wait=300.0)
    try:
        client = ApiClient(url)
        for mode in ([m for m in MODES if m == "lexical"] if args.no_embeddings else MODES):
            started = time.perf_counter()
            judged[mode] = [Judged(q, client.search(q.text, mode)) for q in questions]
            print(f"mode={mode}: {(time.perf_counter() - started) * 1000 / len(questions):.0f} ms/question",
                  flush=True)
    finally:
        stop_server(proc)
    if client.page_url_mismatches:
        print(f"note: {client.page_url_mismatches} hits whose page field differs from their url's #page")
    results = {system: summarize(js) for system, js in judged.items()}
    print_table(results, len(questions))
    if args.verbose:
        for system, js in judged.items():
            print_failures(system, js)
    return {"coverage": coverage, "results": results, "ids": sorted(client.files),
            "per_question": {system: {j.question.id: {"file_rank": j.file_rank, "page_rank": j.page_rank}
                                      for j in js} for system, js in judged.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-embeddings", action="store_true", help="build without embeddings (lexical only)")
    parser.add_argument("--index", type=Path, help="index folder: reused when it holds a generation, else built")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (copied PDFs, index)")
    parser.add_argument("--workers", type=int, default=2, help="processes for the baseline's pdfminer extraction")
    parser.add_argument("--json", type=Path, help="write the numbers to this file")
    parser.add_argument("--verbose", action="store_true", help="print each system's Page@1 failures")
    parser.add_argument("--build-cost", type=int, default=0, metavar="N",
                        help="only time N builds without and with embeddings (alternating) and their ratio")
    args = parser.parse_args(argv)
    if not (LONGDOC / "questions.jsonl").is_file() or not (LONGDOC / "pdfs").is_dir():
        print(f"skipped: longdoc data set not found at {LONGDOC}")
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="bench-longdoc-"))
    try:
        out = run(args, tmp)
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
