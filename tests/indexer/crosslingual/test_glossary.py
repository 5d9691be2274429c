"""The glossary's greedy longest match skips positions no key starts at, and finds the same."""
from __future__ import annotations

from pathlib import Path

import pytest

from indexer.crosslingual.glossary import Match, glossary
from indexer.extract import extract_sources

CORPUS = Path(__file__).resolve().parents[3] / "corpus"


class _Everywhere:
    """A ``starts`` set that holds every term: :meth:`Glossary.find` then tries every position."""

    def __contains__(self, term: str) -> bool:
        return True


def exhaustive_find(g, terms: list[str]) -> list[Match]:
    """The same greedy longest match without the shortcut: every position is tried."""
    starts, g.starts = g.starts, _Everywhere()
    try:
        return g.find(terms)
    finally:
        g.starts = starts


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return [f"{r['title']}\n{r.get('body', '')}" for r in extract_sources([CORPUS]).records]


def test_find_matches_the_exhaustive_scan_on_every_bundled_record(texts):
    g = glossary()
    total = 0
    for text in texts:
        terms = [t.text for t in g.analyzer(text, mode="query")]
        found = g.find(terms)
        assert found == exhaustive_find(g, terms)
        total += len(found)
    assert total > 0  # real policy text names glossary concepts


def test_a_joined_korean_compound_is_found_from_its_first_part():
    g = glossary()
    key = next(k for k in g.keys if len(k) == 1 and len(k[0]) >= 4 and "\uac00" <= k[0][0] <= "\ud7a3")
    word = key[0]
    parts = [word[:2], word[2:]]  # as if the analyzer had split the compound
    assert parts[0] in g.starts
    assert g.find(parts) == exhaustive_find(g, parts) != []
