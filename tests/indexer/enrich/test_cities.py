"""City mentions: English names with accents or in full-width letters, Korean names with particles."""
from __future__ import annotations

from indexer.enrich.cities import cities_for


def names(title: str, body: str = "") -> list[str]:
    return [c["name"] for c in cities_for(title, body)]


def test_accented_and_full_width_english_names_are_found():
    assert "Paris" in names("Bike lanes in París")
    assert "Seoul" in names("", "Ｓｅｏｕｌ smart city")


def test_english_names_beside_hangul_are_found():
    found = names("서울시와 Busan부산의 교통 정책", "Tokyo와 협력")
    assert {"Seoul", "Busan", "Tokyo"} <= set(found)


def test_most_mentioned_first_and_lowercase_words_are_no_names():
    assert names("Busan and Seoul", "Seoul Seoul")[:2] == ["Seoul", "Busan"]
    assert names("the nice weather") == []


def test_longest_names_first_then_on_after_them():
    found = names("Visits to Ho Chi Minh City. And São Paulo... then Mexico City")
    assert found == ["Ho Chi Minh City", "São Paulo", "Mexico City"], found
    assert "Mexico" not in found  # the country inside the longer name is not a city of its own


def test_korean_names_take_suffixes_and_particles_but_not_other_words():
    assert names("서울특별시에서 부산광역시의 대구로") == ["Seoul", "Busan", "Daegu"]
    assert names("서울대입구 부산물") == []  # a longer word that only starts with a name
