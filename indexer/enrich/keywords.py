"""Bilingual keyword scoring shared by the topic and SDG taggers."""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import Stemmer

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’-]*|\d+")
_HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]+")
_stemmer = Stemmer.Stemmer("english")

#: Occurrences of one keyword counted at most this many times.
MAX_HITS_PER_KEYWORD = 3
#: Longest keyword phrase, in words.
MAX_PHRASE = 4
TITLE_WEIGHT = 2


def english_stems(text: str) -> list[str]:
    """Lowercased Snowball stems of the Latin words of ``text``; acronyms keep a marker."""
    words = _WORD.findall(text)
    plain = [i for i, w in enumerate(words) if not (w.isupper() and len(w) > 1)]
    for i, stem in zip(plain, _stemmer.stemWords([words[i].lower().replace("’", "'") for i in plain])):
        words[i] = stem
    return words


@dataclass(frozen=True)
class Keyword:
    stems: tuple[str, ...]
    korean: str | None = None


class KeywordScorer:
    """Scores texts against labelled keyword lists (English stems, Korean substrings)."""

    def __init__(self, entries: dict[str, dict]):
        self.labels = {key: (value["en"], value["ko"]) for key, value in entries.items()}
        self.keywords: dict[str, list[Keyword]] = {}
        for key, value in entries.items():
            kws = [Keyword(tuple(english_stems(k))) for k in value.get("keywords_en", [])]
            kws += [Keyword((), korean=k) for k in value.get("keywords_ko", [])]
            self.keywords[key] = [k for k in kws if (k.stems and len(k.stems) <= MAX_PHRASE) or k.korean]
        # flat lists of every Korean keyword and every English stem sequence, with their key
        flat = [(key, kw) for key, kws in self.keywords.items() for kw in kws]
        self._korean = [kw.korean for _, kw in flat if kw.korean]
        self._korean_keys = [key for key, kw in flat if kw.korean]
        self._stems = [kw.stems for _, kw in flat if not kw.korean]
        self._stem_keys = [key for key, kw in flat if not kw.korean]

    @classmethod
    def from_file(cls, name: str) -> "KeywordScorer":
        data = json.loads((DATA_DIR / name).read_text(encoding="utf-8"))
        return cls({k: v for k, v in data.items() if not k.startswith("_")})

    def scores(self, title: str, body: str) -> Counter[str]:
        """Weighted keyword hits per key; title hits count double."""
        total: Counter[str] = Counter()
        for text, weight in ((title, TITLE_WEIGHT), (body, 1)):
            grams, hangul = _profile(text)
            found = Counter()
            if hangul:
                for key, n in zip(self._korean_keys, map(hangul.count, self._korean)):
                    if n:
                        found[key] += min(n, MAX_HITS_PER_KEYWORD)
            if grams:
                for key, n in zip(self._stem_keys, map(grams.get, self._stems)):
                    if n:
                        found[key] += min(n, MAX_HITS_PER_KEYWORD)
            for key in self.keywords:  # in key order, as the counts were always added
                if found[key]:
                    total[key] += found[key] * weight
        return total


@lru_cache(maxsize=16)
def _profile(text: str) -> tuple[Counter, str]:
    """Counts of the text's stem n-grams (n = 1..MAX_PHRASE) and its Hangul runs; shared by scorers."""
    stems = english_stems(text)
    grams: Counter = Counter()
    for size in range(1, MAX_PHRASE + 1):
        grams.update(zip(*(stems[i:] for i in range(size))))
    return grams, " ".join(_HANGUL_RUN.findall(text))


def pick(scores: Counter[str], minimum: int, share: float, limit: int, keep_best: bool) -> list[str]:
    """Keys scoring at least ``minimum`` and ``share`` of the best, best first."""
    if not scores:
        return []
    ranked = scores.most_common()
    best = ranked[0][1]
    chosen = [key for key, score in ranked if score >= minimum and score >= share * best][:limit]
    if not chosen and keep_best:
        chosen = [ranked[0][0]]
    return chosen
