"""Finding the page of a PDF record that best matches a query.

A PDF record is one Whoosh document: its page texts are searched as part of
``body`` and stored in the ``pages`` field. :func:`best_page` analyzes each stored
page with the ``body`` field's analyzer and scores it by the query's body/title
terms it contains (term frequency x idf). The API does this only for a generation
without per-page term counts (:mod:`indexer.index.page_terms`, which scores pages the
same way from counts prepared at index time).
"""
from __future__ import annotations

import json
import math
from collections import Counter
from typing import Any

from whoosh.query import Query
from whoosh.searching import Searcher

TEXT_FIELDS = ("body", "title")


def query_terms(query: Query) -> set[str]:
    """The analyzed full-text terms of ``query``."""
    terms = set()
    for fieldname, text in query.iter_all_terms():
        if fieldname in TEXT_FIELDS:
            terms.add(text.decode("utf-8") if isinstance(text, bytes) else text)
    return terms


def page_scores(searcher: Searcher, stored: dict[str, Any], query: Query) -> dict[int, float]:
    """Score of every page of a stored document for ``query`` (empty when it has no pages)."""
    if not stored.get("pages"):
        return {}
    return score_pages(searcher, json.loads(stored["pages"]), query_terms(query))


def score_pages(searcher: Searcher, pages: list, terms: set[str]) -> dict[int, float]:
    """Score of each ``(number, text)`` page for the analyzed ``terms`` (tf x idf)."""
    analyzer = searcher.schema["body"].analyzer
    idf = {t: searcher.idf("body", t) for t in terms}
    scores = {}
    for number, text in pages:
        counts = Counter(tok.text for tok in analyzer(text) if tok.text in terms)
        scores[number] = sum((1 + math.log(n)) * idf[t] for t, n in counts.items())
    return scores


def top_page(scores: dict[int, float]) -> int | None:
    """The best-scoring page (the first among equals), or None when no page matched."""
    if not scores or max(scores.values()) <= 0:
        return None
    return max(scores, key=lambda n: (scores[n], -n))


def best_page(searcher: Searcher, docnum: int, query: Query) -> int | None:
    """Number of the page of document ``docnum`` best matching ``query``, or None."""
    return top_page(page_scores(searcher, searcher.stored_fields(docnum), query))
