"""Per-page term counts of PDF records, prepared once per generation for choosing a hit's page.

Request handling then picks the best page of a hit from these counts (a few array
slices) instead of re-analyzing every stored page of every hit. Arrays written into
``<generation>/derived/`` beside the postings (``indexer.index.postings``)::

    pages-docs.npy      int32  [D]    document numbers having pages, ascending
    pages-ptr.npy       int64  [D+1]  each document's range in ``pages-numbers``
    pages-numbers.npy   int32         page numbers, in stored order
    pages-entptr.npy    int64  [D+1]  each document's range in the three entry arrays
    pages-terms.npy     int32         ``body`` term ids (the postings vocabulary), ascending per document
    pages-page.npy      int32         page index within the document's pages
    pages-counts.npy    int32         occurrences of the term on that page

Pages are analyzed with the ``body`` field's analyzer in index mode, as ``body`` is.
"""
from __future__ import annotations

import json
import logging
from collections import Counter
from pathlib import Path

import numpy as np
from whoosh.reading import IndexReader

log = logging.getLogger(__name__)

PAGE_KINDS = ("docs", "ptr", "numbers", "entptr", "terms", "page", "counts")


def _term_ids(vocab: np.ndarray, vocabptr: np.ndarray) -> dict[bytes, int]:
    raw = vocab.tobytes()
    return {raw[vocabptr[i]:vocabptr[i + 1]]: i for i in range(len(vocabptr) - 1)}


def write_page_terms(reader: IndexReader, folder: Path, vocab: np.ndarray, vocabptr: np.ndarray) -> int:
    """Write the page arrays of every stored document with pages; return how many documents have pages."""
    analyzer = reader.schema["body"].analyzer
    ids: dict[bytes, int] | None = None
    docs, ptr, numbers, entptr = [], [0], [], [0]
    terms: list[np.ndarray] = []
    pages_of: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    entries = 0
    for docnum, stored in reader.iter_docs():
        if not stored.get("pages"):
            continue
        if ids is None:
            ids = _term_ids(vocab, vocabptr)
        rows: list[tuple[int, int, int]] = []
        pages = json.loads(stored["pages"])
        for index, (number, text) in enumerate(pages):
            numbers.append(int(number))
            for term, n in Counter(token.text for token in analyzer(text)).items():
                term_id = ids.get(term.encode("utf-8"))
                if term_id is not None:
                    rows.append((term_id, index, n))
        rows.sort()
        table = np.asarray(rows, dtype=np.int64).reshape(-1, 3)
        terms.append(table[:, 0].astype(np.int32))
        pages_of.append(table[:, 1].astype(np.int32))
        counts.append(table[:, 2].astype(np.int32))
        entries += len(rows)
        docs.append(docnum)
        ptr.append(len(numbers))
        entptr.append(entries)

    def cat(parts: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)

    arrays = {"docs": np.asarray(docs, dtype=np.int32), "ptr": np.asarray(ptr, dtype=np.int64),
              "numbers": np.asarray(numbers, dtype=np.int32), "entptr": np.asarray(entptr, dtype=np.int64),
              "terms": cat(terms), "page": cat(pages_of), "counts": cat(counts)}
    for kind in PAGE_KINDS:
        np.save(folder / f"pages-{kind}.npy", arrays[kind])
    return len(docs)
