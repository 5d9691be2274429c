"""Parallel builds (workers > 1): contiguous slices, one segment each, same index as a serial build."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from whoosh.qparser import OrGroup, QueryParser

from indexer.errors import IndexerError
from indexer.index import build_index, build_records, open_live, verify
from indexer.index import writing
from indexer.index.writing import create_index, part_bounds
from tests.indexer.index.conftest import make_record, write_text


def _records() -> list[dict]:
    records = []
    for i in range(300):
        if i % 3 == 0:
            records.append(make_record(f"k{i}", title=f"서울 청년 주택 {i}", body=f"서울시 청년 주택 정책 {i} 공유도시"))
        else:
            records.append(make_record(f"e{i}", body=f"Seoul housing policy number {i} for the young " * (i % 7 + 1)))
    return records


def _docs(folder: Path) -> list[dict]:
    ix, _ = open_live(folder)
    with ix.reader() as reader:
        return [fields for _, fields in reader.iter_docs()]


def _hits(folder: Path, text: str) -> list[tuple[str, float]]:
    ix, _ = open_live(folder)
    with ix.searcher() as searcher:
        query = QueryParser("body", ix.schema, group=OrGroup).parse(text)
        return [(hit["id"], round(hit.score, 9)) for hit in searcher.search(query, limit=None)]


def test_part_bounds_are_contiguous_cover_everything_and_balance_cost():
    records = _records()
    for parts in (1, 2, 3, 7):
        bounds = part_bounds(records, parts)
        assert len(bounds) == parts and bounds[0][0] == 0 and bounds[-1][1] == len(records)
        assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))
    # Korean text costs more per character: the first half of a ko + en list is not half the records
    ko = [make_record(f"k{i}", title="서울", body="서울시 청년 주택 정책 " * 20) for i in range(100)]
    en = [make_record(f"e{i}", body="Seoul housing policy for the young " * 20) for i in range(100)]
    (lo, cut), (cut2, hi) = part_bounds(ko + en, 2)
    assert lo == 0 and cut == cut2 and hi == 200 and cut < 100
    assert part_bounds([make_record("a")], 3) == [(0, 1), (1, 1), (1, 1)]


def test_parallel_build_equals_serial_build_docnums_and_scores(tmp_path):
    records = _records()
    origins = {r["id"]: "/src/x" for r in records}
    one = build_records(records, origins, tmp_path / "one", workers=1)
    two = build_records(records, origins, tmp_path / "two", workers=2)
    three = build_records(records, origins, tmp_path / "three", workers=3)
    assert one.records == two.records == three.records == 300
    serial = _docs(tmp_path / "one")
    assert [d["id"] for d in serial] == [r["id"] for r in records]  # docnum order = record order
    assert _docs(tmp_path / "two") == serial and _docs(tmp_path / "three") == serial
    for text in ("housing young", "서울 주택", "number 12", "공유도시"):
        assert _hits(tmp_path / "two", text) == _hits(tmp_path / "one", text) == _hits(tmp_path / "three", text)
    ix, _ = open_live(tmp_path / "two")
    assert 2 <= len(ix._segments()) <= 3  # one per process (+ one taken over from the worker), not merged
    assert verify(tmp_path / "two") == []


def test_parallel_build_from_files_in_worker_processes(tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    for i in range(12):
        write_text(folder, f"n{i:02}.txt", f"Busan port news {i}", f"Busan port expands container berth number {i}.")
    one = build_index([folder], tmp_path / "one", workers=1)
    two = build_index([folder], tmp_path / "two", workers=2)
    assert one.records == two.records == 12
    assert _docs(tmp_path / "one") == _docs(tmp_path / "two")


def _failing_write_part(ix, records, origins, claims, worker, conn, parent_pid):
    conn.send(("error", "RuntimeError: boom"))
    conn.close()


def _dying_write_part(ix, records, origins, claims, worker, conn, parent_pid):
    os._exit(3)


def test_a_slow_worker_has_the_rest_of_its_slice_taken_over(monkeypatch, tmp_path):
    records = _records()
    real = writing._Claims.next

    def slow_next(self, worker):
        time.sleep(0.01)  # the worker lags far behind this process
        return real(self, worker)

    monkeypatch.setattr(writing._Claims, "next", slow_next)
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    assert create_index(tmp_path / "two", records, {}, workers=2, progress=False) == 300
    create_index(tmp_path / "one", records, {}, workers=1, progress=False)
    from whoosh import index as whoosh_index
    two, one = whoosh_index.open_dir(str(tmp_path / "two")), whoosh_index.open_dir(str(tmp_path / "one"))
    assert len(two._segments()) >= 3
    with two.reader() as a, one.reader() as b:
        assert list(a.iter_docs()) == list(b.iter_docs())


@pytest.mark.parametrize("child, message", [(_failing_write_part, "boom"), (_dying_write_part, "died")])
def test_a_failing_writer_process_fails_the_build(monkeypatch, tmp_path, child, message):
    monkeypatch.setattr(writing, "_write_part", child)
    records = _records()
    with pytest.raises(IndexerError, match=message):
        create_index(tmp_path, records, {}, workers=2, progress=False)
    with pytest.raises(IndexerError, match=message):
        build_records(records, {}, tmp_path / "index", workers=2)
    assert not list((tmp_path / "index" / "generations").glob(".tmp-*"))
    assert not [c for c in __import__("multiprocessing").active_children() if c.name == "policy-index-writer"]
