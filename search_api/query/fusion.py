"""Fusing the lexical leg (words) with the semantic leg (meaning) into one result set and one ranking.

Membership: a record is in the result set when its words match (the lexical mask) or when
its meaning stands out from the rest of the index for this query: its best-chunk cosine is
at least :data:`Z_ENTER` robust standard deviations above the median over all records and
at most :data:`Z_MARGIN` below the best record (median and MAD of this query's scores: the
floor adapts to each query and to the encoder's cosine band, never a fixed threshold).
When the words match nothing in the query's own language (a Korean question over English
records, a typo, words the archive lacks), meaning is the only leg that reads the query:
its :data:`NEAREST_K` closest records join too, as a k-nearest-neighbour clause does in
Elasticsearch's hybrid search, so hybrid answers where meaning alone would; only those
above :data:`Z_BASE`, where the meaning part of a score starts above 0 (on a handful of
records the k nearest would be all of them).
Filters and facet counts then apply to this one set, so ``total`` counts what is listed.

Ranking: ``lexical / best lexical + weight * meaning``, where meaning is the calibrated
score scaled to [0, 1] between :data:`Z_BASE` and the query's best record, or :data:`Z_ENTER`
when no record stands out that far: a query whose best record by meaning barely rises above
the rest has a meaning leg that knows little, and it must not outweigh what the words found
(a best record at z = 2.1 would otherwise add the full weight of meaning). Rank fusion
(RRF) would let a weak leg's order pull down what words already find; scores keep each
leg's confidence. The weight of meaning depends on

* the lexical leg's confidence: every word matched (``strict``), only some (``relaxed``),
  or nothing (meaning alone ranks). Within the query's language a relaxed match weighs
  meaning no more than a strict one: a question asked in a whole sentence never has all its
  words in one document, so "relaxed" there is no sign that the words failed;
* the record's language against the query's: words cross languages only through the
  glossary and city names, so meaning weighs more on a record in the other language;
  when the words match no record in the query's language (``foreign``), what they match
  are names and glossary terms across languages: meaning leads and the words break ties.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from search_api.query.semantic import SemanticScores

#: Robust z-score from which a record enters the result set by meaning alone.
Z_ENTER = 4.0
#: A meaning-only record is at most this many robust standard deviations below the query's best.
Z_MARGIN = 2.0
#: Robust z-score at which the meaning part of a score starts above 0.
Z_BASE = 2.0
#: Records ``mode=semantic`` answers with: the closest in meaning, whatever their cosine.
SEMANTIC_TOP_K = 100
#: Smallest robust spread of the cosines (a tiny index has too few records to measure it).
MIN_SPREAD = 0.02
#: Weight of meaning against the words' best score (1.0): lexical confidence x same / other language.
WEIGHTS = {
    "strict": {"same": 0.3, "other": 1.0},
    "relaxed": {"same": 0.3, "other": 3.0},
    "foreign": {"same": 5.0, "other": 5.0},
}
#: Records closest in meaning that join hybrid results when the words match nothing in the
#: query's language (a kNN clause's ``k``: one page of results).
NEAREST_K = 10
#: Weight of the raw cosine in a fused score: orders meaning-only records below the floor's
#: base by closeness instead of index order, too small to reorder anything else.
COSINE_TIE_BREAK = 1e-6

WORDS, MEANING, BOTH = 1, 2, 3
MATCH_NAMES = {WORDS: "words", MEANING: "meaning", BOTH: "both"}
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LATIN = re.compile(r"[A-Za-z]")


def text_lang(text: str) -> str:
    """``ko`` when a text has more Hangul than Latin letters, else ``en``."""
    return "ko" if len(_HANGUL.findall(text)) >= len(_LATIN.findall(text)) and _HANGUL.search(text) else "en"


@dataclass
class Fused:
    """The fused result set, its scores and why each record is in it (0, WORDS, MEANING, BOTH)."""

    mask: np.ndarray
    scores: np.ndarray
    match: np.ndarray
    #: Per document, the row of its best chunk (-1 where none).
    best_chunk: np.ndarray


def calibrate(semantic: SemanticScores, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Robust z-scores of the cosines over ``allowed`` records, and the meaning-entry mask."""
    cos = semantic.scores
    valid = allowed & (cos > -1.0)
    z = np.full(len(cos), -np.inf, dtype=np.float64)
    if not valid.any():
        return z, np.zeros(len(cos), dtype=bool)
    values = cos[valid].astype(np.float64)
    median = float(np.median(values))
    spread = max(1.4826 * float(np.median(np.abs(values - median))), MIN_SPREAD)
    z[valid] = (values - median) / spread
    enter = valid & (z >= max(Z_ENTER, float(z[valid].max()) - Z_MARGIN))
    return z, enter


def fuse(lex_mask: np.ndarray, lex_scores: np.ndarray | None, semantic: SemanticScores,
         allowed: np.ndarray, same_lang: np.ndarray, relaxed: bool,
         filtered: np.ndarray | None = None) -> Fused:
    """Hybrid result set and scores (see the module docstring).

    ``allowed``: live canonical records (the population the floor is measured on);
    ``same_lang``: records in the query's language; ``filtered``: the allowed records that
    pass the query's filters (the nearest records are also taken among them).
    """
    z, enter = calibrate(semantic, allowed)
    words = lex_mask & allowed
    foreign = not (words & same_lang).any()
    if foreign:  # meaning is the only leg that reads the query: its nearest records join
        nearest = _top(semantic.scores, allowed, NEAREST_K)
        if filtered is not None:
            nearest |= _top(semantic.scores, filtered, NEAREST_K)
        enter = enter | (nearest & (z >= Z_BASE))
    mask = words | enter
    scores = np.zeros(len(lex_mask), dtype=np.float64)
    if lex_scores is not None and words.any():
        best = float(lex_scores[words].max())
        if best > 0:
            scores[words] = lex_scores[words] / best
    finite = np.isfinite(z)
    if finite.any():
        z_top = float(z[finite].max())
        meaning = np.zeros(len(z))
        meaning[finite] = np.clip((z[finite] - Z_BASE) / (max(z_top, Z_ENTER) - Z_BASE), 0.0, 1.0)
        weights = WEIGHTS["foreign" if foreign else "relaxed" if relaxed else "strict"]
        weight = np.where(same_lang, weights["same"], weights["other"])
        scores += weight * meaning
        scores[enter] += COSINE_TIE_BREAK * semantic.scores[enter]
    match = np.zeros(len(lex_mask), dtype=np.int8)
    match[words] = WORDS
    match[enter] = MEANING
    match[words & enter] = BOTH
    return Fused(mask, scores, match, semantic.best_chunk)


def semantic_only(semantic: SemanticScores, allowed: np.ndarray, filtered: np.ndarray | None = None,
                  k: int = SEMANTIC_TOP_K) -> Fused:
    """``mode=semantic``: the ``k`` records closest in meaning, ranked by cosine, always (the
    floor of hybrid search does not apply: meaning is all there is); with filters, also the
    ``k`` closest among the ``filtered`` records, so a filter never empties the page."""
    enter = _top(semantic.scores, allowed, k)
    if filtered is not None:
        enter |= _top(semantic.scores, filtered, k)
    scores = np.where(enter, semantic.scores, 0.0).astype(np.float64)
    match = np.where(enter, MEANING, 0).astype(np.int8)
    return Fused(enter, scores, match, semantic.best_chunk)


def _top(cos: np.ndarray, allowed: np.ndarray, k: int) -> np.ndarray:
    """Mask of the ``k`` best cosines among ``allowed`` records that have a vector."""
    candidates = np.flatnonzero(allowed & (cos > -1.0))
    mask = np.zeros(len(cos), dtype=bool)
    if len(candidates) > k:
        candidates = candidates[np.argpartition(-cos[candidates], k - 1)[:k]]
    mask[candidates] = True
    return mask
