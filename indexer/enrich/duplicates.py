"""Near-duplicate records (the same story on two pages), found with MinHash LSH (datasketch)."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
#: Estimated Jaccard similarity of word shingles above which two records tell the same story.
THRESHOLD = 0.5
SHINGLE = 3
MIN_SHINGLES = 8
_TOKEN = re.compile(r"[\w]+", re.UNICODE)


def _shingles(text: str) -> set[bytes]:
    tokens = _TOKEN.findall(text.lower())
    return {" ".join(tokens[i:i + SHINGLE]).encode("utf-8") for i in range(max(0, len(tokens) - SHINGLE + 1))}


#: Key under which extraction workers leave a record's MinHash values for :func:`link_duplicates`
#: (removed there: it never reaches the index).
SIGNATURE_KEY = "_minhash"


@lru_cache(maxsize=1)
def _template() -> MinHash:
    """A MinHash whose permutations every signature shares (datasketch would redraw them each time)."""
    return MinHash(num_perm=NUM_PERM, seed=1)


def _like_template(**kwargs: Any) -> MinHash:
    template = _template()
    return MinHash(num_perm=NUM_PERM, seed=1, permutations=template.permutations, scheme=template.scheme, **kwargs)


def _signature(shingles: set[bytes]) -> MinHash:
    sig = _like_template()
    sig.update_batch(list(shingles))
    return sig


def minhash_values(record: dict[str, Any]) -> np.ndarray | None:
    """The MinHash values of a record's word shingles, or None when it has too few to compare.

    Computed per record where records are enriched (in the extraction workers), so the
    serial :func:`link_duplicates` only inserts and queries.
    """
    shingles = _shingles(f"{record['title']} {record.get('body', '')}")
    if len(shingles) < MIN_SHINGLES:
        return None
    return _signature(shingles).hashvalues


def _canonical_key(record: dict[str, Any]) -> tuple:
    """The canonical copy: dated first, then the longest text, then the smallest id."""
    return (0 if record.get("date") else 1, -len(record.get("body", "")), record["id"])


@lru_cache(maxsize=1)
def band_ranges() -> list[tuple[int, int]]:
    """The LSH bands (``(start, end)`` slices of a signature) that datasketch's MinHashLSH picks
    for :data:`THRESHOLD` and :data:`NUM_PERM` (25 bands of 5 values)."""
    return [tuple(band) for band in MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM).hashranges]


#: Candidate pairs compared at once (bounds the temporary ``pairs x NUM_PERM`` comparison).
PAIR_BLOCK = 65536


def near_duplicates(signatures: np.ndarray, langs: np.ndarray) -> dict[int, list[int]]:
    """For each row of ``signatures`` (``(n, NUM_PERM)`` MinHash values), the other rows of its
    language whose estimated Jaccard similarity is at least :data:`THRESHOLD`, among the rows
    that share one of its bands (its MinHash LSH candidates, as ``MinHashLSH.query`` finds them).

    The bands of all rows are bucketed at once (one sort per band) instead of inserting and
    querying a hash table row by row: the serial step of a build that grows with the archive.
    """
    firsts: list[np.ndarray] = []
    seconds: list[np.ndarray] = []
    for lo, hi in band_ranges():
        band = np.ascontiguousarray(signatures[:, lo:hi]).view(np.dtype((np.void, signatures.itemsize * (hi - lo))))
        _, bucket, sizes = np.unique(band.ravel(), return_inverse=True, return_counts=True)
        bucket = bucket.ravel()
        shared = np.flatnonzero(sizes[bucket] > 1)
        if not len(shared):
            continue
        shared = shared[np.argsort(bucket[shared], kind="stable")]
        for members in np.split(shared, np.flatnonzero(np.diff(bucket[shared])) + 1):
            first, second = np.triu_indices(len(members), 1)
            firsts.append(members[first])
            seconds.append(members[second])
    if not firsts:
        return {}
    pairs = np.unique(np.stack([np.concatenate(firsts), np.concatenate(seconds)], axis=1), axis=0)
    pairs = pairs[langs[pairs[:, 0]] == langs[pairs[:, 1]]]
    neighbours: dict[int, list[int]] = {}
    for block in range(0, len(pairs), PAIR_BLOCK):
        part = pairs[block:block + PAIR_BLOCK]
        equal = np.count_nonzero(signatures[part[:, 0]] == signatures[part[:, 1]], axis=1)
        for a, b in part[equal / NUM_PERM >= THRESHOLD].tolist():
            neighbours.setdefault(a, []).append(b)
            neighbours.setdefault(b, []).append(a)
    return neighbours


def link_duplicates(records: list[dict[str, Any]]) -> None:
    """Set ``duplicates`` on each canonical record and ``duplicate_of`` on the others, in place.

    Only records of the same language are compared; links from an earlier run are replaced.
    A record and the records near it (:func:`near_duplicates`) form a group, in record order;
    a record already in a group starts none of its own.
    """
    rows: list[int] = []
    values: list[np.ndarray] = []
    for position, record in enumerate(records):
        record.pop("duplicates", None)
        record.pop("duplicate_of", None)
        signature = record.pop(SIGNATURE_KEY) if SIGNATURE_KEY in record else minhash_values(record)
        if signature is not None:
            rows.append(position)
            values.append(np.asarray(signature, dtype=np.uint64))
    if not rows:
        return
    langs = np.array([records[row]["lang"] for row in rows])
    neighbours = near_duplicates(np.stack(values), langs)
    seen: set[int] = set()
    for row in range(len(rows)):
        if row in seen:
            continue
        group = [row, *neighbours.get(row, ())]
        seen.update(group)
        if len(group) < 2:
            continue
        members = sorted((records[rows[g]] for g in group), key=_canonical_key)
        canonical, others = members[0], members[1:]
        canonical["duplicates"] = sorted(o["id"] for o in others)
        for other in others:
            other["duplicate_of"] = canonical["id"]
