"""Facet labels in the interface language (``en`` or ``ko``)."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from indexer.enrich.keywords import KeywordScorer

UI_LANGS = ("en", "ko")
LANG_LABELS = {"en": ("English", "영어"), "ko": ("Korean", "한국어"), "mixed": ("Korean & English", "한국어·영어")}
TYPE_LABELS = {
    "article": ("Article", "기사"),
    "brochure": ("Brochure", "브로슈어"),
    "about": ("About", "소개"),
    "listing": ("Listing", "목록"),
    "report": ("Report", "보고서"),
    "document": ("Document", "문서"),
}


@lru_cache(maxsize=2)
def _scorer_labels(name: str) -> dict[str, tuple[str, str]]:
    return KeywordScorer.from_file(name).labels


def facet_label(facet: str, value: Any, ui_lang: str, label_ko: str | None = None) -> str:
    """A human label for a facet value."""
    ko = ui_lang == "ko"
    if facet == "city":
        return (label_ko or str(value)) if ko else str(value)
    if facet == "topic":
        en_ko = _scorer_labels("topics.json").get(value)
    elif facet == "sdg":
        en_ko = _scorer_labels("sdgs.json").get(str(value))
        if en_ko:
            return f"SDG {value} · {en_ko[1] if ko else en_ko[0]}"
    elif facet == "lang":
        en_ko = LANG_LABELS.get(value)
    elif facet == "type":
        en_ko = TYPE_LABELS.get(value)
    else:
        return str(value)
    if not en_ko:
        return str(value)
    return en_ko[1] if ko else en_ko[0]


def facet_value(facet: str, given: str) -> str:
    """A facet value as a URL may give it: its id, or its English or Korean label, in any case.

    ``topic=Transport``, ``topic=교통`` and ``type=Brochure`` find what the ids ``transport`` and
    ``brochure`` find, as a city's name does whatever its case; anything else is kept as given.
    """
    wanted = given.strip().casefold()
    if facet == "topic":
        table = _scorer_labels("topics.json")
    elif facet == "lang":
        table = LANG_LABELS
    elif facet == "type":
        table = TYPE_LABELS
    else:
        return given
    for value, names in table.items():
        if wanted == str(value).casefold() or wanted in (n.casefold() for n in names):
            return value
    return given
