"""Passages: the scoring units of a long document, with their own postings, built once per generation.

A long document scored as one bag of words lets its length dilute the page that answers a
question. So every record is also cut into *passages* (each PDF page; spans of about a page
of any other long body; the whole body of a short one), and each passage gets postings of
its own over the ``body`` and ``body_bigram`` terms, as a small document would. At query time
a record ranks by its document score and its best passage (``search_api.query.passages``),
links to that passage's page and takes its snippet from it. Arrays written into
``<generation>/derived/`` beside the postings (``indexer.index.postings``), memory-mapped by
the API::

    passages-first.npy     int64   [N+1]  each document's range of passages (N: document count)
    passages-page.npy      int32   [P]    page number of the passage (0: not a page)
    passages-start.npy     int32   [P]    start of its text: in the page's text, else in ``body``
    passages-end.npy       int32   [P]    end of its text
    passages-F-indptr.npy  int64   [T+1]  each ``F`` term's passage postings (``F``'s postings vocabulary)
    passages-F-rows.npy    int32          passage numbers, ascending within a term
    passages-F-weights.npy float32        term frequency x field boost, as Whoosh weighs postings
    passages-F-lengths.npy float32 [P]    passage length in ``F`` tokens

A record of one passage reuses its document postings (no second analysis); only the
passages of long records are analyzed again, over ``workers`` processes.
"""
from __future__ import annotations

import json
import logging
import re
from collections import Counter
from pathlib import Path
from typing import Iterator

import numpy as np
from whoosh.reading import IndexReader

log = logging.getLogger(__name__)

#: Fields that get passage postings: what the words of a passage are scored on.
PASSAGE_FIELDS = ("body", "body_bigram")
#: A body longer than this is cut into passages of about a page (a dense PDF page holds 1,500-2,500).
PASSAGE_CHARS = 1600
#: Stored documents analyzed per task when passages are analyzed over several processes.
ANALYSIS_BATCH = 64
_BREAK = re.compile(r"\n\s*\n|\n|(?<=[.!?。다요])\s+")


def body_spans(body: str, width: int = PASSAGE_CHARS) -> list[tuple[int, int]]:
    """Spans of about ``width`` characters covering ``body``, cut at a paragraph, line or
    sentence end where one falls in the span's second half (else at a space)."""
    spans: list[tuple[int, int]] = []
    start, n = 0, len(body)
    while start < n:
        while start < n and body[start].isspace():
            start += 1
        if start >= n:
            break
        end = min(n, start + width)
        if end < n:
            cut = None
            for match in _BREAK.finditer(body, start + width // 2, end):
                cut = match.start()
            if cut is None:
                space = body.rfind(" ", start + width // 2, end)
                cut = space if space > start else end
            end = cut
        stop = end
        while stop > start and body[stop - 1].isspace():
            stop -= 1
        if stop > start:
            spans.append((start, stop))
        start = max(end, start + 1)
    return spans


def record_passages(body: str, pages: list | None) -> list[tuple[int, int, int, str]]:
    """``(page, start, end, text)`` of each passage: every page, else spans of a long body, else the body."""
    if pages:
        return [(int(number), 0, len(text), text) for number, text in pages if text.strip()]
    if not body.strip():
        return []
    if len(body) <= PASSAGE_CHARS:
        return [(0, 0, len(body), body)]
    return [(0, lo, hi, body[lo:hi]) for lo, hi in body_spans(body)]


def _analyze(batch: list[tuple[int, list[str]]], analyzers: dict[str, object]) -> list[tuple[int, list[dict]]]:
    """Per document of ``batch``, per passage, ``{field: Counter(term -> count)}``."""
    out = []
    for docnum, texts in batch:
        out.append((docnum, [{name: Counter(t.text for t in analyzer(text)) for name, analyzer in analyzers.items()}
                             for text in texts]))
    return out


_ANALYZERS: dict[str, object] = {}


def _analyze_in_worker(batch: list[tuple[int, list[str]]]) -> list[tuple[int, list[dict]]]:
    return _analyze(batch, _ANALYZERS)


def _batches(items: list[tuple[int, list[str]]]) -> Iterator[list[tuple[int, list[str]]]]:
    for i in range(0, len(items), ANALYSIS_BATCH):
        yield items[i:i + ANALYSIS_BATCH]


def _term_ids(vocab: np.ndarray, vocabptr: np.ndarray) -> dict[str, int]:
    raw = vocab.tobytes()
    return {raw[vocabptr[i]:vocabptr[i + 1]].decode("utf-8"): i for i in range(len(vocabptr) - 1)}


def write_passages(reader: IndexReader, folder: Path, postings: dict[str, dict[str, np.ndarray]],
                   workers: int = 1) -> dict[str, int]:
    """Write the passage arrays of every stored document; return counts (passages, analyzed records).

    ``postings``: the generation's CSR arrays per field (``indexer.index.postings.field_arrays``),
    whose vocabularies the passage postings share.
    """
    size = reader.doc_count_all()
    first = np.zeros(size + 1, dtype=np.int64)
    page, start, end = [], [], []
    single = np.zeros(size, dtype=bool)
    long_docs: list[tuple[int, list[str]]] = []
    for docnum, stored in reader.iter_docs():
        pages = json.loads(stored["pages"]) if stored.get("pages") else None
        passages = record_passages(stored.get("body") or "", pages)
        first[docnum + 1] = len(passages)
        for number, lo, hi, _ in passages:
            page.append(number)
            start.append(lo)
            end.append(hi)
        if len(passages) == 1 and not pages:
            single[docnum] = True  # the whole body: its document postings serve
        elif passages:
            long_docs.append((docnum, [text for *_, text in passages]))
    first = np.cumsum(first)
    count = int(first[-1])
    fields = [name for name in PASSAGE_FIELDS if name in postings and name in reader.schema]
    analyzers = {name: reader.schema[name].analyzer for name in fields}
    boosts = {name: float(getattr(reader.schema[name].format, "field_boost", 1.0)) for name in fields}
    analyzed = _analyzed(long_docs, analyzers, workers)
    folder.mkdir(parents=True, exist_ok=True)
    for name in fields:
        _write_field(folder, name, postings[name], first, single, analyzed, boosts[name], count)
    for kind, values in (("first", first), ("page", page), ("start", start), ("end", end)):
        np.save(folder / f"passages-{kind}.npy", np.asarray(values, dtype=np.int64 if kind == "first" else np.int32))
    return {"passages": count, "analyzed_records": len(long_docs)}


def _analyzed(long_docs: list[tuple[int, list[str]]], analyzers: dict[str, object],
              workers: int) -> list[tuple[int, list[dict]]]:
    if workers <= 1 or len(long_docs) < 2 * ANALYSIS_BATCH:
        return _analyze(long_docs, analyzers)
    from indexer.index.writing import forked_pool

    _ANALYZERS.clear()
    _ANALYZERS.update(analyzers)  # inherited by the forked workers
    with forked_pool(workers) as pool:
        return [item for done in pool.map(_analyze_in_worker, _batches(long_docs)) for item in done]


def _write_field(folder: Path, name: str, doc_postings: dict[str, np.ndarray], first: np.ndarray,
                 single: np.ndarray, analyzed: list[tuple[int, list[dict]]], boost: float, count: int) -> None:
    """One field's passage postings: single-passage documents' own postings plus the analyzed passages'."""
    indptr = doc_postings["indptr"]
    terms_total = len(indptr) - 1
    docs = np.asarray(doc_postings["docs"])
    term_of = np.repeat(np.arange(terms_total, dtype=np.int64), np.diff(indptr))
    keep = single[docs]
    term_parts = [term_of[keep]]
    row_parts = [first[docs[keep]]]
    weight_parts = [np.asarray(doc_postings["weights"])[keep].astype(np.float32)]
    lengths = np.zeros(count, dtype=np.float32)
    doc_lengths = np.asarray(doc_postings["lengths"])
    single_docs = np.flatnonzero(single)
    lengths[first[single_docs]] = doc_lengths[single_docs]
    if analyzed:
        ids = _term_ids(np.asarray(doc_postings["vocab"]), np.asarray(doc_postings["vocabptr"]))
        t, r, w = [], [], []
        for docnum, per_passage in analyzed:
            base = int(first[docnum])
            for offset, fields in enumerate(per_passage):
                counts = fields[name]
                lengths[base + offset] = sum(counts.values())
                for term, n in counts.items():
                    term_id = ids.get(term)
                    if term_id is not None:
                        t.append(term_id)
                        r.append(base + offset)
                        w.append(n * boost)
        term_parts.append(np.asarray(t, dtype=np.int64))
        row_parts.append(np.asarray(r, dtype=np.int64))
        weight_parts.append(np.asarray(w, dtype=np.float32))
    terms = np.concatenate(term_parts)
    rows = np.concatenate(row_parts)
    weights = np.concatenate(weight_parts)
    order = np.lexsort((rows, terms))
    terms, rows, weights = terms[order], rows[order], weights[order]
    out_indptr = np.zeros(terms_total + 1, dtype=np.int64)
    np.cumsum(np.bincount(terms, minlength=terms_total), out=out_indptr[1:])
    np.save(folder / f"passages-{name}-indptr.npy", out_indptr)
    np.save(folder / f"passages-{name}-rows.npy", rows.astype(np.int32))
    np.save(folder / f"passages-{name}-weights.npy", weights)
    np.save(folder / f"passages-{name}-lengths.npy", lengths)
