"""Passages and their postings: cut where a reader would, weighed as Whoosh weighs a document."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from indexer.index import build_records
from indexer.index import generations as gens
from indexer.index.passages import PASSAGE_CHARS, body_spans, record_passages
from tests.indexer.index.conftest import make_record
from whoosh import index as whoosh_index


def test_a_long_body_is_cut_into_spans_of_about_a_page_at_sentence_ends():
    sentence = "서울시는 자전거 도로를 늘린다. "
    body = sentence * 400
    spans = body_spans(body)
    assert len(spans) >= len(body) // PASSAGE_CHARS
    assert all(hi - lo <= PASSAGE_CHARS for lo, hi in spans)
    assert all(body[hi - 1] == "." for lo, hi in spans[:-1])  # cut after a sentence, not inside a word
    covered = "".join(body[lo:hi] for lo, hi in spans).replace(" ", "")
    assert covered == body.replace(" ", "")  # nothing lost between spans


def test_pages_are_passages_and_a_short_body_is_one():
    assert [p[0] for p in record_passages("x", [[3, "three"], [4, " "], [5, "five"]])] == [3, 5]
    assert record_passages("short body", None) == [(0, 0, 10, "short body")]
    assert record_passages("  ", None) == []


def _field_arrays(folder: Path, kind: str, name: str) -> np.ndarray:
    return np.load(folder / f"{kind}-{name}.npy")


def test_passage_postings_weigh_terms_as_the_document_postings_do(tmp_path: Path):
    long_body = "\n\n".join(f"Chapter {n}. Seoul bike lanes grow in district {n}. " * 20 for n in range(8))
    records = [make_record("short", "Short", "Seoul housing note with bike lanes and more bike lanes."),
               make_record("long", "Long", long_body)]
    index = tmp_path / "index"
    build_records(records, {}, index, progress=False)
    generation = gens.live_path(index)
    folder = generation / "derived"
    first = np.load(folder / "passages-first.npy")
    ix = whoosh_index.open_dir(str(generation))
    with ix.reader() as reader:
        ids = {reader.stored_fields(d)["id"]: d for d in range(reader.doc_count_all())}
        short, long = ids["short"], ids["long"]
        assert first[short + 1] - first[short] == 1
        assert first[long + 1] - first[long] == len(body_spans(long_body)) > 1
        for name, boost in (("body", 1.0), ("body_bigram", 0.25)):
            vocab = np.load(folder / f"postings-{name}-vocab.npy").tobytes()
            vocabptr = np.load(folder / f"postings-{name}-vocabptr.npy")
            indptr = _field_arrays(folder, "passages", f"{name}-indptr")
            rows = _field_arrays(folder, "passages", f"{name}-rows")
            weights = _field_arrays(folder, "passages", f"{name}-weights")
            terms = {vocab[vocabptr[i]:vocabptr[i + 1]].decode(): i for i in range(len(vocabptr) - 1)}
            analyzer = reader.schema[name].analyzer
            for docnum, text in ((short, reader.stored_fields(short)["body"]),
                                 (long, long_body[slice(*body_spans(long_body)[0])])):
                counts = Counter(t.text for t in analyzer(text))
                for term, n in counts.items():
                    lo, hi = indptr[terms[term]], indptr[terms[term] + 1]
                    at = np.flatnonzero(rows[lo:hi] == first[docnum])
                    assert len(at) == 1 and weights[lo:hi][at[0]] == np.float32(n * boost), (name, term)
