"""The vectorized lexical scorer against Whoosh's own matchers, on real indexes.

The reference is today's exhaustive matcher walk (``score_with_matchers``). Whoosh
2.7.4's ``DisjunctionMaxMatcher.score`` takes the max over both sub-matchers' current
postings even when one sits on a later document; the vectorized scorer takes the max
over the clauses matching the document. Queries whose tree holds a DisjunctionMax
(cross-lingual expansion) are therefore compared with that one method corrected in
the reference (``corrected_dismax``); every other query against stock Whoosh.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest
import whoosh.matching.binary as binary
from whoosh import query as Q

from indexer.index.builder import build_records, delete_records
from indexer.index.postings import DERIVED
from indexer.records import content_hash
from search_api.index_reader import Snapshot
from search_api.query.build import QueryBuilder
from search_api.query.parse import parse_query
from search_api.query.lexical import LexicalIndex, attached
from search_api.query.search import SearchParams, score_with_matchers

#: Hand-written queries over corpus/ and the fixture records: every construct the builder emits.
SYNTAX_QUERIES = [
    "seoul", "Seoul bicycle lanes", "서울 자전거", "서울시는 공유도시", "공유도시", "따릉이 OR bicycle",
    '"bicycle lanes"', '"policy sharing"', "seoul -bicycle", "서울 -자전거", "poli*", "bi*", "sha* seoul",
    "smart city", "스마트시티 빅데이터", "public transportation", "대중교통", "climate change", "기후 변화",
    "Seoul OR Busan parks", "서울 OR 부산", "housing -\"bike lanes\"", "Mexico City", "Seoul 서울",
    "nonexistentword", "river parks -nothingmatches", "\"서울시 자전거\"", "water* -river",
]


def _has_dismax(query) -> bool:
    return isinstance(query, Q.DisjunctionMax) or any(_has_dismax(s) for s in query.children())


def _fixed_dismax_score(self):
    """DisjunctionMaxMatcher.score over the sub-matchers on the current document only."""
    a, b = self.a, self.b
    if not a.is_active():
        return b.score()
    if not b.is_active():
        return a.score()
    if a.id() != b.id():
        return (a if a.id() < b.id() else b).score()
    return max(a.score(), b.score())


@pytest.fixture()
def corrected_dismax(monkeypatch):
    monkeypatch.setattr(binary.DisjunctionMaxMatcher, "score", _fixed_dismax_score)


def _reference(snapshot: Snapshot, query) -> tuple[np.ndarray, np.ndarray]:
    params = SearchParams(q="reference")
    params.deadline = time.monotonic() + 600
    return score_with_matchers(snapshot.searcher, query, snapshot.facets.size, params)


def _top(scores: np.ndarray, mask: np.ndarray, k: int = 10) -> list[int]:
    docs = np.flatnonzero(mask)
    return [int(d) for d in docs[np.lexsort((docs, -np.round(scores[docs], 9)))][:k]]


def compare(snapshot: Snapshot, texts: list[str], expand: bool = True) -> dict[str, int]:
    """Check every query (strict and relaxed) of ``texts``; return counts of what was compared."""
    lexical = attached(snapshot.searcher)
    assert lexical is not None
    builder = QueryBuilder(snapshot.searcher.schema, expand=expand)
    seen = {"queries": 0, "dismax": 0, "matches": 0}
    for text in texts:
        parsed = parse_query(text, 2000, 200)
        for relaxed in (False, True):
            query = builder.build(parsed, relaxed=relaxed) if not parsed.empty else None
            if query is None:
                continue
            mask, scores, timed_out = lexical.score_all(query)
            ref_mask, ref_scores = _reference(snapshot, query)
            assert not timed_out
            assert (mask == ref_mask).all(), f"{text!r} (relaxed={relaxed}): different matches"
            np.testing.assert_allclose(scores, ref_scores, rtol=1e-9, atol=1e-12,
                                       err_msg=f"{text!r} (relaxed={relaxed}): different scores")
            assert _top(scores, mask) == _top(ref_scores, ref_mask), f"{text!r}: different top 10"
            seen["queries"] += 1
            seen["dismax"] += _has_dismax(query)
            seen["matches"] += int(mask.sum())
    return seen


def test_vectorized_scores_equal_whoosh_on_corpus(corpus_index: Path, corrected_dismax):
    snapshot = Snapshot(corpus_index)
    try:
        assert (Path(snapshot.index.storage.folder) / DERIVED / "postings.json").is_file()
        seen = compare(snapshot, SYNTAX_QUERIES)
        assert seen["queries"] >= 40 and seen["dismax"] >= 5 and seen["matches"] > 0
    finally:
        snapshot.retire()


def test_stock_whoosh_agrees_without_expansion(corpus_index: Path):
    """No DisjunctionMax in the tree: the reference is Whoosh unchanged."""
    snapshot = Snapshot(corpus_index)
    try:
        seen = compare(snapshot, SYNTAX_QUERIES, expand=False)
        assert seen["queries"] >= 40 and seen["dismax"] == 0
    finally:
        snapshot.retire()


def _dev_records(eval_dev: Path, lang: str, limit: int) -> list[dict]:
    records = []
    with (eval_dev / lang / "corpus.jsonl").open(encoding="utf-8") as handle:
        for position, line in enumerate(handle):
            if position >= limit:
                break
            item = json.loads(line)
            record = {"id": f"{lang}-{item['id']}", "title": item.get("title") or item["text"][:60],
                      "body": item["text"], "lang": lang, "type": "article",
                      "source": {"path": f"{lang}.jsonl", "position": position},
                      "cities": [], "topics": [], "sdgs": []}
            record["content_hash"] = content_hash(record)
            records.append(record)
    return records


def _dev_queries(eval_dev: Path, lang: str, limit: int) -> list[str]:
    with (eval_dev / lang / "queries.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line)["text"] for _, line in zip(range(limit), handle)]


def test_vectorized_scores_equal_whoosh_on_dev_sets(eval_dev: Path, tmp_path: Path, corrected_dismax):
    """Dev passages in several segments with deleted documents; dev questions, short and whole."""
    records = _dev_records(eval_dev, "ko", 400) + _dev_records(eval_dev, "en", 400)
    index = tmp_path / "index"
    build_records(records, {}, index, workers=2, progress=False)
    delete_records([records[3]["id"], records[450]["id"]], index)  # deletions, as after an update
    questions = _dev_queries(eval_dev, "ko", 60) + _dev_queries(eval_dev, "en", 60)
    short = [" ".join(q.split()[:2]) for q in questions[::3]]
    snapshot = Snapshot(index)
    try:
        assert len(list(snapshot.searcher.leaf_searchers())) >= 2
        assert snapshot.searcher.reader().has_deletions()
        seen = compare(snapshot, questions + short)
        assert seen["queries"] >= 200 and seen["dismax"] > 0
    finally:
        snapshot.retire()


def test_missing_arrays_are_built_in_memory(corpus_index: Path, tmp_path: Path):
    """A generation written before the arrays existed still scores the same (arrays built on open)."""
    snapshot = Snapshot(corpus_index)
    try:
        rebuilt = LexicalIndex.open(tmp_path / "no-such-generation", snapshot.searcher)
        query = QueryBuilder(snapshot.searcher.schema, expand=False).build(parse_query("seoul bicycle"), relaxed=True)
        mask, scores, _ = rebuilt.score_all(query)
        ref_mask, ref_scores = _reference(snapshot, query)
        assert mask.any() and (mask == ref_mask).all()
        np.testing.assert_allclose(scores, ref_scores, rtol=1e-9)
    finally:
        snapshot.retire()


def test_time_budget_cuts_phrase_walks_and_prefix_expansion(corpus_index: Path):
    """Past the deadline terms are still scored; phrases and prefix expansions are cut."""
    snapshot = Snapshot(corpus_index)
    try:
        lexical = attached(snapshot.searcher)
        builder = QueryBuilder(snapshot.searcher.schema, expand=False)
        late = time.monotonic() - 1
        terms = builder.build(parse_query("seoul bicycle"))
        mask, _, timed_out = lexical.score_all(terms, deadline=late)
        assert timed_out and mask.any() and (mask == lexical.score_all(terms)[0]).all()
        for text in ('"bicycle lanes"', "bi*"):
            query = builder.build(parse_query(text))
            assert lexical.score_all(query)[0].any()
            mask, _, timed_out = lexical.score_all(query, deadline=late)
            assert timed_out and not mask.any()
    finally:
        snapshot.retire()


def test_a_closed_generation_leaves_no_attached_index(corpus_index: Path):
    """attach() keys by searcher weakly: retiring a snapshot frees its arrays (no leak per switch)."""
    import gc

    from search_api.query import lexical as lexical_module

    import weakref

    snapshot = Snapshot(corpus_index)
    searcher = weakref.ref(snapshot.searcher)
    assert attached(snapshot.searcher) is snapshot.lexical
    snapshot.retire()
    del snapshot
    gc.collect()  # other tests' retired snapshots may go too: look for this one only
    assert searcher() is None or searcher() not in lexical_module._ATTACHED
