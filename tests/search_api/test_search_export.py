"""``/api/search/export`` over real HTTP: every hit in rank order, CSV with BOM, JSON lines, cap, errors."""
from __future__ import annotations

import csv
import io
import json

import pytest
import requests

from search_api import create_app
from search_api.export import COLUMNS
from tests.search_api.conftest import LiveServer


def _ranked_ids(server, **params) -> tuple[list[str], int]:
    """The ids of a search, page after page of ``/api/search``."""
    ids, page = [], 1
    while True:
        body = server.get("/api/search", params={**params, "page": page, "size": 100}).json()
        ids += [r["id"] for r in body["results"]]
        if len(ids) >= body["total"] or not body["results"]:
            return ids, body["total"]
        page += 1


def _csv_rows(response: requests.Response) -> list[dict]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff"), "Excel needs the BOM to read UTF-8"
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    return rows


@pytest.mark.parametrize("params", [{"q": "Seoul"}, {"q": "서울"}, {"q": "", "lang": "ko"},
                                    {"q": "seoul", "sort": "newest"}, {"q": "city", "year_from": 2019, "year_to": 2020}])
def test_csv_export_has_exactly_total_rows_in_rank_order(live_server, params):
    ids, total = _ranked_ids(live_server, **params)
    assert total > 0
    response = live_server.get("/api/search/export", params={**params, "format": "csv"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Total-Count"] == str(total)
    rows = _csv_rows(response)
    assert len(rows) == total
    assert [r["id"] for r in rows] == ids
    assert list(rows[0]) == list(COLUMNS)


def test_jsonl_export_round_trips_korean_text(live_server):
    search = live_server.get("/api/search", params={"q": "자전거", "size": 100}).json()
    response = live_server.get("/api/search/export", params={"q": "자전거", "format": "jsonl"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/x-ndjson")
    rows = [json.loads(line) for line in response.content.decode("utf-8").splitlines()]
    assert len(rows) == search["total"]
    korean = next(r for r in rows if r["id"] == "fixture-korean")
    assert korean["title"] == "서울시 자전거 정책"
    assert korean["date"] == "2022-05-06" and korean["lang"] == "ko"
    assert "Seoul" in korean["cities"]
    by_id = {r["id"]: r for r in search["results"]}
    for row in rows:
        hit = by_id[row["id"]]
        assert (row["title"], row["url"], row["page"], row["sdgs"], row["topics"]) == \
               (hit["title"], hit["url"], hit["page"], hit["sdgs"], hit["topics"])


def test_csv_keeps_korean_and_lists(live_server):
    rows = _csv_rows(live_server.get("/api/search/export", params={"q": "서울시 자전거", "format": "csv"}))
    korean = next(r for r in rows if r["id"] == "fixture-korean")
    assert korean["title"] == "서울시 자전거 정책"
    assert "Seoul" in korean["cities"].split("; ")


def test_pdf_hits_carry_their_page(live_server):
    search = live_server.get("/api/search", params={"q": "sharing city", "type": "brochure", "size": 100}).json()
    pdf_hits = {r["id"]: r["page"] for r in search["results"] if r["page"]}
    assert pdf_hits, "the bundled corpus has a PDF brochure"
    rows = [json.loads(line) for line in live_server.get(
        "/api/search/export", params={"q": "sharing city", "type": "brochure", "format": "jsonl"}).text.splitlines()]
    assert {r["id"]: r["page"] for r in rows if r["page"]} == pdf_hits
    assert all(r["url"].endswith(f"#page={r['page']}") for r in rows if r["id"] in pdf_hits)


@pytest.mark.parametrize("query, code", [("format=xlsx", "invalid_parameter"), ("year_from=abc", "invalid_parameter"),
                                         ("sort=random", "invalid_parameter"), ("sdg=99", "invalid_parameter"),
                                         ("mode=magic", "invalid_parameter")])
def test_bad_parameters_are_400_json(live_server, query, code):
    response = live_server.get(f"/api/search/export?q=seoul&{query}")
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == code


def test_export_stops_at_the_configured_cap(index_dir):
    server = LiveServer(create_app({"index": str(index_dir), "max_export_rows": 3, "analytics_db": "off"}))
    try:
        response = server.get("/api/search/export", params={"q": "Seoul", "format": "jsonl"})
        total = server.get("/api/search", params={"q": "Seoul"}).json()["total"]
    finally:
        server.stop()
    assert total > 3
    assert len(response.text.splitlines()) == 3
    assert response.headers["X-Total-Count"] == str(total)
    assert response.headers["X-Export-Truncated"] == "true"
    assert response.headers["X-Search-Timed-Out"] == "false"


def test_export_is_rate_limited(index_dir):
    server = LiveServer(create_app({"index": str(index_dir), "rate_limit": "2/minute", "analytics_db": "off"}))
    try:
        statuses = [server.get("/api/search/export", params={"q": "Seoul"}).status_code for _ in range(3)]
        refused = server.get("/api/search/export", params={"q": "Seoul"})
    finally:
        server.stop()
    assert statuses[:2] == [200, 200] and statuses[2] == 429
    assert refused.json()["error"]["code"] == "rate_limited" and int(refused.headers["Retry-After"]) >= 1


def test_search_accepts_the_mode_parameter(live_server):
    assert live_server.get("/api/search", params={"q": "Seoul", "mode": "lexical"}).status_code == 200
    refused = live_server.get("/api/search", params={"q": "Seoul", "mode": "fuzzy"})
    assert refused.status_code == 400 and "mode" in refused.json()["error"]["message"]
