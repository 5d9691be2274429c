"""Topics from the bilingual taxonomy in indexer/data/topics.json."""
from __future__ import annotations

from functools import lru_cache

from indexer.enrich.keywords import KeywordScorer, pick


@lru_cache(maxsize=1)
def taxonomy() -> KeywordScorer:
    """The topic taxonomy (labels in English and Korean, and keywords)."""
    return KeywordScorer.from_file("topics.json")


def topics_for(title: str, body: str) -> list[str]:
    """Taxonomy keys a record speaks to; any record with text gets its best topic at least."""
    return pick(taxonomy().scores(title, body), minimum=4, share=0.3, limit=5, keep_best=True)
