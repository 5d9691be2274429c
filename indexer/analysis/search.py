"""Schema fields, BM25F parameters and query building for the analyzers of this package."""
from __future__ import annotations

from whoosh import fields, query
from whoosh.scoring import BM25F

#: BM25F parameters used by bench/bench_relevance.py.
BM25_PARAMS = {"B": 0.75, "K1": 0.9}
#: Field boosts: morpheme fields first, bigram fields only add recall.
FIELD_BOOSTS = {"title": 2.0, "body": 1.0, "title_bigram": 0.5, "body_bigram": 0.25}
BIGRAM_SUFFIX = "_bigram"


def schema_fields(stored: bool = True) -> dict[str, fields.FieldType]:
    """The four text fields (``title``, ``body`` and their ``*_bigram`` twins) for a Schema."""
    from . import hangul_bigram_analyzer, policy_analyzer

    ana, big = policy_analyzer(), hangul_bigram_analyzer()
    return {
        "title": fields.TEXT(analyzer=ana, stored=stored, field_boost=FIELD_BOOSTS["title"]),
        "body": fields.TEXT(analyzer=ana, stored=stored, field_boost=FIELD_BOOSTS["body"]),
        "title_bigram": fields.TEXT(analyzer=big, phrase=False, field_boost=FIELD_BOOSTS["title_bigram"]),
        "body_bigram": fields.TEXT(analyzer=big, phrase=False, field_boost=FIELD_BOOSTS["body_bigram"]),
    }


def weighting() -> BM25F:
    """The BM25F scorer for the schema."""
    return BM25F(**BM25_PARAMS)


def build_query(text: str, schema: fields.Schema, fieldnames: list[str] | None = None) -> query.Query:
    """Bag-of-words query: each field's analyzer (query mode) on ``text``, ORed over fields."""
    names = fieldnames or [n for n in ("title", "body", "title_bigram", "body_bigram") if n in schema]
    terms: list[query.Query] = []
    for name in names:
        seen: set[str] = set()
        for t in schema[name].analyzer(text, mode="query"):
            if t.text not in seen:
                seen.add(t.text)
                terms.append(query.Term(name, t.text))
    return query.Or(terms) if terms else query.NullQuery
