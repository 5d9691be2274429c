"""Autocomplete over titles, cities and frequent terms, and did-you-mean spelling suggestions.

Both read the generation's vocabulary (:mod:`search_api.vocabulary`), written by the indexer
and memory-mapped when the generation is opened: nothing is built per worker, and a fresh
generation answers its first query as its thousandth.
"""
from __future__ import annotations

import re
import time
from typing import Any

from search_api.query.parse import parse_query
from search_api.vocabulary import MAX_SPELL_CHARS, Speller, Vocabulary, edit_distance  # noqa: F401 (the API)

_QUERY_WORD = re.compile(r"[A-Za-z]{3,}|[\uac00-\ud7a3]{2,}")
MAX_SUGGESTIONS = 10
#: Unknown words respelt per query at most; the rest are left as written.
MAX_SPELL_WORDS = 8


def cities(snapshot) -> list[tuple[str, str, int]]:
    """``(name, name_ko, live records)`` of the generation's cities, most frequent first (kept with it)."""
    found = getattr(snapshot, "_cities", None)
    if found is None:
        city = snapshot.facets.facets["city"]
        counts = city.counts(snapshot.facets.live)
        found = snapshot._cities = sorted(
            ((value, city.labels_ko[i], int(counts[i])) for i, value in enumerate(city.values)),
            key=lambda c: -c[2])
    return found


def suggest(snapshot, prefix: str) -> list[dict[str, Any]]:
    """Completions of ``prefix``: cities, then frequent terms, then titles."""
    prefix = " ".join(prefix.split())
    if not prefix:
        return []
    vocab: Vocabulary = snapshot.vocabulary
    low = prefix.lower()
    out: list[dict[str, Any]] = []
    seen: set[str] = set()

    def add(text: str, kind: str) -> None:
        if text.lower() not in seen and len(out) < MAX_SUGGESTIONS:
            seen.add(text.lower())
            out.append({"text": text, "kind": kind})

    for name, name_ko, _ in cities(snapshot):
        if name.lower().startswith(low):
            add(name, "city")
        elif name_ko.startswith(prefix):
            add(name_ko, "city")
    last = low.split()[-1]
    head = prefix[: len(prefix) - len(last)]
    for term in vocab.completions(last, 5):
        add(head + term, "term")
    for title in vocab.matching_titles(low):
        if len(out) >= MAX_SUGGESTIONS:
            break
        add(title, "title")
    return out


def _known(word: str, builder, reader) -> bool:
    """Whether the index holds any analyzed term of ``word`` (then it is not misspelt)."""
    return any(
        reader.doc_frequency(field, term) > 0
        for alternatives in builder.positions(word) for term in alternatives for field in ("title", "body")
    )


def did_you_mean(snapshot, q: str, builder, total: int, allowed,
                 deadline: float = float("inf")) -> str | None:
    """A respelling of ``q`` from the index's own words that finds more, or None.

    Only words the index does not know are respelt (a Korean word whose morphemes are
    indexed is known whatever its particles), each to the most frequent indexed word
    within edit distance 2 (1 for short words); the respelling is offered only when it
    finds more among ``allowed`` (a document mask: the active filters, duplicates collapsed).
    At most :data:`MAX_SPELL_WORDS` words are respelt, none past ``deadline`` (monotonic time):
    the search's budget bounds this work too.
    """
    vocab: Vocabulary = snapshot.vocabulary
    reader = snapshot.searcher.reader()
    changed, tried = False, 0

    def fix(match: re.Match) -> str:
        nonlocal changed, tried
        word = match.group(0)
        if len(word) > MAX_SPELL_CHARS or tried >= MAX_SPELL_WORDS or time.monotonic() > deadline:
            return word
        tried += 1
        if word.lower() in vocab or _known(word, builder, reader):
            return word
        option = vocab.correct(word.lower(), max_distance=2 if len(word) > 4 else 1)
        if option:
            changed = True
            return option
        return word

    corrected = _QUERY_WORD.sub(fix, q)
    if not changed or corrected == q:
        return None
    query = builder.build(parse_query(corrected, max_chars=10_000, max_terms=10_000), relaxed=False)
    if query is None or time.monotonic() > deadline:
        return None
    found = sum(1 for d in snapshot.searcher.docs_for_query(query) if allowed[d])
    return corrected if found > total else None
