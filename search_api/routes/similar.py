"""``/api/documents/<id>/similar``: more like this, across languages.

When the generation has embeddings (and semantic search is on), by meaning: the mean of
the record's chunk vectors against every chunk, the best chunk per record
(search_api.query.semantic), the same in either language. Otherwise by words: the record's key terms (Whoosh's Bo1 key terms of its title and body, weighted),
the glossary translations of the policy concepts it names (so a Korean record
finds English ones and back), and its cities' tags; itself, its duplicates and
non-canonical copies are left out.
"""
from __future__ import annotations

from collections import Counter

import numpy as np
from flask import Blueprint, current_app, jsonify, request
from whoosh import query as Q
from whoosh.query.compound import DefaultOr as Or  # see search_api.query.build

from search_api.query.expansion import TRANSLATION_BOOST, translation_alternatives
from search_api.params import MAX_SIZE, int_param
from search_api.query.build import QueryBuilder
from search_api.routes.documents import _docnum
from search_api.query.meaning import meaning_view
from search_api.query.search import _result

bp = Blueprint("similar", __name__)
KEY_TERMS = 16
MAX_CONCEPTS = 12
CITY_BOOST = 0.2
#: Text read from a record for its key terms and concepts.
MAX_TEXT = 20_000


def similar_query(snapshot, docnum: int, builder: QueryBuilder) -> Q.Query | None:
    """The query of records like ``docnum``: key terms, translated concepts, cities."""
    from indexer.crosslingual.glossary import glossary

    record = snapshot.record(docnum)
    text = f"{record['title']}\n{record.get('body', '')}"[:MAX_TEXT]
    searcher = snapshot.searcher
    parts: list[Q.Query] = []
    for field in ("title", "body"):
        for term, weight in searcher.key_terms_from_text(field, text, numterms=KEY_TERMS // 2):
            parts.append(Q.Term(field, term, boost=float(weight)))
    gloss = glossary()
    terms = [t.text for t in gloss.analyzer(text, mode="query")]
    counts = Counter()
    sides = {}
    for match in gloss.find(terms):
        counts[match.entry.index] += 1
        sides[match.entry.index] = match
    for index, _ in counts.most_common(MAX_CONCEPTS):
        match = sides[index]
        for alt in translation_alternatives(builder, match.translations()[:2], ""):
            parts.append(alt.with_boost(TRANSLATION_BOOST))
    for city in record.get("cities") or []:
        parts.append(Q.Term("city_id", str(city["geonameid"]), boost=CITY_BOOST))
    return Or(parts) if parts else None


def similar_by_meaning(snapshot, docnum: int, allowed: np.ndarray, size: int) -> list[dict]:
    """The ``size`` records closest in meaning to ``docnum`` among ``allowed``, best chunk as snippet."""
    vector = snapshot.semantic.record_vector(docnum)
    if vector is None:
        return []
    semantic = snapshot.semantic.score(vector)
    scores = np.where(allowed, semantic.scores, -np.inf)
    candidates = np.flatnonzero(np.isfinite(scores) & (semantic.scores > -1))
    order = candidates[np.lexsort((candidates, -scores[candidates]))][:size]
    results = []
    for other in order:
        result = _result(snapshot, int(other), round(float(scores[other]), 4), set())
        meaning_view(snapshot, int(other), int(semantic.best_chunk[other]), result)
        result["match"] = "meaning"
        results.append(result)
    return results


@bp.get("/api/documents/<path:doc_id>/similar")
def similar(doc_id: str):
    size = int_param(request.args, "size", 10, 1, MAX_SIZE)
    with current_app.extensions["policy_search.index"].snapshot() as snapshot:
        docnum = _docnum(snapshot, doc_id)
        record = snapshot.record(docnum)
        builder = QueryBuilder(snapshot.searcher.schema)
        query = similar_query(snapshot, docnum, builder)
        arrays = snapshot.facets
        allowed = arrays.live & arrays.canonical
        excluded = {doc_id, *record.get("duplicates", [])}
        if record.get("duplicate_of"):
            excluded.add(record["duplicate_of"])
        for other in excluded:
            if other in arrays.ids:
                allowed[arrays.ids[other]] = False
        results = []
        if snapshot.semantic is not None and allowed.any():
            results = similar_by_meaning(snapshot, docnum, allowed, size)
        elif query is not None and allowed.any():
            hits = snapshot.searcher.search(query, limit=size, filter=set(np.flatnonzero(allowed).tolist()),
                                            terms=False)
            results = [_result(snapshot, d, round(float(s), 4), set()) for d, s in hits.items()]
    return jsonify({"id": doc_id, "results": results})
