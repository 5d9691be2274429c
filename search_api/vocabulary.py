"""A generation's suggestion vocabulary, memory-mapped: known words, completions, respellings, titles.

The indexer writes it beside the generation (:mod:`indexer.index.vocabulary`, which describes
the files); :meth:`Vocabulary.open` maps it once per generation, so every worker shares its
pages through the page cache and none builds it. A generation written before those files
existed gets the same arrays built in memory at its opening, from its stored records.
"""
from __future__ import annotations

import bisect
import heapq
import json
import logging
import mmap
from collections import Counter
from pathlib import Path
from typing import Iterator, Mapping

import numpy as np

from indexer.index.postings import DERIVED
from indexer.index.vocabulary import (ARRAYS, BLOBS, MAX_SPELL_CHARS, MAX_WORDS, MIN_COUNT, VOCABULARY_META,
                                      deletions, key_hash, read_vocabulary, vocabulary_arrays)

log = logging.getLogger(__name__)

#: Title ids a completion looks at, at most (titles that repeat one another are skipped).
MAX_TITLE_LOOKS = 1_000


class Packed:
    """Strings packed as one UTF-8 blob (bytes or a read-only mmap) with int64 offsets ``[n+1]``."""

    def __init__(self, blob: bytes | mmap.mmap, ptr: np.ndarray):
        self.blob = blob
        self.ptr = ptr

    def __len__(self) -> int:
        return len(self.ptr) - 1

    def __getitem__(self, i: int) -> bytes:
        return self.blob[int(self.ptr[i]):int(self.ptr[i + 1])]

    def text(self, i: int) -> str:
        return self[i].decode("utf-8")

    def find(self, btext: bytes) -> int | None:
        """Id of ``btext`` in these sorted strings, or None."""
        i = bisect.bisect_left(self, btext)
        return i if i < len(self) and self[i] == btext else None

    def prefix_range(self, prefix: bytes) -> tuple[int, int]:
        """Ids ``[lo, hi)`` of the sorted strings starting with ``prefix`` (UTF-8 never holds 0xFF)."""
        return bisect.bisect_left(self, prefix), bisect.bisect_left(self, prefix + b"\xff")

    def owner(self, position: int) -> int:
        """Id of the string holding byte ``position`` of the blob."""
        return int(np.searchsorted(self.ptr, position, side="right")) - 1


class SpellKeys:
    """The speller's sorted key hashes: ``key in keys`` says whether a word or deletion is filed."""

    def __init__(self, keys: np.ndarray, ptr: np.ndarray, words: np.ndarray):
        self.keys, self.ptr, self.words = keys, ptr, words

    def __contains__(self, key: str) -> bool:
        wanted = key_hash(key)
        i = int(np.searchsorted(self.keys, np.uint64(wanted)))
        return i < len(self.keys) and int(self.keys[i]) == wanted

    def lookup(self, keys: set[str]) -> np.ndarray:
        """Ids of the terms filed under any of ``keys`` (a hash collision adds a few; callers confirm)."""
        if not len(self.keys):
            return np.zeros(0, dtype=np.int32)
        hashes = np.fromiter((key_hash(k) for k in keys), dtype=np.uint64, count=len(keys))
        lo = np.searchsorted(self.keys, hashes, side="left")
        hi = np.searchsorted(self.keys, hashes, side="right")
        hits = [(int(self.ptr[a]), int(self.ptr[b])) for a, b in zip(lo[hi > lo], hi[hi > lo])]
        if not hits:
            return np.zeros(0, dtype=np.int32)
        return np.unique(np.concatenate([self.words[a:b] for a, b in hits]))


class Vocabulary:
    """What one generation can complete and correct to, over its (memory-mapped) arrays."""

    def __init__(self, arrays: Mapping[str, np.ndarray | bytes | mmap.mmap]):
        self.terms = Packed(arrays["terms"], arrays["terms-ptr"])
        self.counts = arrays["counts"]
        self.rank = arrays["rank"]
        self.spell = SpellKeys(arrays["spell-keys"], arrays["spell-ptr"], arrays["spell-words"])
        self.titles = Packed(arrays["titles"], arrays["titles-ptr"])
        self.titles_lower = Packed(arrays["titles-lower"], arrays["titles-lower-ptr"])

    @classmethod
    def open(cls, generation_dir: Path, searcher, body: Mapping[str, np.ndarray] | None) -> "Vocabulary":
        """Map the generation's vocabulary files; build the arrays in memory when it has none
        (a generation written before them), from the stored records and ``body``'s postings arrays."""
        folder = Path(generation_dir) / DERIVED
        try:
            meta = json.loads((folder / VOCABULARY_META).read_text(encoding="utf-8"))
            if meta.get("doc_count") != searcher.doc_count_all():
                raise ValueError(f"vocabulary of {meta.get('doc_count')} documents, index has {searcher.doc_count_all()}")
            arrays: dict = {name: _map(folder / f"vocabulary-{name}.bin") for name in BLOBS}
            arrays.update({name: np.load(folder / f"vocabulary-{name}.npy", mmap_mode="r") for name in ARRAYS})
        except (OSError, ValueError, KeyError) as exc:
            log.warning("no usable vocabulary in %s (%s); building it in memory from the stored records", folder, exc)
            arrays = read_vocabulary(searcher.reader(), body)
        return cls(arrays)

    @classmethod
    def from_counts(cls, counts: Mapping[str, int], titles: list[str] = (), min_count: int = MIN_COUNT,
                    max_words: int = MAX_WORDS) -> "Vocabulary":
        """A vocabulary held in memory, from word counts and titles (tests, small tools)."""
        return cls(vocabulary_arrays(counts, list(titles), min_count, max_words))

    def count(self, word: str) -> int:
        """How often ``word`` (lowercase) was seen; 0 when it is unknown."""
        i = self.terms.find(word.encode("utf-8"))
        return 0 if i is None else int(self.counts[i])

    def __contains__(self, word: str) -> bool:
        return self.terms.find(word.encode("utf-8")) is not None

    def completions(self, prefix: str, n: int) -> list[str]:
        """The ``n`` most frequent terms that start with ``prefix`` and are longer than it."""
        lo, hi = self.terms.prefix_range(prefix.encode("utf-8"))
        if hi <= lo:
            return []
        ranks = np.asarray(self.rank[lo:hi])
        k = min(n + 1, len(ranks))
        best = np.argpartition(ranks, k - 1)[:k] if k < len(ranks) else np.arange(len(ranks))
        best = best[np.argsort(ranks[best])] + lo
        return [t for t in (self.terms.text(int(i)) for i in best) if t != prefix][:n]

    def correct(self, word: str, max_distance: int = 2) -> str | None:
        """The most frequent filed word within ``max_distance`` edits of ``word``, or None.

        Words longer than :data:`MAX_SPELL_CHARS` get None at once: the candidates of a word
        are at most about ``MAX_SPELL_CHARS ** 2 / 2`` short strings, whatever is asked.
        """
        if len(word) > MAX_SPELL_CHARS:
            return None
        keys = {word} | deletions(word)
        if max_distance > 1:
            keys |= {d for k in list(keys) for d in deletions(k)}
        scored = []
        for i in self.spell.lookup(keys).tolist():
            candidate = self.terms.text(i)
            if candidate != word:
                distance = edit_distance(word, candidate)
                if distance <= max_distance:
                    scored.append((distance, -int(self.counts[i]), candidate))
        return min(scored)[2] if scored else None

    def matching_titles(self, low: str) -> Iterator[str]:
        """Titles whose lowercase starts with ``low`` or holds it after a space, in document order:
        two ``find`` scans over the lowercase blob, at most :data:`MAX_TITLE_LOOKS` titles looked at."""
        needle = low.encode("utf-8")
        if not needle or b"\x00" in needle:
            return
        previous = -1
        ids = heapq.merge(self._title_ids(b"\x00" + needle), self._title_ids(b" " + needle))
        for looked, i in enumerate(ids):
            if looked >= MAX_TITLE_LOOKS:
                return
            if i != previous:
                previous = i
                yield self.titles.text(i)

    def _title_ids(self, pattern: bytes) -> Iterator[int]:
        blob, start = self.titles_lower.blob, 0
        while True:
            position = blob.find(pattern, start)
            if position < 0:
                return
            i = self.titles_lower.owner(position)
            yield i
            start = int(self.titles_lower.ptr[i + 1])  # the next title


class Speller:
    """Spelling correction by deletions (the SymSpell method) over a :class:`Vocabulary`.

    Every filed word is filed under itself and its one-character deletions; a misspelt word's
    deletions (up to two) meet them, and candidates are confirmed with a true edit distance.
    Words seen fewer than :attr:`MIN_COUNT` times are left out (they are as likely typos
    themselves); beyond the :attr:`MAX_WORDS` most frequent, rarer words are left out too.
    ``Speller(counts)`` builds one in memory; ``Speller.of(vocabulary)`` uses a generation's.
    """

    MIN_COUNT = MIN_COUNT
    MAX_WORDS = MAX_WORDS

    def __init__(self, counts: Counter | None = None, vocabulary: Vocabulary | None = None):
        self.vocabulary = vocabulary or Vocabulary.from_counts(counts or {}, (), self.MIN_COUNT, self.MAX_WORDS)
        self.index = self.vocabulary.spell

    @classmethod
    def of(cls, vocabulary: Vocabulary) -> "Speller":
        return cls(vocabulary=vocabulary)

    def correct(self, word: str, max_distance: int = 2) -> str | None:
        """See :meth:`Vocabulary.correct`."""
        return self.vocabulary.correct(word, max_distance)


def edit_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance (insert, delete, substitute, swap neighbours)."""
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


def _map(path: Path) -> mmap.mmap | bytes:
    """A read-only shared map of ``path`` (an empty file: empty bytes, which mmap refuses)."""
    with path.open("rb") as handle:
        if not path.stat().st_size:
            return b""
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
