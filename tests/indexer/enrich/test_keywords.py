"""Keyword scoring of the topic and SDG taggers: counts per key as written, on real seed text."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from indexer.enrich.keywords import MAX_HITS_PER_KEYWORD, TITLE_WEIGHT, KeywordScorer, _profile
from indexer.enrich.sdgs import goals
from indexer.enrich.topics import taxonomy
from indexer.extract import extract_sources

CORPUS = Path(__file__).resolve().parents[3] / "corpus"


def reference_scores(scorer: KeywordScorer, title: str, body: str) -> Counter:
    """The scoring rule spelt out keyword by keyword (what the flat lists must reproduce)."""
    total: Counter = Counter()
    for text, weight in ((title, TITLE_WEIGHT), (body, 1)):
        grams, hangul = _profile(text)
        for key, keywords in scorer.keywords.items():
            hits = sum(min(hangul.count(kw.korean) if kw.korean else grams.get(kw.stems, 0),
                           MAX_HITS_PER_KEYWORD) for kw in keywords)
            if hits:
                total[key] += hits * weight
    return total


@pytest.fixture(scope="module")
def corpus_records() -> list[dict]:
    return extract_sources([CORPUS]).records


@pytest.mark.parametrize("scorer", [taxonomy, goals], ids=["topics", "sdgs"])
def test_scores_match_the_rule_on_every_bundled_record(scorer, corpus_records):
    scorer = scorer()
    scored = 0
    for record in corpus_records:
        got = scorer.scores(record["title"], record.get("body", ""))
        assert got == reference_scores(scorer, record["title"], record.get("body", ""))
        scored += bool(got)
    assert scored >= len(corpus_records) // 2  # the rule finds keywords in real policy text


def test_a_keyword_counts_at_most_its_cap_and_title_hits_double():
    scorer = KeywordScorer({"transport": {"en": "Transport", "ko": "교통",
                                          "keywords_en": ["bus"], "keywords_ko": ["버스"]}})
    assert scorer.scores("", "bus bus bus bus bus")["transport"] == MAX_HITS_PER_KEYWORD
    assert scorer.scores("버스", "")["transport"] == TITLE_WEIGHT
    assert scorer.scores("버스 노선", "bus")["transport"] == TITLE_WEIGHT + 1
    assert scorer.scores("housing", "주택") == Counter()
