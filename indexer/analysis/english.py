"""English (Latin-script) segmenter: words, lowercase, stop words, Snowball stemming.

Acronyms (``SDG``, ``ODA``, ``ICT``, ``IT``, ``US``; plural ``SDGs``) are kept whole:
lowercased but never stopped or stemmed, so ``ODA`` is not lost and ``IT`` is not
dropped as the stop word "it".
"""
from __future__ import annotations

import re
import threading

import Stemmer

from .other import char_bigrams
from .shared import once
from .script import LATIN

MAX_WORD = 64

# Snowball's English stop list, trimmed of words that carry meaning in policy text.
STOP_WORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further
had has have having he her here hers herself him himself his how i if in into is it its itself
just me more most my myself no nor not now of off on once only or other our ours ourselves out
over own same she should so some such than that the their theirs them themselves then there
these they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours yourself yourselves
s t d ll m re ve
""".split())

_WORD_RE = re.compile(rf"[{LATIN}]+|\d+")
_ACRONYM_RE = re.compile(r"[A-Z]{2,}(?:s)?\Z")

_local = threading.local()


def _stemmer() -> Stemmer.Stemmer:
    st = getattr(_local, "stemmer", None)
    if st is None:
        st = _local.stemmer = Stemmer.Stemmer("english")
    return st


def is_acronym(word: str) -> bool:
    """``SDG``, ``ODA``, ``SDGs`` -> True; ``Seoul``, ``A`` -> False."""
    return _ACRONYM_RE.match(word) is not None


class EnglishSegmenter:
    """Turns a Latin run into index terms: ``(term, start, end)`` tuples."""

    def __init__(self, stem: bool = True, stopwords: frozenset[str] = STOP_WORDS):
        self.stem = stem
        self.stopwords = stopwords

    def segment(self, text: str) -> list[tuple[str, int, int]]:
        """Split, lowercase, drop stop words and stem ``text``; offsets relative to it (once per
        text inside :func:`indexer.analysis.shared.shared_analysis`)."""
        return once(("english", self.stem, id(self.stopwords)), text, self._segment)

    def _segment(self, text: str) -> list[tuple[str, int, int]]:
        words: list[tuple[str, int, int]] = []
        plain: list[int] = []  # indices of words to stem
        stop = self.stopwords
        for m in _WORD_RE.finditer(text):
            w = m.group()
            if len(w) > MAX_WORD:  # e.g. a pasted hash or base64: bigrams, never a giant term
                words.extend((t.lower(), m.start() + a, m.start() + b) for t, a, b in char_bigrams(w, 0, len(w)))
                continue
            if w[0].isdigit():
                words.append((w, m.start(), m.end()))
                continue
            if len(w) > 1 and w[1].isupper() and is_acronym(w):
                if w[-1] == "s":
                    w = w[:-1]
                words.append((w.lower(), m.start(), m.end()))
                continue
            lw = w.lower()
            if lw in stop:
                continue
            plain.append(len(words))
            words.append((lw, m.start(), m.end()))
        if self.stem and plain:
            stems = _stemmer().stemWords([words[i][0] for i in plain])
            for i, s in zip(plain, stems):
                _, a, b = words[i]
                words[i] = (s, a, b)
        return words
