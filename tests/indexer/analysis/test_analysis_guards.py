"""Guards (NFC, control chars, surrogates, long runs) and exact offsets."""
from __future__ import annotations

import time
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.analysis import hangul_bigram_analyzer, policy_analyzer
from indexer.analysis.guards import clean_text

ANA = policy_analyzer()
BIG = hangul_bigram_analyzer()


def toks(text: str, analyzer=ANA, mode: str = "index"):
    return [(t.text, t.pos, t.startchar, t.endchar)
            for t in analyzer(text, positions=True, chars=True, mode=mode)]


def assert_offsets(text: str, analyzer=ANA) -> None:
    """Every token's span lies in ``text`` and, once normalised, spells or contains its surface."""
    for term, _pos, s, e in toks(text, analyzer):
        assert 0 <= s < e <= len(text), (term, s, e)
        span = unicodedata.normalize("NFC", text[s:e]).lower()
        # Korean stems (아름답 <- 아름다운) and English stems (polici <- policies) differ from
        # their surface; compound parts and joins are exact substrings.
        if all("\uac00" <= c <= "\ud7a3" for c in term) and term in span:
            continue
        assert span[:2] == term[:2] or term in span, (term, span)


def test_nfd_hangul_is_analysed_with_original_offsets():
    nfc = "서울시는 공유도시를 추진한다"
    nfd = unicodedata.normalize("NFD", nfc)
    assert len(nfd) > len(nfc)
    assert [t[0] for t in toks(nfd)] == [t[0] for t in toks(nfc)]
    for term, _p, s, e in toks(nfd):
        assert unicodedata.normalize("NFC", nfd[s:e]) in (term, "서울시", "공유도시") or term in unicodedata.normalize("NFC", nfd[s:e])
    assert_offsets(nfd)


def test_nul_does_not_cut_input():
    text = "서울시\x00공유도시를 추진한다"
    assert {"서울시", "공유도시", "추진"} <= {t[0] for t in toks(text)}
    assert_offsets(text)


def test_lone_surrogate_and_controls():
    text = "서울\ud800도시\x07정책 policy\udfff"
    got = {t[0] for t in toks(text)}
    assert {"서울", "도시", "정책", "polici"} <= got
    assert_offsets(text)
    clean, offmap = clean_text(text)
    assert len(clean) == len(text) and offmap is None


def test_long_unspaced_hangul_run_is_chunked_and_fast():
    text = "공유도시서울시정책" * 1112  # > 10,000 chars, no spaces
    assert len(text) > 10_000
    t0 = time.perf_counter()
    out = toks(text)
    assert time.perf_counter() - t0 < 5
    assert len(out) > 1000
    assert_offsets(text)


def test_emoji_whitespace_empty():
    assert toks("") == []
    assert toks(" \t\n\u3000 ") == []
    assert toks("😀🎉") == []
    assert {t[0] for t in toks("도시 😀 재생 👨‍👩‍👧")} == {"도시", "재생"}


def test_offsets_are_exact_for_korean_and_english():
    text = "  서울시는 공유도시를, The SDGs policies! 2024년"
    for term, _p, s, e in toks(text):
        if term in ("서울시", "서울", "시", "공유도시", "공유", "도시", "2024"):
            assert text[s:e] == term
    got = {text[s:e] for _t, _p, s, e in toks(text)}
    assert {"SDGs", "policies"} <= got
    assert_offsets(text)


def test_bigram_analyzer():
    assert [t[0] for t in toks("공유도시를 ABC 가", BIG)] == ["공유", "유도", "도시", "시를", "가"]
    assert_offsets("공유도시를 ABC 가", BIG)


def test_start_char_and_start_pos():
    out = [(t.text, t.pos, t.startchar) for t in ANA("서울 정책", positions=True, chars=True,
                                                     start_pos=5, start_char=100)]
    assert out == [("서울", 5, 100), ("정책", 6, 103)]


unicode_text = st.text(alphabet=st.characters(codec=None), max_size=300)
mixed_text = st.lists(st.sampled_from(["서울시는", "공유도시를", " ", "\x00", "\ud800", "e\u0301",
                                       "\u1100\u1161", "\u11a8", "SDGs", "東京", "😀", "\n", "123"]),
                      max_size=40).map("".join)


@settings(deadline=2000, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(unicode_text, mixed_text))
def test_never_crashes_and_offsets_in_bounds(text: str):
    for analyzer in (ANA, BIG):
        for mode in ("index", "query"):
            last_pos = -1
            for term, pos, s, e in toks(text, analyzer, mode):
                assert term and 0 <= s <= e <= len(text)
                assert pos >= last_pos
                last_pos = pos
