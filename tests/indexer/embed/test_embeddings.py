"""Embeddings at index time: chunks, the content-hash cache, the stored matrix and verify (real encoder)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from indexer.embed.chunks import BODY, PAGE, TITLE, WINDOW_CHARS, record_chunks, windows
from indexer.embed.store import EMBEDDINGS_DIR, VECTORS, Embeddings
from indexer.index.builder import build_records, update_records
from indexer.index.generations import live_name, live_path, read_metadata
from indexer.index.health import verify
from indexer.records import content_hash
from search_api import create_app
from tests.search_api.meaning_records import MEANING_RECORDS


def test_windows_keep_whole_sentences_within_the_width():
    text = " ".join(f"Sentence number {i} says something about the city." for i in range(40))
    spans = list(windows(text, limit=100))
    assert len(spans) > 3 and all(hi - lo <= WINDOW_CHARS for lo, hi in spans)
    assert all(text[hi - 1] == "." for lo, hi in spans)  # cut between sentences
    assert " ".join(text[lo:hi] for lo, hi in spans) == text
    assert len(list(windows(text, limit=2))) == 2


def test_chunks_are_the_title_the_body_windows_and_each_pdf_page():
    guide = next(r for r in MEANING_RECORDS if r.get("pages"))
    chunks = record_chunks(guide)
    assert chunks[0].kind == TITLE and chunks[0].text == guide["title"]
    assert [c.page for c in chunks if c.kind == PAGE] == [1, 2]
    page_two = next(c for c in chunks if c.page == 2)
    assert guide["pages"][1]["text"][page_two.start:page_two.end] == page_two.text
    article = record_chunks(MEANING_RECORDS[0])
    assert {c.kind for c in article} == {TITLE, BODY}


def test_build_stores_one_vector_per_chunk_listed_for_verify(tmp_path):
    index = tmp_path / "index"
    build_records(MEANING_RECORDS, {}, index)
    gen = live_path(index)
    meta = read_metadata(gen)
    embeddings = Embeddings(gen)
    chunks = sum(len(record_chunks(r)) for r in MEANING_RECORDS)
    assert embeddings.vectors.shape == (chunks, 512) and meta["embeddings"]["chunks"] == chunks
    assert np.allclose(np.linalg.norm(embeddings.vectors, axis=1), 1.0, atol=1e-3)
    assert {f"{EMBEDDINGS_DIR}/{name}" for name in ("vectors.npy", "chunks.npy", "records.json")} <= set(meta["files"])
    assert sorted(embeddings.ids) == sorted(r["id"] for r in MEANING_RECORDS)
    assert verify(index) == []


def test_an_unchanged_rebuild_reuses_every_cached_embedding(tmp_path):
    index = tmp_path / "index"
    first = build_records(MEANING_RECORDS, {}, index, workers=2)
    assert read_metadata(live_path(index))["embeddings"]["embedded"] > 0
    build_records(MEANING_RECORDS, {}, index, workers=2)
    stats = read_metadata(live_path(index))["embeddings"]
    assert stats["embedded"] == 0 and stats["reused"] == stats["chunks"] > 0
    assert live_name(index) != first.generation
    changed = dict(MEANING_RECORDS[1], body="Schools now close windows and run air purifiers on days of heavy smog.")
    changed["content_hash"] = content_hash(changed)
    records = [changed if r["id"] == changed["id"] else r for r in MEANING_RECORDS]
    update_records(records, {}, index, sources=[])
    stats = read_metadata(live_path(index))["embeddings"]
    assert stats["embedded"] == 1 and stats["reused"] == stats["chunks"] - 1  # only the new body window
    assert verify(index) == []


def test_a_corrupted_embedding_file_fails_verify_and_the_previous_generation_keeps_serving(tmp_path):
    index = tmp_path / "index"
    first = build_records(MEANING_RECORDS, {}, index)
    client = create_app({"index": str(index), "refresh_interval": 0}).test_client()
    assert client.get("/healthz").get_json()["generation"] == first.generation
    second = build_records(MEANING_RECORDS[:-1], {}, index)
    vectors = live_path(index) / EMBEDDINGS_DIR / VECTORS
    data = vectors.read_bytes()
    vectors.write_bytes(data[: len(data) // 2])  # a copy cut short
    problems = verify(index)
    assert any(f"{EMBEDDINGS_DIR}/{VECTORS}" in p for p in problems)
    health = client.get("/healthz").get_json()
    assert health["generation"] == first.generation != second.generation
    body = client.get("/api/search", query_string={"q": "where can neighbours borrow books together"}).get_json()
    assert body["mode"] == "hybrid" and body["results"][0]["id"] == "ko-library"


def test_a_flipped_byte_in_the_vectors_fails_verify(tmp_path):
    index = tmp_path / "index"
    build_records(MEANING_RECORDS, {}, index)
    vectors = live_path(index) / EMBEDDINGS_DIR / VECTORS
    with vectors.open("r+b") as handle:
        handle.seek(vectors.stat().st_size - 100)
        handle.write(b"\x7f")
    assert any("corrupted" in p and VECTORS in p for p in verify(index))
    assert json.loads((live_path(index) / EMBEDDINGS_DIR / "records.json").read_text())["chunks"] > 0


def _policy_records(count: int) -> list[dict]:
    return [{"id": f"r{i}", "title": f"정책 {i}", "body": f"정책 문장 {i}: the city plans {i} new parks."}
            for i in range(count)]


def test_the_parallel_step_embeds_as_one_process_does(tmp_path):
    from indexer.embed.store import MIN_PARALLEL, PART_TEXTS, PARTS_DIR, EmbeddingRun

    records = _policy_records(max(MIN_PARALLEL, 2 * PART_TEXTS) + 10)
    matrices = []
    for workers in (1, 2):
        gen = tmp_path / f"gen{workers}"
        gen.mkdir()
        run = EmbeddingRun.start(gen, records, tmp_path / f"index{workers}", workers=workers)
        assert len(run.processes) == (0 if workers == 1 else 2)
        assert run.parts == (0 if workers == 1 else 5)  # 1,044 texts: more parts than processes
        stats = run.finish()
        assert stats.embedded == stats.chunks == 2 * len(records)
        assert not (gen / PARTS_DIR).exists()
        matrices.append(np.load(gen / EMBEDDINGS_DIR / VECTORS))
    assert matrices[0].shape == (2 * len(records), 512)
    assert np.allclose(matrices[0], matrices[1], atol=1e-6)


def test_shared_memory_made_after_the_start_leaves_the_workers_count_alone(tmp_path):
    """A build makes more shared memory once the embedders run (the parallel index writer's
    claims): it must not land on the workers' counter of parts and change it."""
    import multiprocessing

    from indexer.embed.store import MIN_PARALLEL, PART_TEXTS, EmbeddingRun

    records = _policy_records(max(MIN_PARALLEL, 2 * PART_TEXTS) + 10)
    gen = tmp_path / "gen"
    gen.mkdir()
    run = EmbeddingRun.start(gen, records, tmp_path / "index", workers=2)
    context = multiprocessing.get_context("fork")
    others = [context.RawArray("q", [10 ** 9] * 4) for _ in range(8)]  # as _write_index's claims
    stats = run.finish()
    assert stats.embedded == stats.chunks == 2 * len(records)
    assert all(value == 10 ** 9 for array in others for value in array)


def test_a_killed_embedding_process_fails_the_run_and_leaves_nothing_behind(tmp_path):
    import os
    import signal

    from indexer.embed.cache import EmbeddingCache
    from indexer.embed.store import MIN_PARALLEL, PARTS_DIR, EmbeddingRun, EmbeddingsError

    gen = tmp_path / "gen"
    gen.mkdir()
    run = EmbeddingRun.start(gen, _policy_records(4 * MIN_PARALLEL), tmp_path / "index", workers=2)
    victim = run.processes[1]
    os.kill(victim.pid, signal.SIGKILL)  # as the kernel's out-of-memory killer would
    with pytest.raises(EmbeddingsError, match="exit code -9"):
        run.finish()
    assert run.cache.closed and not run.processes and not (gen / PARTS_DIR).exists()
    assert not (gen / EMBEDDINGS_DIR).exists()
    cache = EmbeddingCache(tmp_path / "index", 512)  # still usable, and nothing was kept
    assert cache.get_many([b"x" * 32]) == {}
    cache.close()


def test_an_unchanged_rebuild_does_not_load_the_encoder(tmp_path):
    import subprocess
    import sys

    source = tmp_path / "records.jsonl"
    source.write_text("".join(json.dumps({key: r[key] for key in ("id", "title", "body", "lang")},
                                         ensure_ascii=False) + "\n" for r in MEANING_RECORDS), encoding="utf-8")
    logs = []
    for _ in range(2):
        done = subprocess.run([sys.executable, "-m", "indexer.cli", "-v", "build", str(source),
                               "--index", str(tmp_path / "index")], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        logs.append(done.stderr)
    assert "sentence encoder" in logs[0] and "sentence encoder" not in logs[1]
    stats = read_metadata(live_path(tmp_path / "index"))["embeddings"]
    assert stats["embedded"] == 0 and stats["reused"] == stats["chunks"] > 0
