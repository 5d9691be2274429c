"""Records that are the same policy in Korean and in English, linked in ``translations``.

Two records of different languages (``ko`` / ``en``) are versions of one policy when
they carry the same date (or both none), and their cities, glossary concepts (the
Korean side's Korean terms against the English side's English terms, through
``indexer/data/glossary.tsv``) and numbers agree. Links are symmetric, one
counterpart per language at most, and never touch ``duplicates``: both versions
stay searchable, each ranking in its own language.
"""
from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

#: Fewest glossary concepts each side must name to be compared at all.
MIN_CONCEPTS = 3
#: Share of the smaller concept set the other side must also name.
MIN_CONCEPT_OVERLAP = 0.5
#: Share of the smaller number set the other side must also carry (when both have >= 2).
MIN_NUMBER_OVERLAP = 0.4
#: Least city-set Jaccard similarity when both sides name cities.
MIN_CITY_JACCARD = 0.5
#: Score (concept overlap + 0.5 number overlap + 0.5 city similarity) needed to link.
MIN_SCORE = 1.0
#: Undated records are only compared within a bucket this small (pairs are quadratic).
MAX_UNDATED_PAIRS = 250_000
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_LANGS = ("ko", "en")
#: Key under which extraction workers leave a record's glossary concepts for
#: :func:`link_translations` (which removes it): the costly part of the features, done in parallel.
CONCEPTS_KEY = "_concepts"


def numbers_of(text: str) -> set[str]:
    """Numbers of two or more digits (``1,000`` and ``1000`` alike; trailing ``.0`` dropped)."""
    found = set()
    for raw in _NUMBER.findall(text):
        value = raw.replace(",", "").rstrip(".")
        if value.endswith(".0"):
            value = value[:-2]
        if sum(ch.isdigit() for ch in value) >= 2:
            found.add(value)
    return found


def _overlap(a: set, b: set) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def concepts_of(record: dict[str, Any], glossary=None) -> set[int] | None:
    """The glossary concepts a Korean or English record names on its own side (None for others)."""
    if record.get("lang") not in _LANGS:
        return None
    if glossary is None:
        from indexer.crosslingual.glossary import glossary as load

        glossary = load()
    return _named(record, glossary)


def _named(record: dict[str, Any], glossary) -> set[int]:
    """The concepts the title and the body name, each analyzed on its own (as the index
    analyzes them, so the segmenters' results are re-used, see ``indexer.analysis.shared``)."""
    lang = record["lang"]
    return glossary.concepts(record["title"], lang) | glossary.concepts(record.get("body", ""), lang)


def _features(record: dict[str, Any], glossary, concepts: set[int] | None = None) -> dict[str, Any]:
    text = f"{record['title']}\n{record.get('body', '')}"
    return {
        "concepts": concepts if concepts is not None else _named(record, glossary),
        "numbers": numbers_of(text),
        "cities": {c["geonameid"] for c in record.get("cities") or []},
    }


def pair_score(a: dict[str, Any], b: dict[str, Any]) -> float | None:
    """How surely two records' features (see ``_features``) are one policy; None if not."""
    if len(a["concepts"]) < MIN_CONCEPTS or len(b["concepts"]) < MIN_CONCEPTS:
        return None
    concepts = _overlap(a["concepts"], b["concepts"])
    if concepts < MIN_CONCEPT_OVERLAP:
        return None
    numbers = 0.0
    if len(a["numbers"]) >= 2 and len(b["numbers"]) >= 2:
        numbers = _overlap(a["numbers"], b["numbers"])
        if numbers < MIN_NUMBER_OVERLAP:
            return None
    cities = 0.0
    if a["cities"] and b["cities"]:
        cities = len(a["cities"] & b["cities"]) / len(a["cities"] | b["cities"])
        if cities < MIN_CITY_JACCARD:
            return None
    elif a["cities"] or b["cities"]:
        return None
    score = concepts + 0.5 * numbers + 0.5 * cities
    return score if score >= MIN_SCORE else None


def link_translations(records: list[dict[str, Any]], glossary=None) -> None:
    """Set ``translations`` (ids of the other-language versions) on records, in place.

    Duplicates (``duplicate_of``) are left out; links from an earlier run are replaced.
    """
    given: dict[str, set[int]] = {}
    for record in records:
        record.pop("translations", None)
        concepts = record.pop(CONCEPTS_KEY, None)
        if concepts is not None:
            given[record["id"]] = set(concepts)
    buckets: dict[str | None, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: {"ko": [], "en": []})
    for record in records:
        if record.get("lang") in _LANGS and not record.get("duplicate_of"):
            buckets[record.get("date")][record["lang"]].append(record)
    candidates: list[tuple[float, str, str]] = []
    for date, sides in buckets.items():
        if not sides["ko"] or not sides["en"]:
            continue
        if date is None and len(sides["ko"]) * len(sides["en"]) > MAX_UNDATED_PAIRS:
            continue
        if glossary is None:
            from indexer.crosslingual.glossary import glossary as load

            glossary = load()
        features = {r["id"]: _features(r, glossary, given.get(r["id"])) for side in sides.values() for r in side}
        for ko in sides["ko"]:
            for en in sides["en"]:
                score = pair_score(features[ko["id"]], features[en["id"]])
                if score is not None:
                    candidates.append((score, ko["id"], en["id"]))
    by_id = {r["id"]: r for r in records}
    taken: set[str] = set()
    for score, ko_id, en_id in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if ko_id in taken or en_id in taken:
            continue
        taken.update((ko_id, en_id))
        by_id[ko_id]["translations"] = [en_id]
        by_id[en_id]["translations"] = [ko_id]
