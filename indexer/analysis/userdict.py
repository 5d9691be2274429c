"""User dictionary of policy terms, applied as post-processing on MeCab output.

Compiling a MeCab user dictionary needs ``mecab-dict-index``, which the PyPI wheels
do not ship, so entries of ``indexer/data/userdict.tsv`` are applied to the parsed
morphemes instead: consecutive morphemes of one word whose surfaces concatenate to
an entry are merged into one (tag and parts from the entry); a single morpheme
equal to an entry is retagged (e.g. ``공유`` NNP/인명 -> NNG).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "userdict.tsv"


@dataclass(frozen=True, slots=True)
class Entry:
    """One user-dictionary term."""

    surface: str
    tag: str
    parts: tuple[str, ...]  # empty when atomic


@dataclass(frozen=True, slots=True)
class UserDict:
    """Entries by surface, plus every proper prefix of a surface for quick rejection."""

    entries: dict[str, Entry]
    prefixes: frozenset[str]
    max_len: int


def parse_userdict(lines: list[str]) -> UserDict:
    """Build a :class:`UserDict` from TSV lines (``#`` comments and blanks ignored)."""
    entries: dict[str, Entry] = {}
    for lineno, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 2:
            log.warning("userdict line %d ignored: %r", lineno, line)
            continue
        surface, tag = cols[0].strip(), cols[1].strip()
        parts: tuple[str, ...] = ()
        if len(cols) > 2 and cols[2].strip() not in ("", "*"):
            parts = tuple(p for p in cols[2].strip().split("+") if p)
            if "".join(parts) != surface:
                log.warning("userdict line %d: parts do not spell %r; treated as atomic", lineno, surface)
                parts = ()
        entries[surface] = Entry(surface, tag, parts)
    prefixes = frozenset(s[:i] for s in entries for i in range(1, len(s)))
    return UserDict(entries, prefixes, max((len(s) for s in entries), default=0))


@lru_cache(maxsize=4)
def load_userdict(path: str | None = None) -> UserDict:
    """Load (and cache) the user dictionary at ``path`` (default: the packaged one)."""
    p = Path(path) if path else DEFAULT_PATH
    try:
        return parse_userdict(p.read_text(encoding="utf-8").splitlines())
    except FileNotFoundError:
        log.warning("user dictionary %s not found; continuing without it", p)
        return parse_userdict([])
