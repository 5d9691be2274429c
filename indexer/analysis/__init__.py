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
so morpheme matches rank first and Hangul bigrams only add recall (a bigram such as
``유도`` inside ``공유도시`` scores only in the low-weighted bigram fields, so a document
with the word 유도 ranks above it). BM25F: ``B=0.75, K1=0.9``; field boosts in
``FIELD_BOOSTS`` (title 2, body 1, title_bigram 0.5, body_bigram 0.25).

Modes: at ``mode="index"`` a compound is emitted with its parts at one position
(``서울시`` + 서울 + 시; ``공유도시`` + 공유 + 도시); at ``mode="query"`` only the longest
form (so ``QueryParser`` phrases stay linear). Whoosh's ``Highlighter`` re-analyses
stored text in index mode; offsets refer to the original (un-normalised) string.

The user dictionary (``indexer/data/userdict.tsv``) is applied after MeCab (merge /
retag), since compiling a MeCab user dictionary needs ``mecab-dict-index``, which the
PyPI wheels do not ship. The MeCab tagger is never pickled: it is created lazily,
once per process (and thread), and re-created after ``fork``.
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
