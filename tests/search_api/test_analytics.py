"""Query analytics over real HTTP and real SQLite: searches, zero results, clicks, restarts, workers."""
from __future__ import annotations

import json
import multiprocessing
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from search_api import create_app
from search_api.ops.analytics import AnalyticsStore, connect
from tests.search_api.conftest import LiveServer

TOKEN = "analytics-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _server(index_dir: Path, db: Path, **config) -> LiveServer:
    return LiveServer(create_app({"index": str(index_dir), "admin_token": TOKEN, "analytics_db": str(db), **config}))


def _report(server: LiveServer, expect, timeout: float = 10.0) -> dict:
    """The admin report once ``expect(report)`` holds (events are written by a background thread)."""
    end = time.monotonic() + timeout
    while True:
        response = server.get("/api/admin/analytics", headers=AUTH)
        assert response.status_code == 200, response.text
        report = response.json()
        if expect(report) or time.monotonic() > end:
            return report
        time.sleep(0.05)


def _post_event(server: LiveServer, body, **kwargs):
    import requests

    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return requests.post(server.url + "/api/events", data=data, timeout=10, **kwargs)


def test_counts_a_search_a_zero_result_search_and_a_click_across_a_restart(index_dir, tmp_path):
    db = tmp_path / "analytics.sqlite3"
    server = _server(index_dir, db)
    try:
        hit = server.get("/api/search", params={"q": "  Seoul   bicycle "}).json()
        assert hit["total"] > 0
        assert server.get("/api/search", params={"q": "qqxyzzyqq"}).json()["words_total"] == 0  # found by no word
        server.get("/api/search", params={"q": "Seoul bicycle", "page": 2})  # paging is not a new search
        server.get("/api/search", params={"lang": "ko"})  # browsing without a query is not counted
        first = hit["results"][0]["id"]
        assert _post_event(server, {"query": "Seoul bicycle", "id": first, "position": 1, "query_id": hit["query_id"]},
                           headers={"Content-Type": "text/plain;charset=UTF-8"}).status_code == 204
        report = _report(server, lambda r: r["totals"]["clicks"] == 1 and r["totals"]["searches"] == 2)
    finally:
        server.stop()
    assert report["totals"] == {"searches": 2, "zero_results": 1, "clicks": 1, "clicks_per_search": 0.5}
    assert {q["query"]: (q["searches"], q["zero_results"], q["clicks"]) for q in report["top_queries"]} == \
        {"seoul bicycle": (1, 0, 1), "qqxyzzyqq": (1, 1, 0)}
    assert [z["query"] for z in report["zero_result_queries"]] == ["qqxyzzyqq"]
    today = report["zero_result_trend"][-1]
    assert (today["searches"], today["zero_results"]) == (2, 1) and len(report["zero_result_trend"]) == 30
    assert {s["query"] for s in report["slowest_queries"]} == {"seoul bicycle", "qqxyzzyqq"}
    assert report["clicked_results"] == [{"query": "seoul bicycle", "id": first, "clicks": 1, "mean_position": 1.0}]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        columns = [row[1] for row in conn.execute("PRAGMA table_info(clicks)")]
    assert columns == ["ts", "day", "query", "result_id", "position"]  # no address, no cookie

    restarted = _server(index_dir, db)
    try:
        again = _report(restarted, lambda r: True)
        restarted.get("/api/search", params={"q": "qqxyzzyqq"})
        after = _report(restarted, lambda r: r["totals"]["zero_results"] == 2)
    finally:
        restarted.stop()
    assert again["totals"] == report["totals"]
    assert after["zero_result_queries"][0] == {**after["zero_result_queries"][0], "query": "qqxyzzyqq", "searches": 2}


@pytest.mark.parametrize("body, status", [
    ("not json", 400), ("[1, 2]", 400), ({"query": "x", "id": "a"}, 400),
    ({"query": "x", "id": "a", "position": 1, "query_id": "0.0", "ip": "10.0.0.1"}, 400),
    ({"query": "x", "id": "a", "position": True, "query_id": "0.0"}, 400),
    ({"query": "x", "id": "a", "position": 0, "query_id": "0.0"}, 400), ({"query": "x", "id": "", "position": 1, "query_id": "0.0"}, 400),
    ({"query": 5, "id": "a", "position": 1, "query_id": "0.0"}, 400),
    ({"query": "x" * 600, "id": "a", "position": 1, "query_id": "0.0"}, 400),
    ({"query": "x" * 20000, "id": "a", "position": 1, "query_id": "0.0"}, 413),
    ({"query": "x", "id": "a", "position": 1}, 400),  # no query_id
    ({"query": "x", "id": "a", "position": 1, "query_id": "65f0a1b2.00112233445566778899aabbccddeeff"}, 403),
])
def test_bad_events_are_refused_with_the_json_error_shape(index_dir, tmp_path, body, status):
    server = _server(index_dir, tmp_path / "a.sqlite3")
    try:
        response = _post_event(server, body)
        report = _report(server, lambda r: True)
    finally:
        server.stop()
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/json")
    assert set(response.json()["error"]) == {"code", "message"}
    assert report["totals"]["clicks"] == 0


def test_clicks_only_on_real_ids_of_recent_searches_of_that_query(index_dir, tmp_path):
    server = _server(index_dir, tmp_path / "a.sqlite3")
    try:
        hit = server.get("/api/search", params={"q": "Seoul"}).json()
        real, token = hit["results"][0]["id"], hit["query_id"]
        made_up = _post_event(server, {"query": "Seoul", "id": "call-010-refund", "position": 1, "query_id": token})
        other_query = _post_event(server, {"query": "call 010 for refund", "id": real, "position": 1, "query_id": token})
        good = _post_event(server, {"query": "seoul", "id": real, "position": 1, "query_id": token})
        report = _report(server, lambda r: r["totals"]["clicks"] == 1)
    finally:
        server.stop()
    assert (made_up.status_code, made_up.json()["error"]["code"]) == (404, "unknown_id")
    assert (other_query.status_code, other_query.json()["error"]["code"]) == (403, "invalid_query_id")
    assert good.status_code == 204
    assert report["clicked_results"] == [{"query": "seoul", "id": real, "clicks": 1, "mean_position": 1.0}]


def test_the_report_needs_the_token(index_dir, tmp_path):
    server = _server(index_dir, tmp_path / "a.sqlite3")
    try:
        assert server.get("/api/admin/analytics").status_code == 401
        assert server.get("/api/admin/analytics", headers={"Authorization": "Bearer nope"}).status_code == 401
        assert server.get("/api/admin/analytics?days=0", headers=AUTH).status_code == 400
    finally:
        server.stop()


def test_events_cross_origin_and_rate_limited(index_dir, tmp_path):
    """Events share the search's limiter: one search and two clicks use up 3/minute."""
    server = _server(index_dir, tmp_path / "a.sqlite3", rate_limit="3/minute")
    try:
        hit = server.get("/api/search", params={"q": "Seoul"}).json()
        event = {"query": "Seoul", "id": hit["results"][0]["id"], "position": 1, "query_id": hit["query_id"]}
        statuses = [_post_event(server, event, headers={"Origin": "https://city.example"}) for _ in range(3)]
    finally:
        server.stop()
    assert [r.status_code for r in statuses] == [204, 204, 429]
    assert statuses[0].headers["Access-Control-Allow-Origin"] == "*"


def _write_from_a_worker(path: str, worker: int, count: int) -> None:
    store = AnalyticsStore(Path(path))
    for n in range(count):
        store.record_search(f"worker {worker} query {n % 7}", n % 3, 1.0 + n)
        store.record_click(f"worker {worker} query {n % 7}", f"doc-{n}", 1 + n % 10)
    assert store.flush(60)


def test_several_processes_write_to_one_file(tmp_path):
    """Like gunicorn workers: each process queues and writes its own events; none is lost."""
    db = tmp_path / "analytics.sqlite3"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_from_a_worker, args=(str(db), w, 300)) for w in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    report = AnalyticsStore(db).report(days=1, limit=50)
    assert report["totals"]["searches"] == 900 and report["totals"]["clicks"] == 900
    assert report["totals"]["zero_results"] == 300


def test_retention_deletes_old_rows(tmp_path):
    db = tmp_path / "analytics.sqlite3"
    conn = connect(db)
    old, recent = time.time() - 40 * 86400, time.time() - 86400
    conn.executemany("INSERT INTO searches VALUES (?, '2000-01-01', ?, 1, 1.0)", [(old, "old"), (recent, "recent")])
    conn.executemany("INSERT INTO clicks VALUES (?, '2000-01-01', 'q', 'id', 1)", [(old,), (recent,)])
    conn.close()
    assert AnalyticsStore(db, retention_days=30).prune() == 2
    report = AnalyticsStore(db).report(days=90)
    assert [q["query"] for q in report["top_queries"]] == ["recent"] and report["totals"]["clicks"] == 1


def test_analytics_command_prints_the_report(tmp_path):
    index = tmp_path / "index"
    store = AnalyticsStore(index / "analytics.sqlite3")
    store.record_search("마스크", 0, 12.5)
    store.record_search("마스크", 0, 3.0)
    store.record_search("smart city", 4, 8.0)
    store.record_click("smart city", "doc-1", 2)
    assert store.flush()
    command = [sys.executable, "-m", "search_api.cli", "analytics", "--index", str(index)]
    as_json = subprocess.run(command + ["--json"], capture_output=True, text=True, timeout=60)
    assert as_json.returncode == 0, as_json.stderr
    report = json.loads(as_json.stdout)
    assert report["zero_result_queries"][0]["query"] == "마스크" and report["zero_result_queries"][0]["searches"] == 2
    assert report["totals"] == {"searches": 3, "zero_results": 2, "clicks": 1, "clicks_per_search": 0.333}
    text = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert text.returncode == 0 and "3 searches, 2 with no result, 1 clicks" in text.stdout
    assert "마스크" in text.stdout and "doc-1" in text.stdout
    missing = subprocess.run([sys.executable, "-m", "search_api.cli", "analytics", "--index", str(tmp_path / "none")],
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 1 and "no analytics file" in missing.stderr


def test_the_writer_applies_the_retention_when_it_starts(tmp_path):
    db = tmp_path / "analytics.sqlite3"
    conn = connect(db)
    conn.execute("INSERT INTO searches VALUES (?, '2000-01-01', 'forgotten', 1, 1.0)", (time.time() - 10 * 86400,))
    conn.close()
    store = AnalyticsStore(db, retention_days=7)
    store.record_search("kept", 3, 2.0)
    assert store.flush()
    assert [q["query"] for q in AnalyticsStore(db).report(days=30)["top_queries"]] == ["kept"]


def test_the_store_past_its_size_cap_drops_its_oldest_rows(tmp_path):
    store = AnalyticsStore(tmp_path / "a.sqlite3", max_mb=1)
    for n in range(40):
        for k in range(100):
            store.record_search(f"query {n} {k} " + "x" * 150, k % 3, 1.0)
        assert store.flush(30)
    with sqlite3.connect(store.path) as conn:
        kept = conn.execute("SELECT COUNT(*), MIN(query) FROM searches").fetchone()
        pages = conn.execute("PRAGMA page_count").fetchone()[0] * conn.execute("PRAGMA page_size").fetchone()[0]
    assert 0 < kept[0] < 4000  # the oldest were dropped
    assert pages < 3 * 1024 * 1024
