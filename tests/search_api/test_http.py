"""Over real HTTP: CORS, and a generation switch under a stream of requests."""
from __future__ import annotations

import json
import threading
import time

import requests

from indexer.index.builder import build_index
from search_api import create_app
from tests.search_api.conftest import LiveServer


def test_cors_on_get_routes(live_server):
    response = live_server.get("/api/search?q=Seoul", headers={"Origin": "https://city.example"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Content-Type"].startswith("application/json")


def test_cors_origins_are_configurable(index_dir):
    app = create_app({"index": str(index_dir), "cors_origins": "https://a.example,https://b.example"})
    client = app.test_client()
    allowed = client.get("/healthz", headers={"Origin": "https://b.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://b.example"
    refused = client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_error_over_http_is_json_not_html(live_server):
    response = live_server.get("/api/search?size=1000")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_parameter"
    assert "<html" not in response.text.lower()


def _write_export(path, titles):
    lines = [json.dumps({"id": f"rec-{i}", "title": t, "body": f"{t}. Seoul shares this policy."}) for i, t in enumerate(titles)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_generation_switch_under_requests_has_no_failed_request(tmp_path):
    export = tmp_path / "src" / "records.jsonl"
    export.parent.mkdir()
    _write_export(export, [f"Bicycle lane plan {i}" for i in range(30)])
    index = tmp_path / "index"
    build_index([export.parent], index)
    server = LiveServer(create_app({"index": str(index), "refresh_interval": 0.2}))
    first = server.get("/healthz").json()["generation"]
    failures: list[str] = []
    served = []
    stop = threading.Event()

    def hammer():
        session = requests.Session()
        while not stop.is_set():
            try:
                response = session.get(server.url + "/api/search?q=bicycle&size=5", timeout=10)
                if response.status_code != 200:
                    failures.append(f"{response.status_code} {response.text[:200]}")
                else:
                    served.append(response.json()["total"])
            except requests.RequestException as exc:
                failures.append(repr(exc))

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)
        _write_export(export, [f"Bicycle lane plan {i}" for i in range(40)])
        build_index([export.parent], index)
        switched_at = time.monotonic()
        new_generation = None
        while time.monotonic() - switched_at < 10:
            new_generation = server.get("/healthz").json()["generation"]
            if new_generation != first:
                break
            time.sleep(0.05)
        delay = time.monotonic() - switched_at
        time.sleep(0.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        server.stop()
    assert new_generation != first
    assert delay < 2.0, f"new generation served after {delay:.2f} s"
    assert not failures, failures[:5]
    assert served and served[-1] == 40 and 30 in served


def test_a_snapshot_retired_between_lookup_and_use_is_never_used_or_closed_twice(index_dir):
    from search_api.index_reader import IndexHolder

    holder = IndexHolder(index_dir)
    stale = holder._current()
    stale.retire()  # a generation switch closes it: nobody holds it
    assert stale.enter() is False  # a late request must not use it...
    stale.retire()  # ...and closing again is harmless
    holder._snapshot = None  # the holder opens the live generation anew
    with holder.snapshot() as fresh:
        assert fresh is not stale and fresh.searcher.doc_count() > 0
    holder.close()
