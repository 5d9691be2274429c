"""Korean analysis: content morphemes only, compounds indexed both ways, user dictionary."""
from __future__ import annotations

import pytest

from indexer.analysis import policy_analyzer
from indexer.analysis.userdict import load_userdict, parse_userdict

ANA = policy_analyzer()


def terms(text: str, mode: str = "index") -> list[str]:
    return [t.text for t in ANA(text, mode=mode)]


def test_seoul_finds_seoulsineun():
    assert {"서울시", "서울", "시"} <= set(terms("서울시는"))
    assert set(terms("서울", mode="query")) <= set(terms("서울시는"))


def test_dosi_in_gongyudosi():
    toks = set(terms("공유도시"))
    assert {"공유도시", "공유", "도시"} <= toks


def test_gongyudosi_query_matches_with_particle():
    assert terms("공유도시", mode="query") == ["공유도시"]
    assert "공유도시" in terms("공유도시를")


@pytest.mark.parametrize("word", ["스마트시티", "빅데이터", "도시재생"])
def test_adjacent_nouns_joined(word: str):
    assert word in terms(f"{word}를 위한 사업입니다")


def test_particles_and_endings_not_emitted():
    toks = terms("서울시는 공유도시를 추진했습니다. 시민들이 아름다운 공원에서 쉬었다.")
    for bad in ["는", "를", "이", "에서", "습니다", "었", "다", "들"]:
        assert bad not in toks
    assert {"추진", "시민", "공원", "아름답", "쉬"} <= set(toks)


def test_numbers_indexed():
    assert {"2024", "10"} <= set(terms("2024년에 10명이 참여했다"))


def test_compound_parts_share_position():
    toks = [(t.text, t.pos) for t in ANA("서울시는 공유도시를 추진", positions=True)]
    pos = dict(toks)
    assert pos["서울시"] == pos["서울"] == pos["시"] == 0
    assert pos["공유도시"] == pos["공유"] == pos["도시"] == 1
    assert pos["추진"] == 2


def test_query_mode_emits_longest_forms_only():
    assert terms("서울시 공유도시", mode="query") == ["서울시", "공유도시"]


def test_userdict_merges_and_retags():
    # MeCab reads 그린 in 그린뉴딜 as the verb 그리다; the user dictionary keeps the term.
    assert "그린뉴딜" in terms("그린뉴딜 정책")
    ud = load_userdict()
    assert ud.entries["공유"].tag == "NNG"
    assert ud.entries["공유도시"].parts == ("공유", "도시")


def test_userdict_parser_rejects_bad_parts():
    ud = parse_userdict(["# c", "", "가나다\tNNG\t가+나", "라마\tNNG\t라+마", "bad"])
    assert ud.entries["가나다"].parts == ()
    assert ud.entries["라마"].parts == ("라", "마")
    assert "라" in ud.prefixes and "bad" not in ud.entries
