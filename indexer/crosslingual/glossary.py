"""The bilingual policy glossary (``indexer/data/glossary.tsv``): Korean <-> English terms.

Each line is ``ko<TAB>en<TAB>domain``; a side may list variants separated by ``|``
(the first is the preferred form). Terms are matched on *analyzed* terms (the
index's own analyzer in query mode), so ``masks`` finds ``mask``, ``public
transportation`` finds ``public transport``, ``대중교통을`` finds ``대중교통`` and the
spaced ``기후 변화`` finds ``기후변화``.

Used by the query expansion (``search_api.query.expansion``), the translation linker
(``indexer.enrich.translations``) and ``policy-index glossary-propose``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from indexer.analysis.pipeline import direct_terms

GLOSSARY_FILE = Path(__file__).resolve().parent.parent / "data" / "glossary.tsv"
#: Longest glossary term, in analyzed terms.
MAX_TERMS = 6
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


@dataclass(frozen=True)
class Entry:
    """One concept: its Korean and English forms (preferred first) and its domain."""

    index: int
    ko: tuple[str, ...]
    en: tuple[str, ...]
    domain: str = ""

    def forms(self, lang: str) -> tuple[str, ...]:
        return self.ko if lang == "ko" else self.en


@dataclass(frozen=True)
class Match:
    """A glossary entry found at analyzed terms ``[start, end)``, on the ``lang`` side."""

    start: int
    end: int
    entry: Entry
    lang: str

    def translations(self) -> tuple[str, ...]:
        return self.entry.forms("en" if self.lang == "ko" else "ko")


def _analyzer():
    from indexer.index.schema import text_analyzer

    return text_analyzer()


class Glossary:
    """Entries, and a lookup from analyzed term sequences to the entries they name."""

    def __init__(self, entries: Iterable[Entry], analyzer=None):
        self.entries: list[Entry] = list(entries)
        self.analyzer = analyzer or _analyzer()
        self._query_terms = direct_terms(self.analyzer, mode="query")
        self.keys: dict[tuple[str, ...], list[tuple[Entry, str]]] = {}
        for entry in self.entries:
            for lang in ("ko", "en"):
                for form in entry.forms(lang):
                    for key in self.keys_of(form):
                        bucket = self.keys.setdefault(key, [])
                        if (entry, lang) not in bucket:
                            bucket.append((entry, lang))
        #: Terms a match can start with: the first term of every key, and every prefix of a
        #: one-term Hangul key (which :meth:`lookup` also reaches by joining terms), so
        #: :meth:`find` skips the other positions at once.
        self.starts: frozenset[str] = frozenset(
            {key[0] for key in self.keys}
            | {key[0][:end] for key in self.keys if len(key) == 1 and _HANGUL.search(key[0])
               for end in range(1, len(key[0]) + 1)})

    @classmethod
    def load(cls, path: Path | str = GLOSSARY_FILE, analyzer=None) -> "Glossary":
        entries = []
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < 2 or cols[0] == "ko":
                continue
            ko = tuple(v.strip() for v in cols[0].split("|") if v.strip())
            en = tuple(v.strip() for v in cols[1].split("|") if v.strip())
            if ko and en:
                entries.append(Entry(len(entries), ko, en, cols[2].strip() if len(cols) > 2 else ""))
        return cls(entries, analyzer)

    def terms(self, text: str) -> list[str]:
        """Analyzed query-mode terms of ``text``, one per position (the longest form)."""
        out: dict[int, str] = {}
        for token in self.analyzer(text, mode="query", positions=True):
            out.setdefault(token.pos, token.text)
        return list(out.values())

    def keys_of(self, form: str) -> set[tuple[str, ...]]:
        """Lookup keys of a glossary form: its analyzed terms (and, for Korean, unspaced)."""
        keys = set()
        terms = self.terms(form)
        if terms:
            keys.add(tuple(terms))
        if _HANGUL.search(form):
            joined = self.terms(form.replace(" ", ""))
            if joined:
                keys.add(tuple(joined))
            if len(terms) > 1 and all(_HANGUL.search(t) for t in terms):
                keys.add(("".join(terms),))
        return {k for k in keys if len(k) <= MAX_TERMS}

    def lookup(self, terms: Sequence[str]) -> list[tuple[Entry, str]]:
        """Entries (with the side that matched) named exactly by ``terms``."""
        found = self.keys.get(tuple(terms))
        if found:
            return found
        if len(terms) > 1 and all(_HANGUL.search(t) for t in terms):
            return self.keys.get(("".join(terms),), [])
        return []

    def find(self, terms: Sequence[str]) -> list[Match]:
        """Greedy longest matches over a sequence of analyzed terms."""
        matches: list[Match] = []
        starts = self.starts
        i = 0
        while i < len(terms):
            if terms[i] not in starts:  # no key begins here
                i += 1
                continue
            for size in range(min(MAX_TERMS, len(terms) - i), 0, -1):
                found = self.lookup(terms[i:i + size])
                if found:
                    matches.extend(Match(i, i + size, entry, lang) for entry, lang in found)
                    i += size
                    break
            else:
                i += 1
        return matches

    def concepts(self, text: str, lang: str | None = None) -> set[int]:
        """Indexes of the entries ``text`` names (only on the ``lang`` side, if given)."""
        if self._query_terms is not None:  # our analyzer: the same terms without a token stream
            terms = [term for term, _ in self._query_terms(text)]
        else:
            terms = [t.text for t in self.analyzer(text, mode="query")]
        return {m.entry.index for m in self.find(terms) if lang is None or m.lang == lang}


@lru_cache(maxsize=1)
def glossary() -> Glossary:
    """The process-wide glossary (loaded once)."""
    return Glossary.load()
