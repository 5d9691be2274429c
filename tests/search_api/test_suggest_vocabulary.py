"""Suggestions and respellings from the vocabulary the indexer wrote, memory-mapped by the API."""
from __future__ import annotations

import mmap
import shutil
import threading
import time
from pathlib import Path

import numpy as np

from indexer.index import build_records, update_records
from indexer.index import generations as gens
from search_api import create_app
from search_api.index_reader import Snapshot
from search_api.vocabulary import MAX_TITLE_LOOKS, Vocabulary
from tests.indexer.index.conftest import make_record


def _search(client, q: str, **params) -> dict:
    response = client.get("/api/search", query_string={"q": q, "mode": "lexical", **params})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _suggest(client, q: str) -> list[dict]:
    return client.get("/api/suggest", query_string={"q": q}).get_json()["suggestions"]


def test_a_generation_maps_its_vocabulary_files(index_dir: Path):
    snapshot = Snapshot(index_dir)
    try:
        vocab = snapshot.vocabulary
        assert isinstance(vocab.terms.blob, mmap.mmap) and isinstance(vocab.titles_lower.blob, mmap.mmap)
        assert all(isinstance(a, np.memmap) for a in (vocab.counts, vocab.rank, vocab.spell.keys, vocab.titles.ptr))
        assert "transportation" in vocab and vocab.count("seoul") > 10 and "qxqxq" not in vocab
    finally:
        snapshot.retire()


def test_did_you_mean_respells_an_english_and_a_korean_word(client):
    assert _search(client, "transportaton")["suggestion"] == "transportation"
    assert _search(client, "공동채")["suggestion"] == "공동체"
    assert _search(client, "지역경재")["suggestion"] == "지역경제"
    assert _search(client, "공동체")["suggestion"] is None  # a known word is left as written


def test_suggest_completes_cities_terms_and_titles(client):
    assert {"text": "Kathmandu", "kind": "city"} in _suggest(client, "Kath")
    korean = _suggest(client, "서울")
    assert {"text": "서울", "kind": "city"} in korean and {"text": "서울시", "kind": "term"} in korean
    assert {"text": "서울시 자전거 정책", "kind": "title"} in korean
    assert {"text": "Seoul bicycle", "kind": "term"} in _suggest(client, "Seoul bi")  # the last word completed
    titles = [s["text"] for s in _suggest(client, "online platform") if s["kind"] == "title"]
    assert titles == ["Seoul Opens an Online Platform to Tackle Urban Challenges with Other Cities"]  # after a space
    assert _suggest(client, "qxqxq") == [] and _suggest(client, "\x00seoul") == []


def test_a_fresh_generation_respells_its_first_query_without_waiting(tmp_path: Path):
    index = tmp_path / "index"
    records = [make_record(f"r{n}", f"Tramway note {n}", "The tramway of Seoul runs along the river.") for n in range(3)]
    build_records(records, {}, index, progress=False)
    client = create_app({"index": str(index), "refresh_interval": "0.05"}).test_client()
    assert _search(client, "tramwya")["suggestion"] == "tramway"
    first = gens.live_name(index)
    update_records([make_record("late", "Velodrome plan", "A velodrome for Busan; the velodrome opens in May.")],
                   {}, index, sources=[str(tmp_path / "late")], progress=False)
    time.sleep(0.1)
    assert _search(client, "velodrme")["suggestion"] == "velodrome"  # the new generation's first respelling
    assert client.get("/healthz").get_json()["generation"] != first
    assert {"text": "Velodrome plan", "kind": "title"} in _suggest(client, "velo")
    assert not [t for t in threading.enumerate() if t.name == "vocabulary"]  # nothing builds one in the background


def test_a_generation_written_before_the_vocabulary_files_builds_it_at_opening(index_dir: Path, tmp_path: Path):
    old = tmp_path / "old"
    shutil.copytree(index_dir, old)
    for path in (gens.live_path(old) / "derived").glob("vocabulary*"):
        path.unlink()
    client = create_app({"index": str(old)}).test_client()
    assert _search(client, "transportaton")["suggestion"] == "transportation"
    assert {"text": "서울시 자전거 정책", "kind": "title"} in _suggest(client, "서울")


def test_title_matching_starts_titles_or_words_in_document_order():
    vocab = Vocabulary.from_counts({}, ["Bike lanes", "Motorbike ban", "Seoul bike plan", "bikes", "BIKE lanes"])
    assert list(vocab.matching_titles("bike")) == ["Bike lanes", "Seoul bike plan", "bikes", "BIKE lanes"]
    assert list(vocab.matching_titles("bike lanes")) == ["Bike lanes", "BIKE lanes"]


def test_title_matching_stays_bounded_on_many_titles():
    """Titles repeating one another are looked at up to MAX_TITLE_LOOKS; a miss is two scans of the blob."""
    titles = ["Seoul bike lanes"] * (MAX_TITLE_LOOKS + 10) + ["Seoul bike plan"] \
        + [f"Policy note {n} on housing" for n in range(250_000)]
    vocab = Vocabulary.from_counts({}, titles)
    found = list(vocab.matching_titles("seoul bike"))
    assert found == ["Seoul bike lanes"] * MAX_TITLE_LOOKS  # "Seoul bike plan" is past the bound
    started = time.perf_counter()
    assert list(vocab.matching_titles("nowhere")) == []
    assert list(vocab.matching_titles("note 249999")) == ["Policy note 249999 on housing"]
    assert time.perf_counter() - started < 1.0  # two scans of 7 MB (milliseconds on an idle machine)
