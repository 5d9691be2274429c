"""English analysis: lowercase, stop words, Snowball stemming, acronyms kept."""
from __future__ import annotations

from indexer.analysis import policy_analyzer

ANA = policy_analyzer()


def terms(text: str) -> list[str]:
    return [t.text for t in ANA(text)]


def test_stemming_and_lowercase():
    assert terms("Housing Policies") == ["hous", "polici"]
    assert terms("policy") == terms("policies")


def test_stop_words_dropped():
    assert terms("the city of the future") == ["citi", "futur"]


def test_acronyms_kept():
    toks = terms("SDG and ODA funding for ICT; SDGs in IT and the US")
    assert toks.count("sdg") == 2
    assert {"oda", "ict", "it", "us"} <= set(toks)


def test_digits_and_mixed_scripts():
    toks = terms("COVID-19 대응 2030 plan, 東京 Привет")
    assert {"covid", "19", "2030", "plan", "대응", "東京", "привет"} <= set(toks)
