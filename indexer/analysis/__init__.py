"""Korean + English analysis for the policy index (Whoosh 2.7).

Pipeline (``tokenizer | filters``, like ``whoosh.analysis``)::

    ScriptRunTokenizer()      # guards: control chars/surrogates -> space, NFC (offsets kept);
                              # then one token per script run (hangul/latin/han/kana/number/other)
    | KoreanFilter()          # Hangul -> MeCab content morphemes, compounds both ways
    | EnglishFilter()         # Latin -> lowercase, stop words, Snowball stem; acronyms kept
    | OtherScriptFilter()     # Han/kana bigrams, numbers, other words
    | PositionFilter()        # positions (compound parts share one), offsets -> original text

Intended schema (see ``schema_fields()``)::

    title        = TEXT(analyzer=policy_analyzer(), field_boost=2.0, stored=True)
    body         = TEXT(analyzer=policy_analyzer(), stored=True)      # phrase + highlight
    title_bigram = TEXT(analyzer=hangul_bigram_analyzer(), phrase=False, field_boost=0.5)
    body_bigram  = TEXT(analyzer=hangul_bigram_analyzer(), phrase=False, field_boost=0.25)

Index the same text into ``x`` and ``x_bigram``. Search with BM25F (see
``BM25_PARAMS``) and a bag-of-words query: ``build_query(text, searcher.schema)``
analyses the text with each field's analyzer and ORs the terms over all four fields,
so morpheme matches rank first and Hangul bigrams only add recall.
"""
from __future__ import annotations

from whoosh.analysis import CompositeAnalyzer

from .pipeline import (EnglishFilter, HangulBigramFilter, KoreanFilter, OtherScriptFilter,
                       PositionFilter, ScriptRunTokenizer)
from .search import BM25_PARAMS, FIELD_BOOSTS, build_query, schema_fields

__all__ = ["policy_analyzer", "hangul_bigram_analyzer", "schema_fields", "build_query",
           "BM25_PARAMS", "FIELD_BOOSTS"]


def policy_analyzer(userdict_path: str | None = None) -> CompositeAnalyzer:
    """The Whoosh analyzer for text fields (title/body): morphemes, words, positions, offsets."""
    return (ScriptRunTokenizer() | KoreanFilter(userdict_path) | EnglishFilter()
            | OtherScriptFilter() | PositionFilter())


def hangul_bigram_analyzer() -> CompositeAnalyzer:
    """Hangul character bigrams only, for the secondary ``*_bigram`` fields."""
    return ScriptRunTokenizer() | HangulBigramFilter() | PositionFilter()
