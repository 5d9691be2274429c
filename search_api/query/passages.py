"""The words leg over passages: each page (or span of about a page) of a record scored on its own.

A long document scored as one bag of words lets its length dilute the page that answers;
so, as Vespa ranks a document by its best chunks and Elasticsearch scores nested passages
(``inner_hits``), every passage written by :mod:`indexer.index.passages` is scored by BM25
over its own postings (``body`` and ``body_bigram``, passage statistics: count, document
frequency and length), and a record takes the score of its best passage (MaxP). That
passage is the one its hit links to and shows. :func:`combine` mixes it with the
document's own score (title included), which keeps what whole documents do well.
"""
from __future__ import annotations

import logging
import math
from functools import cached_property
from pathlib import Path

import numpy as np
from whoosh import query as Q

from indexer.analysis import BM25_PARAMS
from indexer.index.passages import PASSAGE_FIELDS
from indexer.index.postings import DERIVED
from search_api.query.lexical import LexicalIndex

log = logging.getLogger(__name__)

#: Further passages a hit lists beside its best one (its other pages that hold the words).
INNER_HITS = 2
#: Weight of the best passage against the whole document in a record's words score.
PASSAGE_WEIGHT = 0.5


class PassageIndex:
    """Memory-mapped passages of one generation and their postings."""

    def __init__(self, arrays: dict[str, np.ndarray], fields: dict[str, dict[str, np.ndarray]],
                 lexical: LexicalIndex):
        self.first = arrays["first"]
        self.page = arrays["page"]
        self.start = arrays["start"]
        self.end = arrays["end"]
        self.count = len(self.page)
        self.fields = fields
        self.lexical = lexical
        B, K1 = BM25_PARAMS["B"], BM25_PARAMS["K1"]
        self.K1 = K1
        self.norms: dict[str, np.ndarray] = {}
        for name, a in fields.items():
            lengths = np.asarray(a["lengths"], dtype=np.float64)
            avg = float(lengths.mean()) if len(lengths) and lengths.mean() > 0 else 1.0
            self.norms[name] = K1 * ((1 - B) + B * lengths / avg)

    @classmethod
    def open(cls, generation_dir: Path, lexical: LexicalIndex) -> "PassageIndex | None":
        """The generation's passages, or None when it has none (written before passages)."""
        folder = Path(generation_dir) / DERIVED
        try:
            arrays = {kind: np.load(folder / f"passages-{kind}.npy", mmap_mode="r")
                      for kind in ("first", "page", "start", "end")}
            fields = {name: {kind: np.load(folder / f"passages-{name}-{kind}.npy", mmap_mode="r")
                             for kind in ("indptr", "rows", "weights", "lengths")}
                      for name in PASSAGE_FIELDS if name in lexical.fields}
        except (OSError, ValueError) as exc:
            log.warning("no passage arrays in %s (%s): records are scored whole", folder, exc)
            return None
        if len(arrays["first"]) != lexical.size + 1:
            log.warning("passage arrays of %s do not match its index: records are scored whole", folder)
            return None
        return cls(arrays, fields, lexical)

    @cached_property
    def doc_of(self) -> np.ndarray:
        """The document number of every passage."""
        return np.repeat(np.arange(len(self.first) - 1, dtype=np.int32), np.diff(self.first))

    def passage(self, row: int) -> tuple[int, int, int]:
        """``(page, start, end)`` of passage ``row`` (page 0: a span of the body)."""
        return int(self.page[row]), int(self.start[row]), int(self.end[row])

    def best(self, query: Q.Query) -> tuple[np.ndarray, np.ndarray]:
        """Per document, the BM25 score of its best passage for the words of ``query`` and that
        passage's row (-1 where no passage holds a word)."""
        best, row_of, _ = self.scored(query)
        return best, row_of

    def others(self, scores: np.ndarray, docnum: int, best_row: int, k: int = INNER_HITS) -> list[int]:
        """Rows of the next ``k`` passages of ``docnum`` that hold the query's words, best first
        (the inner hits a long document lists beside its best passage)."""
        lo, hi = int(self.first[docnum]), int(self.first[docnum + 1])
        if hi - lo < 2 or k <= 0:
            return []
        local = np.asarray(scores[lo:hi])
        order = np.lexsort((np.arange(hi - lo), -local))
        return [lo + int(i) for i in order if local[i] > 0 and lo + int(i) != best_row][:k]

    def scored(self, query: Q.Query) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`best`, and the score of every passage."""
        size = len(self.first) - 1
        best = np.zeros(size, dtype=np.float64)
        row_of = np.full(size, -1, dtype=np.int64)
        scores = np.zeros(self.count, dtype=np.float64)
        touched = False
        for fieldname, btext, boost in passage_terms(query):
            hits = self._term(fieldname, btext)
            if hits is None:
                continue
            rows, values = hits
            scores[rows] += values * boost
            touched = True
        if not touched:
            return best, row_of, scores
        rows = np.flatnonzero(scores)
        docs = self.doc_of[rows]
        order = np.lexsort((rows, -scores[rows], docs))  # per document: best first, then earliest
        rows, docs = rows[order], docs[order]
        head = np.ones(len(docs), dtype=bool)
        head[1:] = docs[1:] != docs[:-1]
        best[docs[head]] = scores[rows[head]]
        row_of[docs[head]] = rows[head]
        return best, row_of, scores

    def _term(self, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        field = self.lexical.fields.get(fieldname)
        arrays = self.fields.get(fieldname)
        if field is None or arrays is None:
            return None
        term_id = field.terms.find(btext)
        if term_id is None:
            return None
        lo, hi = int(arrays["indptr"][term_id]), int(arrays["indptr"][term_id + 1])
        if lo == hi:
            return None
        rows = np.asarray(arrays["rows"][lo:hi])
        tf = np.asarray(arrays["weights"][lo:hi], dtype=np.float64)
        idf = math.log(self.count / (hi - lo + 1)) + 1  # Whoosh's idf, over passages
        return rows, idf * (tf * (self.K1 + 1)) / (tf + self.norms[fieldname][rows])


def passage_terms(query: Q.Query) -> list[tuple[str, bytes, float]]:
    """The passage-field terms of ``query`` with their boosts (the highest where one repeats);
    excluded terms (``-word``) are left out."""
    found: dict[tuple[str, bytes], float] = {}

    def walk(q: Q.Query, boost: float) -> None:
        if isinstance(q, Q.AndNot):
            walk(q.a, boost * q.boost)
            return
        if isinstance(q, Q.Not):
            return
        if isinstance(q, Q.Term):
            if q.fieldname in PASSAGE_FIELDS:
                text = q.text if isinstance(q.text, bytes) else str(q.text).encode("utf-8")
                key = (q.fieldname, text)
                found[key] = max(found.get(key, 0.0), boost * q.boost)
            return
        for sub in q.children():
            walk(sub, boost * q.boost)

    walk(query, 1.0)
    return [(field, text, boost) for (field, text), boost in found.items()]


def combine(mask: np.ndarray, doc_scores: np.ndarray, passage_best: np.ndarray,
            weight: float = PASSAGE_WEIGHT) -> np.ndarray:
    """Words scores of the records in ``mask``: the document's and its best passage's, each
    scaled by the best of this query, mixed ``(1 - weight) : weight``."""
    out = np.zeros(len(doc_scores), dtype=np.float64)
    if not mask.any():
        return out
    docs, passages = doc_scores[mask], passage_best[mask]
    top_doc, top_passage = float(docs.max()), float(passages.max())
    part = docs / top_doc if top_doc > 0 else np.zeros_like(docs)
    if top_passage > 0:
        part = (1 - weight) * part + weight * passages / top_passage
    out[mask] = part
    return out
