"""The suggestion vocabulary of a generation: word counts, the speller's deletion index, titles.

Written once per generation into ``<generation>/derived/`` by :func:`write_vocabulary` (from
:func:`indexer.index.derived.write_derived`) and memory-mapped by every API worker
(:mod:`search_api.vocabulary`), so a worker holds none of it privately and a fresh
generation corrects and completes from its first query::

    vocabulary-terms.bin            UTF-8   the terms, sorted (code point order), concatenated
    vocabulary-terms-ptr.npy        int64   [T+1] start of each term in ``terms.bin``
    vocabulary-counts.npy           int64   [T]   occurrences of a Latin word (lowercased, in the
                                                  titles and the first 20,000 characters of the
                                                  bodies of the live records); documents of a
                                                  Hangul term of the body lexicon
    vocabulary-rank.npy             int32   [T]   place of each term in frequency order (0: most
                                                  frequent; ties in term order)
    vocabulary-spell-keys.npy       uint64  [K]   sorted 64-bit hashes (:func:`key_hash`) of the
                                                  filed words and their one-character deletions
    vocabulary-spell-ptr.npy        int64   [K+1] start of each key's term ids in ``spell-words``
    vocabulary-spell-words.npy      int32   [E]   ids of the terms filed under each key
    vocabulary-titles.bin           UTF-8   the titles of the live records, in document order
    vocabulary-titles-ptr.npy       int64   [R+1]
    vocabulary-titles-lower.bin     UTF-8   each title as NUL + ``title.lower()`` (NULs of the
                                                  title dropped), for prefix and word-start matching
    vocabulary-titles-lower-ptr.npy int64   [R+1] start of each entry (its NUL)

and ``vocabulary.json`` (format, document count, sizes and the bounds used). The speller files
only words of 3 to :data:`MAX_SPELL_CHARS` characters seen at least :data:`MIN_COUNT` times, the
:data:`MAX_WORDS` most frequent of them, so its index stays bounded however large the archive.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import Counter
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
from whoosh.reading import IndexReader

log = logging.getLogger(__name__)

VOCABULARY_META = "vocabulary.json"
FORMAT_VERSION = 1
#: Longest word the speller files or respells: longer words are no typos of an indexed word
#: (and a word's 2-deletions grow as its length squared: 2,000 letters would be 2 million strings).
MAX_SPELL_CHARS = 24
#: Words seen fewer times are not filed: they are as likely typos themselves.
MIN_COUNT = 2
#: The most frequent words filed (about ten keys a word), whatever the archive's size.
MAX_WORDS = 60_000
#: Characters of a body read for its Latin words.
BODY_CHARS = 20_000
#: Arrays (``.npy``) and blobs (``.bin``) of a vocabulary, by name.
BLOBS = ("terms", "titles", "titles-lower")
ARRAYS = ("terms-ptr", "counts", "rank", "spell-keys", "spell-ptr", "spell-words", "titles-ptr", "titles-lower-ptr")

_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_BATCH = 1000  # records whose texts are matched in one regular-expression pass


def deletions(word: str) -> set[str]:
    """The one-character deletions of ``word``."""
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def key_hash(key: str) -> int:
    """A stable 64-bit hash of a speller key (collisions only add candidates, which are confirmed)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")


def pack(strings: Iterable[str]) -> tuple[bytes, np.ndarray]:
    """``strings`` as one UTF-8 blob and the int64 offsets ``[n+1]`` of each."""
    encoded = [s.encode("utf-8") for s in strings]
    ptr = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=ptr[1:])
    return b"".join(encoded), ptr


def latin_counts(texts: Iterable[str]) -> Counter:
    """Occurrences of each Latin word (3+ letters, lowercased) in ``texts``, batched through one regex."""
    counts: Counter = Counter()
    batch: list[str] = []
    for text in texts:
        batch.append(text)
        if len(batch) >= _BATCH:
            counts.update(" ".join(_LATIN_WORD.findall(" ".join(batch))).lower().split())
            batch.clear()
    if batch:
        counts.update(" ".join(_LATIN_WORD.findall(" ".join(batch))).lower().split())
    return counts


def hangul_terms(vocab: np.ndarray, vocabptr: np.ndarray, indptr: np.ndarray) -> dict[str, int]:
    """Terms of 2+ characters holding a Hangul syllable, with their document frequency, from a
    field's postings arrays (:mod:`indexer.index.postings`: deleted documents count, as in Whoosh)."""
    vocab = np.asarray(vocab)
    if len(vocabptr) < 2:
        return {}
    lead = (vocab >= 0xEA) & (vocab <= 0xED)  # lead bytes of U+A000-U+DFFF, Hangul syllables among them
    seen = np.concatenate(([0], np.cumsum(lead, dtype=np.int64)))
    candidates = np.flatnonzero(seen[vocabptr[1:]] - seen[vocabptr[:-1]] > 0)
    frequency = np.diff(np.asarray(indptr))
    data = vocab.tobytes()
    out: dict[str, int] = {}
    for i in candidates.tolist():
        text = data[vocabptr[i]:vocabptr[i + 1]].decode("utf-8")
        if len(text) >= 2 and _HANGUL.search(text):
            out[text] = int(frequency[i])
    return out


def term_arrays(counts: Mapping[str, int]) -> tuple[dict[str, np.ndarray | bytes], list[str], np.ndarray]:
    """The sorted terms of ``counts``, their counts and frequency ranks; the terms as a list and
    their ids in frequency order."""
    words = sorted(counts)
    blob, ptr = pack(words)
    values = np.fromiter((counts[w] for w in words), dtype=np.int64, count=len(words))
    order = np.lexsort((np.arange(len(words)), -values))  # most frequent first, ties in term order
    rank = np.empty(len(words), dtype=np.int32)
    rank[order] = np.arange(len(words), dtype=np.int32)
    return {"terms": blob, "terms-ptr": ptr, "counts": values, "rank": rank}, words, order


def spell_arrays(words: list[str], counts: np.ndarray, order: np.ndarray, min_count: int = MIN_COUNT,
                 max_words: int = MAX_WORDS, max_chars: int = MAX_SPELL_CHARS) -> dict[str, np.ndarray]:
    """The deletion index (SymSpell) over the most frequent words: each filed under itself and its
    one-character deletions, as sorted key hashes with CSR lists of term ids."""
    keys: list[int] = []
    ids: list[int] = []
    filed = 0
    values = counts.tolist()
    for i in order.tolist():
        if values[i] < min_count or filed >= max_words:
            break
        word = words[i]
        if 2 < len(word) <= max_chars:
            filed += 1
            for key in {word} | deletions(word):
                keys.append(key_hash(key))
                ids.append(i)
    hashes = np.asarray(keys, dtype=np.uint64)
    term_ids = np.asarray(ids, dtype=np.int32)
    by_key = np.lexsort((term_ids, hashes))
    hashes, term_ids = hashes[by_key], term_ids[by_key]
    unique, starts = np.unique(hashes, return_index=True)
    ptr = np.append(starts, len(hashes)).astype(np.int64)
    return {"spell-keys": unique.astype(np.uint64), "spell-ptr": ptr, "spell-words": term_ids}


def title_arrays(titles: list[str]) -> dict[str, np.ndarray | bytes]:
    """The titles packed as they are, and as NUL + lowercase for matching."""
    blob, ptr = pack(titles)
    lower, lower_ptr = pack("\x00" + t.replace("\x00", "").lower() for t in titles)
    return {"titles": blob, "titles-ptr": ptr, "titles-lower": lower, "titles-lower-ptr": lower_ptr}


def vocabulary_arrays(counts: Mapping[str, int], titles: list[str], min_count: int = MIN_COUNT,
                      max_words: int = MAX_WORDS) -> dict[str, np.ndarray | bytes]:
    """Every blob and array of a vocabulary (:data:`BLOBS`, :data:`ARRAYS`) from word counts and titles."""
    terms, words, order = term_arrays(counts)
    spell = spell_arrays(words, terms["counts"], order, min_count, max_words)
    return {**terms, **spell, **title_arrays(titles)}


def read_vocabulary(reader: IndexReader, body: Mapping[str, np.ndarray] | None) -> dict[str, np.ndarray | bytes]:
    """The vocabulary of an open Whoosh reader: one pass over its live stored records (titles and
    Latin words) and the Hangul terms of ``body``, the body field's postings arrays (None: no body)."""
    titles: list[str] = []

    def texts() -> Iterable[str]:
        for _, stored in reader.iter_docs():
            title = stored.get("title", "")
            titles.append(title)
            yield title
            yield stored.get("body", "")[:BODY_CHARS]

    counts = latin_counts(texts())
    if body is not None:
        for term, frequency in hangul_terms(body["vocab"], body["vocabptr"], body["indptr"]).items():
            counts[term] += frequency
    return vocabulary_arrays(counts, titles)


def write_vocabulary(reader: IndexReader, folder: Path, body: Mapping[str, np.ndarray] | None) -> dict:
    """Write the vocabulary of ``reader`` into ``folder``; return the metadata written."""
    arrays = read_vocabulary(reader, body)
    for name in BLOBS:
        (folder / f"vocabulary-{name}.bin").write_bytes(arrays[name])
    for name in ARRAYS:
        np.save(folder / f"vocabulary-{name}.npy", arrays[name])
    meta = {"format": FORMAT_VERSION, "doc_count": reader.doc_count_all(),
            "terms": int(len(arrays["counts"])), "spell_keys": int(len(arrays["spell-keys"])),
            "titles": int(len(arrays["titles-ptr"]) - 1),
            "bounds": {"min_count": MIN_COUNT, "max_words": MAX_WORDS, "max_spell_chars": MAX_SPELL_CHARS}}
    (folder / VOCABULARY_META).write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return meta
