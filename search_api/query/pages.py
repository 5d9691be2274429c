"""The best page of a PDF hit, from per-page term counts prepared at index time.

:mod:`indexer.index.page_terms` writes, per record with pages, how often each
``body`` term occurs on each page. A page scores ``sum((1 + log n) * idf)`` over the
query's terms it holds (as :func:`indexer.index.pages.score_pages` scores re-analyzed
pages), so a request costs a few array slices per hit, whatever the length of the PDF.
"""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
from whoosh.searching import Searcher

from indexer.index.page_terms import PAGE_KINDS
from indexer.index.postings import DERIVED
from search_api.query.lexical import LexicalIndex

log = logging.getLogger(__name__)


class PageTerms:
    """Memory-mapped per-page term counts of one generation."""

    def __init__(self, arrays: dict[str, np.ndarray], lexical: LexicalIndex, searcher: Searcher):
        self.a = arrays
        self.lexical = lexical
        self.searcher = searcher

    @classmethod
    def open(cls, generation_dir: Path, lexical: LexicalIndex, searcher: Searcher) -> "PageTerms | None":
        """The generation's page arrays, or None when it has none (pages are then re-analyzed)."""
        folder = Path(generation_dir) / DERIVED
        try:
            arrays = {kind: np.load(folder / f"pages-{kind}.npy", mmap_mode="r") for kind in PAGE_KINDS}
        except (OSError, ValueError) as exc:
            log.warning("no page arrays in %s (%s); pages of hits will be re-analyzed", folder, exc)
            return None
        return cls(arrays, lexical, searcher)

    def best_page(self, docnum: int, terms: set[str]) -> int | None:
        """Number of the page of ``docnum`` best matching ``terms`` (first among equals), or None."""
        docs = self.a["docs"]
        i = int(np.searchsorted(docs, docnum))
        if i >= len(docs) or docs[i] != docnum or not terms:
            return None
        body = self.lexical.fields.get("body")
        if body is None:
            return None
        lo, hi = int(self.a["entptr"][i]), int(self.a["entptr"][i + 1])
        doc_terms = self.a["terms"][lo:hi]
        numbers = self.a["numbers"][int(self.a["ptr"][i]):int(self.a["ptr"][i + 1])]
        scores = np.zeros(len(numbers), dtype=np.float64)
        for term in sorted(terms):
            term_id = body.terms.find(term.encode("utf-8"))
            if term_id is None:
                continue
            start, end = np.searchsorted(doc_terms, [term_id, term_id + 1])
            if start == end:
                continue
            pages = self.a["page"][lo + start:lo + end]
            counts = self.a["counts"][lo + start:lo + end].astype(np.float64)
            idf = self.searcher.idf("body", term)
            scores[pages] += (1 + np.log(counts)) * idf
        if not len(scores) or scores.max() <= 0:
            return None
        best = np.flatnonzero(scores == scores.max())
        return int(numbers[best].min())
