"""The index library: build, switch, update, delete, rollback, stats, verify (real Whoosh indexes)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from whoosh.qparser import QueryParser

from indexer.errors import IndexBusyError
from indexer.index import (SwitchRefusedError, best_page, build_index, build_records, delete_records,
                           live_path, open_live, read_metadata, rollback, stats, stored_record, update_index,
                           verify)
from indexer.index import generations as gens
from indexer.index.lock import IndexLock
from tests.indexer.index.conftest import make_record, write_text

REPO = Path(__file__).resolve().parents[3]


def ids_in(index_dir: Path) -> set[str]:
    ix, _ = open_live(index_dir)
    with ix.reader() as reader:
        return {fields["id"] for _, fields in reader.iter_docs()}


def search_ids(index_dir: Path, text: str, field: str = "body") -> list[str]:
    ix, _ = open_live(index_dir)
    with ix.searcher() as searcher:
        return [hit["id"] for hit in searcher.search(QueryParser(field, ix.schema).parse(text), limit=None)]


def test_build_from_files_writes_generation_and_metadata(sources, tmp_path):
    index = tmp_path / "index"
    summary = build_index([sources["a"], sources["b"]], index)
    assert summary.records == 4 and summary.switched
    live = live_path(index)
    assert live.parent == index / "generations" and (index / "CURRENT").read_text().strip() == live.name
    meta = read_metadata(live)
    assert meta["records"] == 4 and meta["generation"] == live.name and meta["previous"] is None
    assert set(meta["sources"]) == {str(sources["a"].resolve()), str(sources["b"].resolve())}
    assert meta["built_at"] and meta["files"]
    assert search_ids(index, "reservoir") and verify(index) == []
    ix, _ = open_live(index)
    with ix.searcher() as searcher:
        hit = searcher.search(QueryParser("body", ix.schema).parse("reservoir"))[0]
        assert hit["origin"] == str((sources["b"] / "b1.txt").resolve())
        assert stored_record(hit.fields())["title"] == "Daegu water plan"




def test_seed_pages_build(tmp_path):
    folder = REPO / "corpus" / "pages"
    if not any(folder.glob("*.txt")):
        pytest.skip("no seed pages in corpus/pages")
    summary = build_index([folder], tmp_path / "index", workers=2)
    assert summary.records > 0
    assert stats(tmp_path / "index")["records"] == summary.records
    assert verify(tmp_path / "index") == []


def test_schema_facets_sorting_and_best_page(tmp_path):
    records = [
        make_record("old", date="2001-05-01", body="housing old"),
        make_record("new", date="2021-03-02", body="housing new"),
        make_record("undated", body="housing undated"),
        make_record("pdf", date="2010-01-01", body="intro text\nhousing housing rent\nend",
                    pages=[{"number": 1, "text": "intro text"}, {"number": 2, "text": "housing housing rent"},
                           {"number": 3, "text": "end"}], type="brochure"),
    ]
    index = tmp_path / "index"
    build_records(records, {r["id"]: f"/src/{r['id']}" for r in records}, index)
    ix, _ = open_live(index)
    with ix.searcher() as searcher:
        query = QueryParser("body", ix.schema).parse("housing")
        newest = [h["id"] for h in searcher.search(query, sortedby="date", reverse=True, limit=None)]
        assert newest == ["new", "pdf", "old", "undated"]
        hit = [h for h in searcher.search(query, limit=None) if h["id"] == "pdf"][0]
        assert best_page(searcher, hit.docnum, query) == 2
        assert best_page(searcher, hit.docnum, QueryParser("body", ix.schema).parse("intro")) == 1
        assert stored_record(hit.fields())["pages"][1] == {"number": 2, "text": "housing housing rent"}
        assert len(searcher.search(QueryParser("city", ix.schema).parse("Seoul"), limit=None)) == 4
        assert len(searcher.search(QueryParser("sdg", ix.schema).parse("11"), limit=None)) == 4
        assert [h["id"] for h in searcher.search(QueryParser("type", ix.schema).parse("brochure"))] == ["pdf"]


def test_workers_build_same_documents(tmp_path):
    records = [make_record(f"r{i}", body=f"policy number {i} housing") for i in range(450)]
    origins = {r["id"]: "/src/x" for r in records}
    one = build_records(records, origins, tmp_path / "one", workers=1)
    two = build_records(records, origins, tmp_path / "two", workers=2)
    assert one.records == two.records == 450
    assert ids_in(tmp_path / "one") == ids_in(tmp_path / "two")
    assert verify(tmp_path / "two") == []


def test_update_changes_only_what_differs(sources, tmp_path):
    index = tmp_path / "index"
    build_index([sources["a"], sources["b"]], index)
    before = ids_in(index)
    first = live_path(index).name
    a = sources["a"]
    write_text(a, "a1.txt", "Seoul bike lanes", "Seoul opened new bike lanes and a bike sharing scheme.")
    (a / "a2.txt").unlink()
    write_text(a, "a4.txt", "Gwangju solar roofs", "Gwangju installs solar panels on school roofs.")
    summary = update_index([a], index)
    assert (summary.added, summary.changed, summary.deleted, summary.unchanged) == (1, 1, 1, 1)
    assert live_path(index).name != first and read_metadata(live_path(index))["previous"] == first
    after = ids_in(index)
    assert len(after) == 4
    assert [i for i in before if i.startswith("b1")] == [i for i in after if i.startswith("b1")]
    assert not [i for i in after if i.startswith("a2")]
    assert search_ids(index, "sharing") and search_ids(index, "solar")
    assert not search_ids(index, "port")
    assert search_ids(index, "reservoir")  # from source b, not named: untouched
    assert verify(index) == []
    again = update_index([a], index)
    assert not again.switched and again.unchanged == 3


def test_refuses_empty_or_shrunken_generation(tmp_path):
    index = tmp_path / "index"
    records = [make_record(f"r{i}") for i in range(6)]
    build_records(records, {}, index)
    live = live_path(index).name
    with pytest.raises(SwitchRefusedError, match="less than half"):
        build_records(records[:2], {}, index)
    with pytest.raises(SwitchRefusedError, match="no records"):
        build_records([], {}, index)
    assert live_path(index).name == live
    assert not list((index / "generations").glob(".tmp-*"))
    assert build_records(records[:3], {}, index).records == 3  # exactly half is fine
    assert build_records(records[:1], {}, index, force=True).records == 1


def test_rollback_delete_and_prune(tmp_path):
    index = tmp_path / "index"
    recs = [make_record(f"r{i}") for i in range(4)]
    names = [build_records(recs, {}, index).generation for _ in range(4)]
    assert gens.list_generations(index) == names[1:]  # the live one and two predecessors
    delete = delete_records(["r1", "nope"], index)
    assert delete.deleted == 1 and delete.missing == ["nope"]
    assert ids_in(index) == {"r0", "r2", "r3"}
    assert rollback(index) == (delete.generation, names[-1])
    assert ids_in(index) == {"r0", "r1", "r2", "r3"}
    assert rollback(index) == (names[-1], names[-2])


def test_stats(tmp_path):
    index = tmp_path / "index"
    build_records([make_record("a", date="2020-01-01"), make_record("b", lang="ko"),
                   make_record("c", type="report", date="2021-01-01")], {}, index)
    data = stats(index)
    assert data["records"] == 3 and data["by_lang"] == {"en": 2, "ko": 1}
    assert data["by_type"] == {"article": 2, "report": 1}
    assert data["by_year"] == {"2020": 1, "2021": 1, "none": 1}
    assert data["size_bytes"] > 0 and data["built_at"]


def test_lock_busy_and_stale_takeover(tmp_path):
    index = tmp_path / "index"
    with IndexLock(index):
        with pytest.raises(IndexBusyError, match=r"busy.*pid"):
            build_records([make_record("a")], {}, index)
    (index / "LOCK").write_text("999999999 build\n")  # a dead holder's pid, no kernel lock
    (index / "generations" / ".tmp-g000009-x").mkdir(parents=True)  # a killed build's leftovers
    assert build_records([make_record("a")], {}, index).switched
    assert not list((index / "generations").glob(".tmp-*"))


def test_verify_detects_corrupted_segment(tmp_path):
    index = tmp_path / "index"
    build_records([make_record(f"r{i}", body=f"body {i} housing") for i in range(50)], {}, index)
    seg = next(live_path(index).glob("*.seg"))
    with seg.open("r+b") as handle:
        handle.seek(seg.stat().st_size // 2)
        handle.write(b"\xff" * 64)
    problems = verify(index)
    assert problems and any(seg.name in p for p in problems)


def test_verify_detects_count_mismatch(tmp_path):
    index = tmp_path / "index"
    build_records([make_record("a")], {}, index)
    meta_path = live_path(index) / "generation.json"
    meta = json.loads(meta_path.read_text())
    meta["records"] = 2
    meta_path.write_text(json.dumps(meta))
    assert any("metadata says 2" in p for p in verify(index))


def test_korean_best_page_with_policy_analyzer(tmp_path):
    analysis = pytest.importorskip("indexer.analysis")
    record = make_record("ko1", title="서울시 주택 정책", body="서울시는 청년 주택 공급을 확대한다\n공유도시 사업",
                         lang="ko", pages=[{"number": 1, "text": "서울시는 청년 주택 공급을 확대한다"},
                                           {"number": 2, "text": "공유도시 사업"}])
    build_records([record], {}, tmp_path / "index", workers=2)
    ix, _ = open_live(tmp_path / "index")
    with ix.searcher() as searcher:
        for text, page in (("공유도시", 2), ("주택 공급", 1)):
            query = analysis.build_query(text, ix.schema)
            hits = searcher.search(query)
            assert [h["id"] for h in hits] == ["ko1"]
            assert best_page(searcher, hits[0].docnum, query) == page
