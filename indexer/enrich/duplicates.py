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


def link_duplicates(records: list[dict[str, Any]]) -> None:
    """Set ``duplicates`` on each canonical record and ``duplicate_of`` on the others, in place.

    Only records of the same language are compared; links from an earlier run are replaced.
    """
    for record in records:
        record.pop("duplicates", None)
        record.pop("duplicate_of", None)
    signatures: dict[str, MinHash] = {}
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    by_id = {r["id"]: r for r in records}
    for record in records:
        values = record.pop(SIGNATURE_KEY) if SIGNATURE_KEY in record else minhash_values(record)
        if values is None:
            continue
        key = f"{record['lang']}\x1f{record['id']}"
        signatures[key] = _like_template(hashvalues=values)
        lsh.insert(key, signatures[key])
    seen: set[str] = set()
    for key, signature in signatures.items():
        if key in seen:
            continue
        lang = key.split("\x1f", 1)[0]
        group = [
            k for k in lsh.query(signature)
            if k.split("\x1f", 1)[0] == lang and signatures[k].jaccard(signature) >= THRESHOLD
        ]
        seen.update(group)
        if len(group) < 2:
            continue
        members = sorted((by_id[k.split("\x1f", 1)[1]] for k in group), key=_canonical_key)
        canonical, others = members[0], members[1:]
        canonical["duplicates"] = sorted(o["id"] for o in others)
        for other in others:
            other["duplicate_of"] = canonical["id"]
