"""Whoosh analysis pieces: a guarded script-run tokenizer and per-script filters.

``ScriptRunTokenizer`` cleans the text (guards) and yields one token per script
run; each segmenter filter replaces the runs of its script by terms; the final
``PositionFilter`` numbers positions and maps offsets back to the original text.
Tokens carry ``script`` (the run's script, ``"done"`` once segmented), ``stack``
(share the previous token's position) and ``offmap`` (guards' offset map).
"""
from __future__ import annotations

import re
from typing import Callable, Iterator

from whoosh.analysis import CompositeAnalyzer, Filter, Token, Tokenizer

from .english import EnglishSegmenter
from .guards import clean_text
from .korean import KoreanSegmenter
from .other import char_bigrams, other_word
from .script import RUN_RE, chunks, split_runs

DONE = "done"


class ScriptRunTokenizer(Tokenizer):
    """Guards (control chars, surrogates, NFC) then one token per script run."""

    def __eq__(self, other: object) -> bool:
        return self.__class__ is other.__class__

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "", **kwargs) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost, t.script, t.stack, t.offmap = 1.0, DONE, False, None
            t.pos, t.startchar, t.endchar = start_pos, start_char, start_char + len(value)
            t.start_pos, t.start_char = start_pos, start_char
            yield t
            return
        clean, offmap = clean_text(value)
        t.offmap, t.start_pos, t.start_char, t.boost, t.stopped = offmap, start_pos, start_char, 1.0, False
        for run in split_runs(clean):
            t.script, t.stack = run.script, False
            t.text, t.startchar, t.endchar = clean[run.start:run.end], run.start, run.end
            yield t


class _RunFilter(Filter):
    """Base: replace runs of ``self.scripts`` by ``self.terms(token)``; pass others on."""

    scripts: frozenset[str] = frozenset()

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def __eq__(self, other: object) -> bool:
        return self.__class__ is other.__class__ and self.__getstate__() == other.__getstate__()

    def terms(self, text: str, script: str, mode: str) -> list[tuple[str, int, int, bool]]:
        """The terms of one run ``text`` of ``script``: (term, start, end, stacked), offsets in ``text``."""
        raise NotImplementedError

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        scripts = self.scripts
        for t in tokens:
            if t.script not in scripts:
                yield t
                continue
            base = t.startchar
            for term, s, e, stack in self.terms(t.text, t.script, t.mode):
                t.text, t.startchar, t.endchar, t.stack, t.script = term, base + s, base + e, stack, DONE
                yield t


class KoreanFilter(_RunFilter):
    """Hangul runs -> MeCab content morphemes and compounds (see :mod:`.korean`).

    In ``mode="query"`` only the longest forms are emitted (``공유도시``, not also
    ``공유``/``도시``), unless ``query_parts`` is set.
    """

    scripts = frozenset({"hangul"})

    def __init__(self, userdict_path: str | None = None, query_parts: bool = False):
        self.userdict_path = userdict_path
        self.query_parts = query_parts
        self._seg = KoreanSegmenter(userdict_path)

    def __getstate__(self) -> dict:
        return {"userdict_path": self.userdict_path, "query_parts": self.query_parts}

    def __setstate__(self, state: dict) -> None:
        self.__init__(**state)

    def terms(self, text: str, script: str, mode: str) -> list[tuple[str, int, int, bool]]:
        expand = self.query_parts or mode != "query"
        if len(text) <= 2000:
            return self._seg.segment(text, expand)
        out: list[tuple[str, int, int, bool]] = []
        for a, b in chunks(text, 0, len(text)):
            out.extend((w, s + a, e + a, st) for w, s, e, st in self._seg.segment(text[a:b], expand))
        return out


class EnglishFilter(_RunFilter):
    """Latin runs -> lowercased, stopped, Snowball-stemmed words; acronyms kept."""

    scripts = frozenset({"latin"})

    def __init__(self, stem: bool = True):
        self.stem = stem
        self._seg = EnglishSegmenter(stem=stem)

    def __getstate__(self) -> dict:
        return {"stem": self.stem}

    def __setstate__(self, state: dict) -> None:
        self.__init__(**state)

    def terms(self, text: str, script: str, mode: str) -> list[tuple[str, int, int, bool]]:
        return [(w, s, e, False) for w, s, e in self._seg.segment(text)]


class OtherScriptFilter(_RunFilter):
    """Han/kana runs -> character bigrams; numbers as is; other letters as lowercased words."""

    scripts = frozenset({"han", "kana", "number", "other"})

    def terms(self, text: str, script: str, mode: str) -> list[tuple[str, int, int, bool]]:
        if script in ("han", "kana"):
            res = char_bigrams(text, 0, len(text))
        elif script == "number":
            res = [(text, 0, len(text))] if len(text) <= 32 else char_bigrams(text, 0, len(text))
        else:
            res = other_word(text, 0, len(text))
        return [(w, s, e, False) for w, s, e in res]


#: A word of Hangul letters: syllables, conjoining jamo, compatibility jamo.
_HANGUL_LETTERS = re.compile("[\uac00-\ud7a3\u1100-\u11ff\u3131-\u318e]+")


class HangulBigramFilter(_RunFilter):
    """Hangul runs -> character bigrams of each Hangul word (unigram for 1-char words).

    For a secondary, lower-weighted field beside the morpheme field: recovers matches
    that morphological analysis misses (inflected or mis-segmented words).
    """

    scripts = frozenset({"hangul"})

    def terms(self, text: str, script: str, mode: str) -> list[tuple[str, int, int, bool]]:
        out: list[tuple[str, int, int, bool]] = []
        for word in _HANGUL_LETTERS.finditer(text):
            out.extend((w, s, e, False) for w, s, e in char_bigrams(text, word.start(), word.end()))
        return out


class PositionFilter(Filter):
    """Number positions (stacked tokens share one) and map offsets to the original text."""

    def __eq__(self, other: object) -> bool:
        return self.__class__ is other.__class__

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        pos = None
        for t in tokens:
            if t.script != DONE:  # a run no filter handled: never index raw runs
                continue
            if t.positions:
                if pos is None:
                    pos = t.start_pos
                elif not t.stack:
                    pos += 1
                t.pos = pos
            if t.chars:
                s, e = t.startchar, t.endchar
                if t.offmap is not None:
                    s, e = t.offmap.span(s, e)
                t.startchar, t.endchar = s + t.start_char, e + t.start_char
            yield t


def direct_terms(analyzer: CompositeAnalyzer, mode: str = "index") -> Callable[[str], list[tuple[str, int]]] | None:
    """For an analyzer made of these pieces alone (tokenizer, run filters, positions), a function
    giving what ``analyzer(value, positions=True, mode=mode)`` yields as (term, position)
    pairs, without a token stream: each run goes straight to the first filter taking its
    script, as it does down the chain. None for any other analyzer."""
    items = list(getattr(analyzer, "items", ()))
    if (len(items) < 2 or type(items[0]) is not ScriptRunTokenizer or type(items[-1]) is not PositionFilter
            or not all(isinstance(f, _RunFilter) for f in items[1:-1])):
        return None
    by_script: dict[str, Callable[[str, str, str], list]] = {}
    for f in reversed(items[1:-1]):  # the first filter taking a script wins
        by_script.update(dict.fromkeys(f.scripts, f.terms))

    def terms(value: str) -> list[tuple[str, int]]:
        clean, _ = clean_text(value)
        out: list[tuple[str, int]] = []
        pos = -1
        for run in RUN_RE.finditer(clean):  # split_runs, without a Run for each
            script = run.lastgroup or "other"
            handle = by_script.get(script)
            if handle is None:  # a run no filter handles is never indexed
                continue
            for term, _s, _e, stack in handle(run.group(), script, mode):
                if not stack or pos < 0:
                    pos += 1
                out.append((term, pos))
        return out

    return terms


__all__ = ["ScriptRunTokenizer", "KoreanFilter", "EnglishFilter", "OtherScriptFilter",
           "HangulBigramFilter", "PositionFilter", "direct_terms"]
