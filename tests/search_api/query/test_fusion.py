"""Fusion of words and meaning on real indexes built with the packaged encoder (no mocks).

The cross-lingual dev sets (``../shared/eval-dev/xling``: Korean questions over English news
and back) hold fusion to its rule: hybrid is never under its better leg (MRR@10, 0.005 slack).
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from indexer.extract import extract_sources
from indexer.index.builder import build_records
from search_api.index_reader import Snapshot
from search_api.query.search import SearchParams, run_search

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO))
from bench import _devsets  # noqa: E402

XLING = ("xling/ko2en", "xling/en2ko")


def mrr10(snapshot: Snapshot, ds, mode: str) -> float:
    total = 0.0
    for q in ds.queries:
        hits = [r["id"] for r in run_search(snapshot, SearchParams(q=q["text"], size=10, mode=mode),
                                            max_chars=100_000)["results"]]
        relevant = ds.qrels.get(q["id"], set())
        total += next((1 / rank for rank, doc in enumerate(hits, 1) if doc in relevant), 0.0)
    return total / len(ds.queries)


@pytest.fixture(scope="module")
def xling(tmp_path_factory):
    """name -> (dev set, snapshot of its corpus built with embeddings), built once."""
    built = {}

    def get(name: str):
        if not _devsets.available(name):
            pytest.skip(f"the dev set {_devsets.EVAL_DEV / name} is absent (it ships beside the repo, not in it)")
        if name not in built:
            index = tmp_path_factory.mktemp(name.replace("/", "-")) / "index"
            extracted = extract_sources([_devsets.EVAL_DEV / name / "corpus.jsonl"])
            build_records(extracted.records, extracted.origins, index, workers=2)
            built[name] = (_devsets.load(name), Snapshot(index))
        return built[name]
    return get


@pytest.mark.parametrize("name", XLING)
def test_hybrid_is_never_under_its_better_leg_across_languages(name, xling):
    ds, snapshot = xling(name)
    scores = {mode: mrr10(snapshot, ds, mode) for mode in ("lexical", "semantic", "hybrid")}
    assert scores["hybrid"] >= max(scores["lexical"], scores["semantic"]) - 0.005, scores


def test_words_that_match_nothing_in_the_query_language_let_meaning_answer(xling):
    ds, snapshot = xling("xling/ko2en")  # Korean questions, English records
    answered = first_right = asked = 0
    for q in ds.queries[:150]:
        body = run_search(snapshot, SearchParams(q=q["text"], size=10), max_chars=100_000)
        if body["words_total"]:
            continue
        asked += 1
        assert body["total"] <= 20  # meaning's 10 nearest and those that stand out, not the archive
        assert all(r["match"] == "meaning" for r in body["results"])
        answered += body["total"] > 0
        first_right += bool(body["results"]) and body["results"][0]["id"] in ds.qrels.get(q["id"], set())
    assert asked >= 30  # most Korean questions share no word with English news
    assert answered >= 0.9 * asked and first_right >= 0.6 * asked, (asked, answered, first_right)


def _fused_order(lead_z: float) -> tuple[list[int], float]:
    """Two records matched by words (0: the words' best, 1: at 0.9 of it) among 2,000 others
    whose cosines are spread evenly over 0.27-0.33; record 1's cosine lies ``lead_z`` robust
    standard deviations above theirs (the query's best by meaning). The fused order of 0 and 1,
    and 1's z as calibrated."""
    import numpy as np

    from search_api.query.fusion import calibrate, fuse
    from search_api.query.semantic import SemanticScores

    others = np.linspace(0.27, 0.33, 2000)
    median = float(np.median(others))
    allowed = np.ones(len(others), dtype=bool)
    z_others, _ = calibrate(SemanticScores(others, np.arange(len(others))), allowed)
    spread = (others[-1] - median) / z_others[-1]  # one robust standard deviation, as calibrated
    cos = np.concatenate([[median, median + lead_z * spread], others]).astype(np.float32)
    n = len(cos)
    semantic = SemanticScores(cos, np.arange(n))
    allowed = np.ones(n, dtype=bool)
    words = np.zeros(n, dtype=bool)
    words[:2] = True
    lex = np.zeros(n)
    lex[:2] = (10.0, 9.0)
    fused = fuse(words, lex, semantic, allowed, same_lang=allowed, relaxed=False)
    z, _ = calibrate(semantic, allowed)
    assert z[1] == z.max()
    return sorted((0, 1), key=lambda d: -fused.scores[d]), float(z[1])


def test_meaning_that_barely_stands_out_does_not_overturn_the_words():
    from search_api.query.fusion import Z_BASE, Z_ENTER

    order, z = _fused_order(2.2)  # the query's best by meaning, but barely above the rest
    assert Z_BASE < z < Z_ENTER, z
    assert order == [0, 1]  # the words' clear lead holds
    order, z = _fused_order(8.0)  # meaning that stands out far reorders them
    assert z > Z_ENTER, z
    assert order == [1, 0]
