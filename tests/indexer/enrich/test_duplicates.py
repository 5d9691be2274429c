"""Near-duplicate links: the bands bucketed all at once find what datasketch's MinHashLSH finds."""
from __future__ import annotations

import random
import re
from pathlib import Path

import numpy as np
from datasketch import MinHashLSH

from indexer.enrich.duplicates import (NUM_PERM, THRESHOLD, _like_template, link_duplicates,
                                       minhash_values, near_duplicates)

PAGES = Path(__file__).resolve().parents[3] / "corpus" / "pages"


def _sentences() -> list[str]:
    text = " ".join(path.read_text(encoding="utf-8") for path in sorted(PAGES.glob("*.txt")))
    return [s for s in re.split(r"(?<=[.!?다])\s+", text) if len(s.split()) >= 6]


def _records() -> list[dict]:
    """Stories made of the bundled pages' sentences, some copied whole, some with words changed,
    some in the other language's slot (same text, other ``lang``: never a duplicate)."""
    rng = random.Random(7)
    sentences = _sentences()
    records = []
    for n in range(300):
        body = " ".join(rng.sample(sentences, 6))
        records.append({"id": f"r{n:03d}", "title": f"story {n}", "body": body, "lang": "en" if n % 2 else "ko"})
    for n in range(0, 300, 7):  # near copies: a few words swapped for others
        words = records[n]["body"].split()
        for _ in range(rng.randint(1, 6)):
            words[rng.randrange(len(words))] = rng.choice(["budget", "서울", "plan", "정책"])
        records.append(dict(records[n], id=f"r{n:03d}-edit", body=" ".join(words)))
    for n in range(0, 300, 29):  # the same text under the other language: not compared
        records.append(dict(records[n], id=f"r{n:03d}-lang", lang="ko" if records[n]["lang"] == "en" else "en"))
    for n in range(3):  # one story copied five times
        records.append(dict(records[10], id=f"r010-copy{n}"))
    return records


def _reference(records: list[dict]) -> dict[int, set[int]]:
    """Each record's neighbours as datasketch's MinHashLSH finds them, filtered by MinHash.jaccard."""
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    signatures = {}
    for row, record in enumerate(records):
        values = minhash_values(record)
        if values is not None:
            signatures[row] = _like_template(hashvalues=values)
            lsh.insert(row, signatures[row])
    return {row: {other for other in lsh.query(signature) if other != row
                  and records[other]["lang"] == records[row]["lang"]
                  and signatures[other].jaccard(signature) >= THRESHOLD}
            for row, signature in signatures.items()}


def test_bucketed_bands_find_the_neighbours_datasketchs_lsh_finds():
    records = _records()
    rows = [row for row, record in enumerate(records) if minhash_values(record) is not None]
    signatures = np.stack([minhash_values(records[row]) for row in rows])
    langs = np.array([records[row]["lang"] for row in rows])
    found = near_duplicates(signatures, langs)
    ours = {rows[k]: {rows[v] for v in found.get(k, [])} for k in range(len(rows))}
    reference = _reference(records)
    assert ours == reference
    linked = sum(1 for neighbours in reference.values() if neighbours)
    assert linked >= 40  # the edited and copied stories are there to be found
    by_id = {record["id"]: row for row, record in enumerate(records)}
    assert ours[by_id["r000-lang"]] == set()  # the same text in the other language is not compared
    assert {by_id[f"r010-copy{n}"] for n in range(3)} <= ours[by_id["r010"]]


def test_link_duplicates_groups_copies_under_one_canonical_record():
    records = _records()
    link_duplicates(records)
    by_id = {record["id"]: record for record in records}
    copies = ["r010", "r010-copy0", "r010-copy1", "r010-copy2"]
    canonical = next(by_id[i] for i in copies if "duplicates" in by_id[i])
    assert set(canonical["duplicates"]) | {canonical["id"]} >= set(copies)
    assert all(by_id[i].get("duplicate_of") == canonical["id"] for i in copies if i != canonical["id"])
    assert "duplicate_of" not in by_id["r000-lang"] and "duplicates" not in by_id["r000-lang"]
    link_duplicates(records)  # a second run replaces the links, it does not add to them
    assert by_id[canonical["id"]]["duplicates"] == canonical["duplicates"]
