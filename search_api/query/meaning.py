"""The semantic leg as ``/api/search`` runs it: one query vector, fused or alone, and a meaning hit's view."""
from __future__ import annotations

from typing import Any

import numpy as np

from indexer.embed.chunks import BODY, PAGE
from search_api.query.links import record_url
from search_api.query.snippets import opening
from search_api.query.fusion import Fused, fuse, semantic_only, text_lang
from search_api.query.semantic import SemanticScores, embed_query


def _scores(snapshot, q: str) -> SemanticScores:
    return snapshot.semantic.score(embed_query(q))


def hybrid(snapshot, q: str, lex_mask: np.ndarray, lex_scores: np.ndarray | None, relaxed: bool,
           filtered: np.ndarray | None = None) -> Fused:
    """Words and meaning fused over the live canonical records (search_api.query.fusion);
    ``filtered``: those of them that pass the query's filters."""
    arrays = snapshot.facets
    semantic = snapshot.semantic
    same_lang = (semantic.doc_lang == text_lang(q)) | (semantic.doc_lang == "mixed")  # words can match natively
    return fuse(lex_mask, lex_scores, _scores(snapshot, q), arrays.live & arrays.canonical, same_lang, relaxed,
                filtered)


def semantic_leg(snapshot, q: str, allowed: np.ndarray, filtered: np.ndarray | None = None) -> Fused:
    """``mode=semantic``: the records closest in meaning (also among the ``filtered`` ones)."""
    return semantic_only(_scores(snapshot, q), allowed, filtered)


def meaning_view(snapshot, docnum: int, row: int, result: dict[str, Any]) -> None:
    """Point a meaning hit at its best chunk ``row``: that chunk as the snippet, its page for a PDF."""
    semantic = snapshot.semantic
    if row < 0:
        return
    kind, page, start, end = semantic.chunk(row)
    record = snapshot.record(docnum)
    if kind == PAGE:
        text = next((p["text"] for p in record.get("pages", []) if p["number"] == page), "")
        result["page"] = page
        result["url"] = record_url(record, page)
    elif kind == BODY:
        text = record.get("body", "")
    else:
        return  # the title: the record's opening stays
    if text[start:end].strip():
        result["snippet"] = opening(text[start:end])
