"""The suggestion vocabulary of each generation: written by every operation, counted as the records say."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np

from indexer.index import build_records, delete_records, update_records
from indexer.index import generations as gens
from indexer.index.health import verify
from indexer.index.postings import field_arrays
from indexer.index.vocabulary import ARRAYS, BLOBS, BODY_CHARS, VOCABULARY_META, hangul_terms, latin_counts
from search_api.index_reader import Snapshot
from tests.indexer.index.conftest import make_record

FILES = [f"derived/vocabulary-{n}.bin" for n in BLOBS] + [f"derived/vocabulary-{n}.npy" for n in ARRAYS] \
    + [f"derived/{VOCABULARY_META}"]


def _records() -> list[dict]:
    return [make_record("ko", "서울시 자전거 정책", "서울시는 공유도시 정책으로 자전거 도로를 늘린다. 서울 자전거.", lang="ko"),
            *(make_record(f"r{n}", f"Note {n}", f"Seoul housing note {n} with bike lanes.") for n in range(4))]


def _words(snapshot: Snapshot) -> dict[str, int]:
    vocab = snapshot.vocabulary
    return {vocab.terms.text(i): int(vocab.counts[i]) for i in range(len(vocab.terms))}


def _titles(snapshot: Snapshot) -> list[str]:
    return [snapshot.vocabulary.titles.text(i) for i in range(len(snapshot.vocabulary.titles))]


def test_build_update_and_delete_write_the_vocabulary_files_verify_covers(tmp_path: Path):
    index = tmp_path / "index"
    build_records(_records(), {}, index, progress=False)
    assert set(FILES) <= set(gens.read_metadata(gens.live_path(index))["files"])
    snapshot = Snapshot(index)
    try:
        words = _words(snapshot)
        assert words["seoul"] == 4 and words["bike"] == 4 and words["note"] == 8  # titles and bodies
        assert words["자전거"] == 1 and words["공유도시"] == 1  # Hangul terms: documents of the body
        assert "with" in words and "r0" not in words  # any Latin word of 3+ letters; ids are no words
        assert _titles(snapshot) == ["서울시 자전거 정책"] + [f"Note {n}" for n in range(4)]
    finally:
        snapshot.retire()
    update_records([make_record("late", "Late velodrome note", "Busan opens a velodrome; the velodrome hosts races.")],
                   {}, index, sources=[str(tmp_path / "late")], progress=False)
    delete_records(["r1"], index)
    assert set(FILES) <= set(gens.read_metadata(gens.live_path(index))["files"])
    assert verify(index) == []
    snapshot = Snapshot(index)
    try:
        words = _words(snapshot)
        assert words["velodrome"] == 3 and words["seoul"] == 3  # r1's words left with it
        assert "Late velodrome note" in _titles(snapshot) and "Note 1" not in _titles(snapshot)
        assert isinstance(snapshot.vocabulary.counts, np.memmap)
    finally:
        snapshot.retire()
    target = gens.live_path(index) / "derived" / "vocabulary-terms.bin"
    data = bytearray(target.read_bytes())
    data[0] ^= 0x20
    target.write_bytes(bytes(data))
    assert any("vocabulary-terms.bin" in problem for problem in verify(index))


def test_latin_words_are_counted_as_one_regex_a_record_counts_them(seed_records):
    """The batched count equals the count record by record (title and the body's first characters)."""
    texts = [t for r in seed_records * 300 for t in (r["title"], r["body"][:BODY_CHARS])]
    expected: Counter = Counter()
    for r in seed_records * 300:
        expected.update(w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'-]{2,}", f"{r['title']} {r['body'][:BODY_CHARS]}"))
    assert len(texts) > 2000 and latin_counts(texts) == expected


def test_hangul_terms_are_the_body_lexicon_terms_with_their_document_frequency(corpus_index: Path):
    index, _ = gens.open_live(corpus_index)
    try:
        with index.reader() as reader:
            body = field_arrays(reader, "body")
            expected = {}
            for term in reader.lexicon("body"):
                text = term.decode("utf-8")
                if len(text) >= 2 and re.search(r"[\uac00-\ud7a3]", text):
                    expected[text] = reader.doc_frequency("body", text)
    finally:
        index.close()
    found = hangul_terms(body["vocab"], body["vocabptr"], body["indptr"])
    assert len(found) > 100 and found == expected
