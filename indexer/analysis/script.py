"""Script detection: cut text into runs of one script for per-language segmenters.

Neutral characters (spaces, punctuation, digits) between two letters of the same
script stay inside that script's run, so a Korean sentence is one run for MeCab.
"""
from __future__ import annotations

import re
from typing import Iterator, NamedTuple

HANGUL = "\uac00-\ud7a3\u1100-\u11ff\u3131-\u318e\ua960-\ua97f\ud7b0-\ud7ff"
LATIN = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff\uff21-\uff3a\uff41-\uff5a"
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
KANA = "\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9d"
_NEUTRAL = r"[\W\d_]"

RUN_RE = re.compile(
    rf"(?P<hangul>[{HANGUL}](?:{_NEUTRAL}*[{HANGUL}])*)"
    rf"|(?P<latin>[{LATIN}](?:{_NEUTRAL}*[{LATIN}])*)"
    rf"|(?P<han>[{HAN}]+)"
    rf"|(?P<kana>[{KANA}]+)"
    r"|(?P<number>\d+)"
    r"|(?P<other>[^\W\d_]+)"
)

# Unspaced runs longer than this are cut before they reach a segmenter.
MAX_CHUNK = 2000


class Run(NamedTuple):
    """A span of one script: ``text[start:end]``."""

    script: str  # hangul | latin | han | kana | number | other
    start: int
    end: int


def split_runs(text: str) -> Iterator[Run]:
    """Yield the script runs of ``text`` in order."""
    for m in RUN_RE.finditer(text):
        yield Run(m.lastgroup or "other", m.start(), m.end())


def chunks(text: str, start: int, end: int, size: int = MAX_CHUNK) -> Iterator[tuple[int, int]]:
    """Cut ``text[start:end]`` into spans of at most ``size`` chars, at spaces when possible."""
    while end - start > size:
        cut = text.rfind(" ", start + 1, start + size + 1)
        if cut <= start:
            cut = start + size
        yield start, cut
        start = cut
    if end > start:
        yield start, end
