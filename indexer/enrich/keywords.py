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
    return [w if (w.isupper() and len(w) > 1) else _stemmer.stemWord(w.lower().replace("’", "'")) for w in words]


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

    @classmethod
    def from_file(cls, name: str) -> "KeywordScorer":
        data = json.loads((DATA_DIR / name).read_text(encoding="utf-8"))
        return cls({k: v for k, v in data.items() if not k.startswith("_")})

    def scores(self, title: str, body: str) -> Counter[str]:
        """Weighted keyword hits per key; title hits count double."""
        total: Counter[str] = Counter()
        for text, weight in ((title, TITLE_WEIGHT), (body, 1)):
            grams, hangul = _profile(text)
            for key, keywords in self.keywords.items():
                hits = 0
                for kw in keywords:
                    n = hangul.count(kw.korean) if kw.korean else grams.get(kw.stems, 0)
                    hits += min(n, MAX_HITS_PER_KEYWORD)
                if hits:
                    total[key] += hits * weight
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
