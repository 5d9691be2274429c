"""Arrays derived from each generation: written by every operation, verified, read back exactly."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from indexer.index import build_records, delete_records, update_records
from indexer.index import generations as gens
from indexer.index.health import verify
from search_api.query.facets import FacetArrays
from search_api.index_reader import Snapshot
from search_api.query.build import QueryBuilder
from search_api.query.parse import parse_query
from tests.indexer.index.conftest import make_record

PAGES = [{"number": 1, "text": "Opening words about parks and rivers."},
         {"number": 2, "text": "Seoul bike lanes: Seoul adds lanes for bikes, then more Seoul bike lanes."},
         {"number": 3, "text": "서울시는 공유도시 정책으로 자전거 도로를 늘린다. 서울 자전거."},
         {"number": 4, "text": "Closing words, and bike parking."}]


def _records() -> list[dict]:
    brochure = make_record("brochure", "Bike brochure", "\n\n".join(p["text"] for p in PAGES),
                           type="brochure", pages=PAGES, date="2020-02-03")
    return [brochure] + [make_record(f"r{n}", f"Note {n}", f"Seoul housing note {n} with bike lanes.",
                                     date=f"201{n}-01-01") for n in range(6)]


def _derived(index_dir: Path) -> Path:
    return gens.live_path(index_dir) / "derived"


def test_every_operation_writes_arrays_that_verify_checks(tmp_path: Path):
    index = tmp_path / "index"
    build_records(_records(), {}, index, progress=False)
    meta = gens.read_metadata(gens.live_path(index))
    assert "derived/postings-body-docs.npy" in meta["files"] and "derived/facets.json" in meta["files"]
    assert "derived/passages-body-rows.npy" in meta["files"] and "derived/passages-first.npy" in meta["files"]
    assert verify(index) == []
    update_records([make_record("late", "Late note", "Busan port and Seoul bike lanes.")], {}, index,
                   sources=[str(tmp_path / "late")], progress=False)
    delete_records(["r1"], index)
    derived = _derived(index)
    postings = json.loads((derived / "postings.json").read_text())
    with gens.open_live(index)[0].reader() as reader:
        assert postings["doc_count"] == reader.doc_count_all()
        assert json.loads((derived / "facets.json").read_text())["size"] == reader.doc_count_all()
    ids = json.loads((derived / "facets.json").read_text())["ids"]
    assert "late" in ids and "r1" not in ids
    assert verify(index) == []
    target = derived / "postings-body-weights.npy"
    data = bytearray(target.read_bytes())
    data[-1] ^= 0xFF
    target.write_bytes(bytes(data))
    assert any("derived/postings-body-weights.npy" in problem for problem in verify(index))


def test_facet_arrays_read_back_as_built_from_the_records(tmp_path: Path):
    index = tmp_path / "index"
    build_records(_records(), {}, index, progress=False)
    delete_records(["r2"], index)
    snapshot = Snapshot(index)
    try:
        mapped, built = snapshot.facets, FacetArrays.from_searcher(snapshot.searcher)
        assert isinstance(mapped.live, np.memmap)
        assert mapped.ids == built.ids and mapped.size == built.size
        for name in ("live", "canonical", "date"):
            assert np.array_equal(getattr(mapped, name), getattr(built, name))
        for name, facet in mapped.facets.items():
            other = built.facets[name]
            assert facet.values == other.values and facet.labels_ko == other.labels_ko
            assert np.array_equal(facet.docs, other.docs) and np.array_equal(facet.vals, other.vals)
        assert "r2" not in mapped.ids and int(mapped.live.sum()) == len(mapped.ids) == len(_records()) - 1
    finally:
        snapshot.retire()


def test_best_passage_is_the_page_that_holds_the_words(tmp_path: Path):
    index = tmp_path / "index"
    build_records(_records(), {}, index, progress=False)
    snapshot = Snapshot(index)
    try:
        assert snapshot.passages is not None
        docnum = snapshot.facets.ids["brochure"]
        builder = QueryBuilder(snapshot.searcher.schema, expand=False)
        picked = {}
        for text in ("seoul bike lanes", "서울 자전거", "closing", "rivers"):
            query = builder.build(parse_query(text), relaxed=True)
            _, rows = snapshot.passages.best(query)
            picked[text] = snapshot.passages.passage(int(rows[docnum]))[0]
        assert picked == {"seoul bike lanes": 2, "서울 자전거": 3, "closing": 4, "rivers": 1}
        query = builder.build(parse_query("nothingmatcheshere"), relaxed=True)
        if query is not None:
            assert snapshot.passages.best(query)[1][docnum] == -1
        _, rows = snapshot.passages.best(builder.build(parse_query("housing"), relaxed=True))
        note = snapshot.facets.ids["r0"]
        assert rows[note] >= 0 and snapshot.passages.passage(int(rows[note]))[0] == 0  # a body, not a page
    finally:
        snapshot.retire()
