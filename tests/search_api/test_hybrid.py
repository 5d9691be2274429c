"""Search by meaning: a real index with embeddings from the packaged encoder, real HTTP, no mocks."""
from __future__ import annotations

from pathlib import Path

import pytest

from indexer.index.builder import build_records
from search_api import create_app
from search_api.index_reader import Snapshot
from search_api.query.search import SearchParams, run_search
from tests.search_api.conftest import LiveServer
from tests.search_api.meaning_records import MEANING_RECORDS

DUST_KO = "미세먼지가 심한 날 학교 아이들 보호"


@pytest.fixture(scope="module")
def meaning_index(tmp_path_factory) -> Path:
    """Nine records, Korean and English, built with embeddings."""
    root = tmp_path_factory.mktemp("meaning")
    build_records(MEANING_RECORDS, {}, root / "index")
    return root / "index"


@pytest.fixture(scope="module")
def words_only_index(tmp_path_factory) -> Path:
    """The same records built without embeddings: what search was before meaning."""
    root = tmp_path_factory.mktemp("words-only")
    build_records(MEANING_RECORDS, {}, root / "index", embed=False)
    return root / "index"


@pytest.fixture(scope="module")
def meaning_client(meaning_index):
    return create_app({"index": str(meaning_index)}).test_client()


def _search(client, **params) -> dict:
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_korean_query_finds_the_english_record_by_meaning_with_the_glossary_off(meaning_index):
    snapshot = Snapshot(meaning_index)
    words = run_search(snapshot, SearchParams(q=DUST_KO, expand=False, mode="lexical"))
    hybrid = run_search(snapshot, SearchParams(q=DUST_KO, expand=False))
    assert "en-dust" not in [r["id"] for r in words["results"]]
    first = hybrid["results"][0]
    assert first["id"] == "en-dust" and first["match"] == "meaning"
    assert "particulate" in first["snippet"]  # its best chunk, not a highlight of absent words
    assert hybrid["total"] == len(hybrid["results"]) < len(MEANING_RECORDS)  # a floor, not everything


def test_a_pdf_meaning_hit_links_to_the_page_of_its_best_chunk(meaning_index):
    body = run_search(Snapshot(meaning_index), SearchParams(q="공원과 버스에서 무료 인터넷", expand=False))
    hit = next(r for r in body["results"] if r["id"] == "en-guide")
    assert hit["match"] == "meaning" and hit["page"] == 2
    assert hit["url"].endswith("#page=2") and "wifi" in hit["snippet"]


def test_filters_and_facet_counts_hold_on_meaning_hits(meaning_client):
    q = "where can neighbours borrow books together"  # no word of it is in the index
    everything = _search(meaning_client, q=q)
    assert [(r["id"], r["match"]) for r in everything["results"]] == [("ko-library", "meaning")]
    lang_counts = {f["value"]: f["count"] for f in everything["facets"]["lang"]}
    type_counts = {f["value"]: f["count"] for f in everything["facets"]["type"]}
    assert everything["total"] == 1 and lang_counts == {"ko": 1} and type_counts == {"article": 1}
    korean = _search(meaning_client, q=q, lang="ko")
    assert korean["total"] == 1 and korean["results"][0]["id"] == "ko-library"
    english = _search(meaning_client, q=q, lang="en")
    assert english["total"] == 0 and english["results"] == []
    assert {f["value"]: f["count"] for f in english["facets"]["lang"] if f["count"]} == {"ko": 1}
    brochures = _search(meaning_client, q=q, type="brochure")
    assert brochures["total"] == 0


@pytest.mark.parametrize("q", ["자전거 도로", "apartments", "library", "public wifi parks"])
def test_lexical_mode_and_semantic_off_serve_words_only_search(meaning_index, words_only_index, q):
    def shape(body):
        keep = ("id", "score", "snippet", "page", "url")
        return body["total"], [{k: r[k] for k in keep} for r in body["results"]], body["facets"]

    before = create_app({"index": str(words_only_index)}).test_client()
    lexical = create_app({"index": str(meaning_index)}).test_client()
    off = create_app({"index": str(meaning_index), "semantic": "off"}).test_client()
    expected = _search(before, q=q)
    assert expected["mode"] == "lexical"  # an index without embeddings serves words only
    assert shape(_search(lexical, q=q, mode="lexical")) == shape(expected)
    served_off = _search(off, q=q)
    assert served_off["mode"] == "lexical" and shape(served_off) == shape(expected)
    assert all(r["match"] == "words" for r in served_off["results"])


def test_semantic_mode_ranks_by_meaning_alone(meaning_client):
    body = _search(meaning_client, q="cheap homes to rent for young couples", mode="semantic")
    assert body["mode"] == "semantic" and body["results"][0]["id"] == "en-housing"
    assert {r["match"] for r in body["results"]} == {"meaning"}


def test_health_says_whether_meaning_is_served(meaning_client, words_only_index):
    health = meaning_client.get("/healthz").get_json()
    assert health["semantic"] is True and health["encoder"].startswith("usem3-")
    words = create_app({"index": str(words_only_index)}).test_client().get("/healthz").get_json()
    assert words["semantic"] is False and words["encoder"] is None


def test_a_bad_mode_is_a_400(meaning_client):
    response = meaning_client.get("/api/search", query_string={"q": "x", "mode": "vector"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_parameter"


def test_a_pasted_300_word_text_is_answered_over_http(meaning_index):
    body = MEANING_RECORDS[0]["body"]
    filler = ("residents asked the council about safer routes for cycling to offices schools and markets "
              "while planners measured traffic counted riders and compared designs from other cities ")
    words = (body + " " + filler * 20).split()[:300]
    assert len(words) == 300
    server = LiveServer(create_app({"index": str(meaning_index)}))
    try:
        response = server.get("/api/search", params={"q": " ".join(words)})
    finally:
        server.stop()
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["total"] >= 1 and result["results"][0]["id"] in ("en-bike", "ko-bike")


def test_similar_finds_the_translation_across_languages(meaning_client):
    response = meaning_client.get("/api/documents/en-bike/similar", query_string={"size": 3})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert results[0]["id"] == "ko-bike" and results[0]["match"] == "meaning"
    assert "en-bike" not in [r["id"] for r in results]


def test_browsing_without_a_query_says_no_match_kind(meaning_client):
    body = _search(meaning_client, lang="ko")
    assert body["total"] == 4 and {r["match"] for r in body["results"]} == {None}


def test_a_pasted_text_of_unknown_words_finds_nothing_by_words(meaning_index):
    body = run_search(Snapshot(meaning_index), SearchParams(q="zzqx " * 40, mode="lexical"))
    assert body["total"] == 0  # never every record, as an empty query would list


def test_export_streams_meaning_hits_in_the_order_and_at_the_pages_search_shows(meaning_client):
    """``/api/search/export`` ranks with the same fusion as ``/api/search``: meaning hits included."""
    import json

    q = "공원과 버스에서 무료 인터넷"
    body = _search(meaning_client, q=q, size=100, mode="semantic")
    assert [r["match"] for r in body["results"]] == ["meaning"] * body["total"] > []
    assert any(r["page"] == 2 for r in body["results"]), "the PDF's best chunk is on page 2"
    response = meaning_client.get("/api/search/export", query_string={"q": q, "mode": "semantic", "format": "jsonl"})
    assert response.status_code == 200
    rows = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert len(rows) == body["total"]
    assert [r["id"] for r in rows] == [r["id"] for r in body["results"]]
    assert [r["page"] for r in rows] == [r["page"] for r in body["results"]]


def test_a_generation_embedded_by_another_model_is_served_by_words_alone(tmp_path, caplog):
    from indexer.index.generations import live_path

    index = tmp_path / "index"
    build_records(MEANING_RECORDS, {}, index)
    meta = live_path(index) / "embeddings" / "records.json"
    text = meta.read_text(encoding="utf-8")
    name = text.split('"encoder": "', 1)[1].split('"', 1)[0]
    model = name.split("+", 1)[0]
    other = "x" * len(model) + name[len(model):]  # another model, the file's size kept
    meta.write_text(text.replace(name, other), encoding="utf-8")
    with caplog.at_level("WARNING"):
        snapshot = Snapshot(index)
    assert snapshot.semantic is None and any(other in r.getMessage() for r in caplog.records)
    health = create_app({"index": str(index)}).test_client().get("/healthz").get_json()
    assert health["semantic"] is False and health["encoder"] is None
    body = run_search(snapshot, SearchParams(q=DUST_KO, expand=False))
    assert "en-dust" not in [r["id"] for r in body["results"]]
    assert all(r["match"] == "words" for r in body["results"])
