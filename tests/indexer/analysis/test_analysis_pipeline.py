"""The direct index terms of our analyzers: exactly what their token stream yields."""
from __future__ import annotations

import json

from whoosh.analysis import StandardAnalyzer

from indexer.analysis import hangul_bigram_analyzer, policy_analyzer
from indexer.analysis.pipeline import direct_terms
from tests.conftest import EVAL_DEV, SEED_PAGES, SHARED

SEEDS = SHARED / "seeds"

TRICKY = [
    "",
    "   \n\t ",
    "서울시 공유도시 정책은 주차장 공유와 공구 도서관을 늘렸다.",
    "Seoul's ODA for SDGs grew 12% in 2024; the U.S. and 東京都 (とうきょう) too.",
    "한" * 2500 + " end",  # one unspaced Hangul run over the segmenters' chunk size
    "x" * 300 + " 1" * 40 + " " + "9" * 40,  # a giant word, many numbers, a long number
    "\u1112\u1161\u11ab\u1100\u1173\u11af 자모로 쓴 한글",  # decomposed Hangul: NFC with an offset map
    "bad\x00chars\ud800here\u200b 제어\x07문자",
    "Привет мир, αβγ δ, مرحبا 세계",
    "서울시청", "SDGs", "A", "가",
]


def _streamed(analyzer, value: str, mode: str = "index") -> list[tuple[str, int]]:
    return [(t.text, t.pos) for t in analyzer(value, positions=True, boosts=True, mode=mode) if not t.stopped]


def _texts() -> list[str]:
    texts = list(TRICKY)
    pages = sorted(SEED_PAGES.glob("*.txt")) + sorted(SEEDS.glob("*.txt"))[:60]  # Korean and English pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        texts += [text.split("\n", 1)[0], text]
    for lang in ("ko", "en"):  # the dev corpora's passages, where this machine has them
        corpus = EVAL_DEV / lang / "corpus.jsonl"
        if corpus.exists():
            with corpus.open(encoding="utf-8") as handle:
                texts += [json.loads(line).get("text", "") for _, line in zip(range(150), handle)]
    return texts


def test_direct_terms_equal_the_token_stream():
    texts = _texts()
    assert len(texts) > 20 and any(len(t) > 3000 for t in texts)
    for analyzer in (policy_analyzer(), hangul_bigram_analyzer()):
        for mode in ("index", "query"):  # query mode: compounds as their longest form alone
            direct = direct_terms(analyzer, mode)
            assert direct is not None
            for text in texts:
                assert direct(text) == _streamed(analyzer, text, mode), (mode, text[:80])
    assert direct_terms(policy_analyzer(), "query")("공유도시") != direct_terms(policy_analyzer())("공유도시")


def test_other_analyzers_have_no_direct_terms():
    assert direct_terms(StandardAnalyzer()) is None
    assert direct_terms(policy_analyzer() | StandardAnalyzer().items[-1]) is None  # a filter not ours at the end
