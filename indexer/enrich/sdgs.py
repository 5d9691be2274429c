"""The Sustainable Development Goals a text speaks to."""
from __future__ import annotations

import re
from functools import lru_cache

from indexer.enrich.keywords import KeywordScorer, pick

_EXPLICIT = re.compile(r"\b(?:SDG|Goal)\s*#?\s*(\d{1,2})\b|지속가능발전목표\s*(\d{1,2})", re.IGNORECASE)


@lru_cache(maxsize=1)
def goals() -> KeywordScorer:
    """The 17 goals with their labels and keywords."""
    return KeywordScorer.from_file("sdgs.json")


def sdgs_for(title: str, body: str) -> list[int]:
    """Goal numbers named explicitly or supported by enough keyword evidence, in order."""
    explicit = {
        int(a or b) for a, b in _EXPLICIT.findall(f"{title}\n{body}") if 1 <= int(a or b) <= 17
    }
    inferred = pick(goals().scores(title, body), minimum=5, share=0.35, limit=4, keep_best=False)
    return sorted(explicit | {int(key) for key in inferred})
