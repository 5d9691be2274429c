"""Record language from the scripts of its paragraphs: ko, en, or mixed."""
from __future__ import annotations

import re

_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_LATIN = re.compile(r"[A-Za-z]")
#: A paragraph counts for a language when it has at least this many letters of its script.
MIN_PARAGRAPH_LETTERS = 20


def detect_language(title: str, body: str) -> str:
    """``ko`` or ``en`` by majority script; ``mixed`` when paragraphs of both stand in it."""
    paragraphs = [p for p in re.split(r"\n\s*\n", f"{title}\n\n{body}") if p.strip()]
    korean = english = 0
    for paragraph in paragraphs:
        hangul, latin = len(_HANGUL.findall(paragraph)), len(_LATIN.findall(paragraph))
        # a Hangul syllable carries about three Latin letters' worth of text
        if hangul * 3 >= latin and hangul >= MIN_PARAGRAPH_LETTERS // 2:
            korean += 1
        elif latin >= MIN_PARAGRAPH_LETTERS:
            english += 1
    if korean and english:
        return "mixed"
    if korean:
        return "ko"
    if english:
        return "en"
    text = f"{title} {body}"
    return "ko" if len(_HANGUL.findall(text)) * 3 >= len(_LATIN.findall(text)) and _HANGUL.search(text) else "en"
