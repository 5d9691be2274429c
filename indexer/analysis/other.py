"""Segmenters for the remaining scripts: Han/kana bigrams, numbers, other words."""
from __future__ import annotations

#: Longest single token for space-delimited scripts; longer words become bigrams.
MAX_WORD = 32


def char_bigrams(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """Overlapping character bigrams of ``text[start:end]`` (one unigram if 1 char)."""
    if end - start == 1:
        return [(text[start:end], start, end)]
    return [(text[i:i + 2], i, i + 2) for i in range(start, end - 1)]


def other_word(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """A word of another script (Cyrillic, Greek, Thai...): lowercased, bigrams if long."""
    if end - start > MAX_WORD:
        return [(t.lower(), s, e) for t, s, e in char_bigrams(text, start, end)]
    return [(text[start:end].lower(), start, end)]
