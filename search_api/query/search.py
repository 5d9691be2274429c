"""``/api/search``: filters, disjunctive facet counts, ranking, paging, snippets, collapse."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from indexer.embed.chunks import PAGE
from indexer.index.pages import query_terms, score_pages, top_page
from search_api.query.facets import FACETS, FacetArrays
from search_api.query.snippets import opening, snippet
from search_api.index_reader import Snapshot
from search_api.query.labels import facet_label
from search_api.query.links import record_url
from search_api.query.passages import combine
from search_api.query.build import QueryBuilder
from search_api.query.parse import ParsedQuery, parse_query
from search_api.query.fusion import MATCH_NAMES, MEANING, WORDS
from search_api.query.meaning import meaning_view
from search_api.query.lexical import attached, walk_matches

log = logging.getLogger(__name__)

#: Facet values listed per facet (the most frequent first).
FACET_LIMIT = 50
#: Results under which a did-you-mean suggestion is looked for.
FEW_RESULTS = 3
#: Deepest result a page may reach; pages beyond it come back empty (total still exact).
MAX_RESULT_DEPTH = 10_000


@dataclass
class SearchParams:
    """Validated parameters of one search."""

    q: str = ""
    filters: dict[str, list[Any]] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    sort: str = "relevance"
    page: int = 1
    size: int = 10
    ui_lang: str = "en"
    #: hybrid (words and meaning), lexical (words only) or semantic (meaning only).
    mode: str = "hybrid"
    #: Cross-lingual glossary and city-name expansion of the words (search_api.query.expansion).
    expand: bool = True
    #: Seconds the ranking of one search may take; past it the hits ranked so far are used.
    time_limit: float = 5.0
    deadline: float = 0.0
    timed_out: bool = False


def filter_masks(arrays: FacetArrays, params: SearchParams) -> dict[str, np.ndarray]:
    """One document mask per active filter (facet name, or ``years``)."""
    masks: dict[str, np.ndarray] = {}
    for name, wanted in params.filters.items():
        facet = arrays.facets[name]
        ids = [facet.index[v] for v in wanted if v in facet.index]
        masks[name] = facet.mask(ids, arrays.size)
    if params.year_from is not None or params.year_to is not None:
        years = arrays.year
        low = params.year_from if params.year_from is not None else 0
        high = params.year_to if params.year_to is not None else 9999
        masks["year"] = masks.get("year", np.ones(arrays.size, dtype=bool)) & (years >= low) & (years <= high) & (years > 0)
    return masks


def _combine(base: np.ndarray, masks: dict[str, np.ndarray], skip: str | None = None) -> np.ndarray:
    out = base.copy()
    for name, mask in masks.items():
        if name != skip:
            out &= mask
    return out


def facet_lists(arrays: FacetArrays, base: np.ndarray, masks: dict[str, np.ndarray],
                params: SearchParams) -> dict[str, list[dict[str, Any]]]:
    """Counts per facet value, each facet ignoring its own filter."""
    out = {}
    for name in FACETS:
        facet = arrays.facets[name]
        counts = facet.counts(_combine(base, masks, skip=name))
        selected = set(params.filters.get(name, []))
        order = np.argsort(-counts, kind="stable")
        entries = []
        for value_id in order:
            value = facet.values[value_id]
            count = int(counts[value_id])
            if count == 0 and value not in selected:
                continue
            entries.append({
                "value": value,
                "label": facet_label(name, value, params.ui_lang, facet.labels_ko[value_id]),
                "count": count,
                "selected": value in selected,
            })
        if name == "year":
            entries.sort(key=lambda e: -e["value"])
        out[name] = entries[:FACET_LIMIT]
    return out


@dataclass
class Ranking:
    """What one search matched and how it ranks, before paging: shared by ``/api/search`` and its export."""

    mode: str
    builder: QueryBuilder
    #: The Whoosh query of the words (None: no words, or none of them indexed).
    query: Any
    relaxed: bool
    #: Per document: matched canonical record (before the filters), score (None: browsing),
    #: why it matched (search_api.query.fusion), row of its best chunk.
    matched: np.ndarray
    scores: np.ndarray | None
    match: np.ndarray | None
    best_chunk: np.ndarray | None
    masks: dict[str, np.ndarray]
    #: Per document, the row of its best passage by words (-1: none; None: not scored by passages).
    best_passage: np.ndarray | None = None
    #: The words score of every passage (for a hit's further passages).
    passage_scores: np.ndarray | None = None

    @cached_property
    def terms(self) -> set[str]:
        """The analyzed words of the query, for highlighting and page choice."""
        return query_terms(self.query) if self.query is not None else set()


def rank(snapshot: Snapshot, params: SearchParams, max_chars: int = 3000, max_terms: int = 32) -> Ranking:
    """Parse, the lexical leg (every word, else any), then (modes hybrid and semantic, when the
    generation has embeddings) the semantic leg and the fusion (search_api.query)."""
    arrays, searcher = snapshot.facets, snapshot.searcher
    parsed = parse_query(params.q, max_chars, None)
    builder = QueryBuilder(searcher.schema, expand=params.expand)
    pasted = parsed.terms > max_terms
    if pasted:  # a pasted text: its most significant words (none when no word of it is indexed)
        from search_api.query.long_query import keep_significant

        parsed = keep_significant(parsed, builder, searcher, max_terms)
    mode = _mode(snapshot, params)
    masks = filter_masks(arrays, params)
    query, relaxed = None, False
    matched, scores = arrays.live.copy(), None
    match = best_chunk = best_passage = passage_scores = None
    params.deadline = time.monotonic() + params.time_limit  # one budget for both passes
    if mode == "semantic" and params.q.strip():
        from search_api.query.meaning import semantic_leg

        allowed = arrays.live & arrays.canonical
        fused = semantic_leg(snapshot, params.q, allowed, _combine(allowed, masks) if masks else None)
        matched, scores, match, best_chunk = fused.mask, fused.scores, fused.match, fused.best_chunk
        parsed, pasted = ParsedQuery(), False
    if pasted and parsed.empty:
        matched[:] = False  # nothing matches by words
    if not parsed.empty:
        query = builder.build(parsed)
        if query is None:
            matched[:] = False
        else:
            matched, scores = _score_all(searcher, query, arrays.size, params)
            matched &= arrays.live
            if not (_combine(matched & arrays.canonical, masks)).any() and len(parsed.groups) > 1:
                query = builder.build(parsed, relaxed=True)
                matched, scores = _score_all(searcher, query, arrays.size, params)
                matched &= arrays.live
                relaxed = True
            if snapshot.passages is not None:  # a record ranks by its best passage too
                passage_best, best_passage, passage_scores = snapshot.passages.scored(query)
                scores = combine(matched, scores, passage_best)
    if mode == "hybrid" and (pasted or not parsed.empty):
        from search_api.query.meaning import hybrid

        allowed = arrays.live & arrays.canonical
        fused = hybrid(snapshot, params.q, matched if query is not None else np.zeros_like(matched),
                       scores, relaxed, _combine(allowed, masks) if masks else None)
        matched, scores, match, best_chunk = fused.mask, fused.scores, fused.match, fused.best_chunk
    return Ranking(mode, builder, query, relaxed, matched & arrays.canonical, scores, match, best_chunk, masks,
                   best_passage, passage_scores)


def run_search(snapshot: Snapshot, params: SearchParams, max_chars: int = 3000, max_terms: int = 32) -> dict:
    """Execute one search against a snapshot and shape the response:
    rank → filters → page → hits (snippets) → facets → did-you-mean."""
    started = time.perf_counter()
    arrays = snapshot.facets
    ranking = rank(snapshot, params, max_chars, max_terms)
    result_mask = _combine(ranking.matched, ranking.masks)
    total = int(result_mask.sum())
    words_total = total if ranking.mode != "hybrid" or ranking.match is None else \
        int((result_mask & ((ranking.match & WORDS) != 0)).sum())
    docnums = _page(result_mask, ranking.scores, arrays, params)
    terms = ranking.terms
    results = [_hit(snapshot, ranking, docnum, terms) for docnum in docnums]
    response = {
        "query": params.q,
        "total": total,
        "words_total": words_total,
        "page": params.page,
        "size": params.size,
        "relaxed": ranking.relaxed,
        "mode": ranking.mode,
        "results": results,
        "facets": facet_lists(arrays, ranking.matched, ranking.masks, params),
        "suggestion": None,
        "timed_out": False,
    }
    if params.q.strip() and words_total < FEW_RESULTS and not params.timed_out:
        from search_api.suggest import did_you_mean

        response["suggestion"] = did_you_mean(snapshot, params.q, ranking.builder, words_total,
                                              _combine(arrays.canonical, ranking.masks), params.deadline)
    response["timed_out"] = params.timed_out
    response["took_ms"] = round((time.perf_counter() - started) * 1000, 2)
    return response


def _hit(snapshot: Snapshot, ranking: Ranking, docnum: int, terms: set[str]) -> dict[str, Any]:
    """One result: a words hit highlighted at its best page, a meaning hit shown at its best chunk."""
    kind = None if ranking.match is None else int(ranking.match[docnum])
    by_meaning = kind == MEANING
    score = None if ranking.scores is None else round(float(ranking.scores[docnum]), 4)
    passage = -1 if by_meaning or ranking.best_passage is None else int(ranking.best_passage[docnum])
    record = snapshot.record(docnum)
    result = _result(snapshot, docnum, score, set() if by_meaning else terms, passage, record)
    if by_meaning:
        meaning_view(snapshot, docnum, int(ranking.best_chunk[docnum]), result)
    result["match"] = MATCH_NAMES.get(kind) if kind else ("words" if ranking.query is not None else None)
    if passage >= 0 and ranking.passage_scores is not None:
        result["passages"] = inner_hits(snapshot, docnum, record, passage, ranking.passage_scores, terms)
    return result


def inner_hits(snapshot: Snapshot, docnum: int, record: dict[str, Any], best: int, scores: np.ndarray,
               terms: set[str]) -> list[dict]:
    """A long document's further passages holding the words, best first: page, snippet, link."""
    analyzer = snapshot.searcher.schema["body"].analyzer
    out = []
    for row in snapshot.passages.others(scores, docnum, best):
        text, page = passage_text(snapshot, record, row)
        out.append({"page": page, "snippet": snippet(text, terms, analyzer), "url": record_url(record, page)})
    return out


def _mode(snapshot: Snapshot, params: SearchParams) -> str:
    """The mode served: the one asked for, or lexical when the generation has no embeddings."""
    if params.mode == "lexical" or snapshot.semantic is None:
        return "lexical"
    return params.mode


def _score_all(searcher, query, size: int, params: SearchParams) -> tuple[np.ndarray, np.ndarray]:
    """Every match of ``query`` and its score: ``(mask: bool[size], scores: float64[size])``.

    One exact pass serves the match count, the facet counts and the ranking alike. It
    runs vectorized over the generation's postings arrays (:mod:`search_api.query.lexical`)
    when the searcher has them, else over Whoosh's matchers. Past the time budget the
    search is marked ``timed_out``: what was scored by then is what is counted and ranked.
    """
    lexical = attached(searcher)
    if lexical is None:
        return score_with_matchers(searcher, query, size, params)
    mask, scores, timed_out = lexical.score_all(query, params.deadline)
    if timed_out:
        _over_budget(params)
    return mask, scores


def score_with_matchers(searcher, query, size: int, params: SearchParams) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_score_all` by walking every match with Whoosh's matchers (no postings arrays).

    (Whoosh 2.7.4's top-k block-quality skipping loses better hits under
    DisjunctionMax/AndMaybe, hence one exhaustive pass.)
    """
    mask = np.zeros(size, dtype=bool)
    scores = np.zeros(size, dtype=np.float64)
    if not walk_matches(searcher, query, mask, scores, lambda: time.monotonic() <= params.deadline):
        _over_budget(params)
    return mask, scores


def _over_budget(params: SearchParams) -> None:
    """Mark the search ``timed_out`` (what was scored by then is counted and ranked) and log it."""
    log.warning("search over its %.1f s budget: %r", params.time_limit, params.q[:100])
    params.timed_out = True


def _page(mask: np.ndarray, scores: np.ndarray | None, arrays: FacetArrays, params: SearchParams) -> list[int]:
    """Document numbers of the requested page: by score, or by date (undated last)."""
    start = (params.page - 1) * params.size
    end = start + params.size
    docs = np.flatnonzero(mask)
    if not len(docs) or start >= min(len(docs), MAX_RESULT_DEPTH):
        return []
    if scores is None or params.sort in ("newest", "oldest"):
        dates = arrays.date[docs]
        key = dates if params.sort == "oldest" else -dates
        order = np.lexsort((docs, key, dates == 0))  # undated last, then by date, then stable
    else:
        order = np.lexsort((docs, -np.round(scores[docs], 9)))  # best first; ties (to 1e-9) by index order
    return [int(d) for d in docs[order][start:end]]


def _result(snapshot: Snapshot, docnum: int, score, terms: set[str], passage: int = -1,
            record: dict[str, Any] | None = None) -> dict[str, Any]:
    """One hit: its snippet from its best passage (``passage``, a row of the passage arrays),
    else from its page best matching ``terms``, else its opening; linked to that page.
    ``record``: the stored record of ``docnum`` when the caller has read it already."""
    record = record if record is not None else snapshot.record(docnum)
    analyzer = snapshot.searcher.schema["body"].analyzer
    text, page = passage_text(snapshot, record, passage)
    if page is None and passage < 0:
        page = matching_page(snapshot, docnum, record, terms)
        if page is not None:
            text = next((p["text"] for p in record["pages"] if p["number"] == page), text)
    if page is None and record.get("pages"):
        page = record["pages"][0]["number"]
    return {
        "id": record["id"],
        "title": record["title"],
        "snippet": snippet(text, terms, analyzer) if terms else opening(text),
        "url": record_url(record, page),
        "date": record.get("date"),
        "lang": record["lang"],
        "type": record["type"],
        "cities": record.get("cities", []),
        "topics": record.get("topics", []),
        "sdgs": record.get("sdgs", []),
        "page": page,
        "score": score,
        "duplicates": record.get("duplicates", []),
        "translations": record.get("translations", []),
    }


def passage_text(snapshot: Snapshot, record: dict[str, Any], passage: int) -> tuple[str, int | None]:
    """The text of a hit's best passage and its page (None: not a page); the body when none."""
    body = record.get("body", "")
    if passage < 0 or snapshot.passages is None:
        return body, None
    page, start, end = snapshot.passages.passage(passage)
    if page:
        text = next((p["text"] for p in record.get("pages", []) if p["number"] == page), "")
        return (text[start:end] or body), page
    return body[start:end] or body, None


def matching_page(snapshot: Snapshot, docnum: int, record: dict[str, Any], terms: set[str]) -> int | None:
    """The page of a PDF hit that best matches ``terms`` when it has no passages (a generation
    written before them): its pages analyzed again; None when no page matches."""
    if not record.get("pages") or not terms:
        return None
    return top_page(score_pages(snapshot.searcher, [(p["number"], p["text"]) for p in record["pages"]], terms))


def hit_page(snapshot: Snapshot, docnum: int, record: dict[str, Any], ranking: Ranking) -> int | None:
    """The page a hit links to, as in the search results: a meaning hit's best chunk's page, else
    the page best matching the words, else the first page; None for a record without pages."""
    if not record.get("pages"):
        return None
    if ranking.match is not None and int(ranking.match[docnum]) == MEANING:
        row = int(ranking.best_chunk[docnum])
        kind, page, _, _ = snapshot.semantic.chunk(row) if row >= 0 else (None, None, 0, 0)
        page = page if kind == PAGE else None
    elif ranking.best_passage is not None:
        _, page = passage_text(snapshot, record, int(ranking.best_passage[docnum]))
    else:
        page = matching_page(snapshot, docnum, record, ranking.terms)
    return page if page is not None else record["pages"][0]["number"]


def ranked_hits(snapshot: Snapshot, params: SearchParams, limit: int, max_chars: int = 3000,
                max_terms: int = 32) -> tuple[list[int], int, Ranking]:
    """Every hit of a search in the order ``run_search`` pages them (at most ``limit``), the
    total, and the ranking: what an export streams. The same :func:`rank` as ``run_search``;
    ``params.page``/``size`` are ignored."""
    ranking = rank(snapshot, params, max_chars, max_terms)
    result_mask = _combine(ranking.matched, ranking.masks)
    total = int(result_mask.sum())
    every = SearchParams(sort=params.sort, page=1, size=max(1, min(limit, total)))
    docnums = _page(result_mask, ranking.scores, snapshot.facets, every) if limit > 0 else []
    return docnums, total, ranking
