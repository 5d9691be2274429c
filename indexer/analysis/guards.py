"""Input guards: control characters, lone surrogates and NFC normalisation.

``clean_text`` returns the text MeCab and the segmenters see, plus an offset map
back to the caller's original string (``None`` when offsets are unchanged).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# C0/C1 controls (incl. NUL, which silently cuts MeCab's input), lone surrogates,
# BOM / zero-width space and the two non-characters. Replaced 1:1 by a space so
# that offsets do not move.
_BAD_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u200b\u2028\u2029\ufeff\ufffe\uffff]")

# Hangul conjoining vowels/finals have combining class 0 but compose under NFC.
_JAMO_VT = (0x1160, 0x11FF)


@dataclass(frozen=True, slots=True)
class OffsetMap:
    """For each char of the cleaned text, its [start, end) span in the original."""

    starts: list[int]
    ends: list[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a cleaned-text span to the original text."""
        if end <= start:
            s = self.starts[start] if start < len(self.starts) else (self.ends[-1] if self.ends else 0)
            return s, s
        return self.starts[start], self.ends[end - 1]


def _continues(group: str, ch: str) -> bool:
    """True if ``ch`` may compose with the preceding group under NFC."""
    if unicodedata.combining(ch) or _JAMO_VT[0] <= ord(ch) <= _JAMO_VT[1]:
        return True
    if not group:
        return False
    joined = unicodedata.normalize("NFC", group + ch)
    return len(joined) < len(unicodedata.normalize("NFC", group)) + len(unicodedata.normalize("NFC", ch))


def _nfc_with_map(text: str) -> tuple[str, OffsetMap]:
    """NFC-normalise group by group, remembering where each output char came from."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    gstart = 0
    n = len(text)
    i = 1
    while gstart < n:
        i = gstart + 1
        while i < n and _continues(text[gstart:i], text[i]):
            i += 1
        norm = unicodedata.normalize("NFC", text[gstart:i])
        out.append(norm)
        starts.extend([gstart] * len(norm))
        ends.extend([i] * len(norm))
        gstart = i
    return "".join(out), OffsetMap(starts, ends)


def clean_text(text: str) -> tuple[str, OffsetMap | None]:
    """Replace control chars and lone surrogates by spaces and NFC-normalise.

    Returns ``(clean, offmap)``; ``offmap`` is ``None`` when every char of
    ``clean`` sits at the same offset in ``text``.
    """
    text = _BAD_CHARS.sub(" ", text)
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text, None
    return _nfc_with_map(text)
