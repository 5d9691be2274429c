"""Line breaks between two Hangul syllables, and running headers and footers, of PDF text.

A PDF keeps no spaces at line ends, so a break between two Hangul syllables is either inside a
word (text wrapped by syllable, or justified) or between two words (wrapped at a space).
:func:`hangul_break_is_space` asks the morphological analyzer: Korean spacing puts a space after
a particle (조사, tags ``J*``) or an ending (어미, ``E*``) that is followed by a new word, so
``설립된|메트로폴리스의`` and ``설치되어|낮에는`` take a space, while ``환경오염|문제`` (two nouns
of a compound) and ``지속가|능한`` (one word) are joined as before.

:func:`drop_running_lines` removes a header or footer that repeats, its page number aside, at the
top or bottom of most pages ("Seoul Policy Sharing · 5"): it is not text of the page.
"""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)

#: Tags of a morpheme after which a new word starts (particles and endings).
_WORD_ENDING = ("J", "E")
#: Tags that continue the word before them (particles, endings, suffixes, copula, dependent nouns).
_CONTINUES = ("J", "E", "X", "VCP", "VCN", "NNB")
#: Lines looked at for a running header (top) and footer (bottom) of each page.
EDGE_LINES = 2


def hangul_break_is_space(before: str, after: str) -> bool:
    """Whether a line break between the word ``before`` and the word ``after`` separates two
    words (True) or splits one (False); False when the analyzer is not available."""
    try:
        from indexer.analysis.korean import parse_morphs

        morphs = parse_morphs(before + after)
    except Exception as exc:  # no MeCab: keep the syllable-wrap default (joined)
        log.debug("no Korean analyzer for line joins: %s", exc)
        return False
    joint = len(before)
    left = [m for m in morphs if m[2] == joint]
    right = [m for m in morphs if m[1] == joint]
    if not left or not right:
        return False  # the analyzer reads one morpheme across the break: one word
    # a compound tag ("XSV+ETM": 된 of 설립된) ends as its last part and starts as its first
    left_tag, right_tag = left[-1][3].split("+")[-1], right[0][3].split("+")[0]
    return left_tag.startswith(_WORD_ENDING) and not right_tag.startswith(_CONTINUES)


def _skeleton(line: str) -> str:
    """A line without digits and spaces: a running header whose page number changes stays the same."""
    return "".join(c for c in line if not c.isdigit() and not c.isspace())


def drop_running_lines(texts: list[str]) -> list[str]:
    """``texts`` (one per page) without the lines that repeat at the top or bottom of most pages.

    A line is running when, digits and spaces ignored, it is among the first or last
    :data:`EDGE_LINES` non-empty lines of at least half the pages (and of two pages at least);
    a page that would keep no line keeps them all.
    """
    if len(texts) < 2:
        return texts
    seen: dict[str, int] = {}
    for text in texts:
        lines = [line for line in text.split("\n") if line.strip()]
        edges = {_skeleton(line) for line in lines[:EDGE_LINES] + lines[-EDGE_LINES:]}
        for skeleton in edges - {""}:
            seen[skeleton] = seen.get(skeleton, 0) + 1
    running = {s for s, n in seen.items() if n >= max(2, (len(texts) + 1) // 2)}
    if not running:
        return texts
    out = []
    for text in texts:
        lines = text.split("\n")
        kept_idx = [i for i, line in enumerate(lines) if line.strip()]
        edge = set(kept_idx[:EDGE_LINES] + kept_idx[-EDGE_LINES:])
        kept = [line for i, line in enumerate(lines) if not (i in edge and _skeleton(line) in running)]
        # a page made only of repeated lines (pages alike) is its own text: keep it whole
        out.append("\n".join(kept).strip() if any(line.strip() for line in kept) else text)
    return out
