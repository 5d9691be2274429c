"""Facet labels in the interface language (``en`` or ``ko``)."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from indexer.enrich.keywords import KeywordScorer

UI_LANGS = ("en", "ko")
LANG_LABELS = {"en": ("English", "영어"), "ko": ("Korean", "한국어"), "mixed": ("Mixed", "혼합")}
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
