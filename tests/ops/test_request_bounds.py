"""Requests that once cost far more than their size: each is sent for real and its cost bounded."""
from __future__ import annotations

import json
import stat

import psutil
import requests

from search_api import create_app
from search_api.suggest import MAX_SPELL_CHARS, Speller
from tests.ops.helpers import serving

MB = 1024 * 1024


def test_a_2000_letter_unknown_word_is_answered_with_bounded_memory(shared_index):
    """Did-you-mean once built every 2-deletion of the word (6 GB at 2,000 letters)."""
    word = "qx" * 1000
    with serving(shared_index) as server:
        (worker,) = server.worker_pids(expected=1)
        requests.get(server.url + "/api/search", params={"q": "bike", "mode": "lexical"}, timeout=60)
        before = psutil.Process(worker).memory_info().rss
        response = requests.get(server.url + "/api/search", params={"q": word, "mode": "lexical"}, timeout=120)
        after = psutil.Process(worker).memory_info().rss
    assert response.status_code == 200, response.text
    assert response.json()["suggestion"] is None
    assert after - before < 200 * MB, (before, after)


def test_the_speller_never_expands_a_long_word():
    from collections import Counter

    speller = Speller(Counter({"bicycle": 5, "b" * 40: 5}))
    assert "b" * 40 not in speller.index  # not filed either
    assert speller.correct("bicycel") == "bicycle"
    assert speller.correct("x" * (MAX_SPELL_CHARS + 1)) is None


def test_made_up_methods_count_as_other(shared_index):
    client = create_app({"index": str(shared_index)}).test_client()
    for n in range(30):
        client.open("/api/search", method=f"BREW{n}")
    metrics = client.get("/metrics").get_data(as_text=True)
    assert "BREW" not in metrics
    assert 'method="other"' in metrics


def test_a_deeply_nested_event_body_is_400_in_the_error_shape(shared_index, tmp_path):
    client = create_app({"index": str(shared_index), "analytics_db": str(tmp_path / "a.sqlite3")}).test_client()
    body = "[" * 8000 + "]" * 8000
    response = client.post("/api/events", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_body"


def test_an_option_like_request_id_is_replaced(shared_index):
    client = create_app({"index": str(shared_index)}).test_client()
    response = client.get("/healthz", headers={"X-Request-ID": "--index"})
    assert response.headers["X-Request-ID"] != "--index"
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"


def test_the_analytics_file_is_not_world_readable(shared_index, tmp_path):
    from search_api.ops.analytics import connect

    db = tmp_path / "analytics.sqlite3"
    connect(db).close()
    for path in tmp_path.glob("analytics.sqlite3*"):
        assert not path.stat().st_mode & stat.S_IROTH, path


def test_a_jsonl_source_serves_only_the_indexed_fields(tmp_path):
    from indexer.index.builder import build_index

    export = tmp_path / "export"
    export.mkdir()
    (export / "records.jsonl").write_text(json.dumps({
        "id": "cms-1", "title": "Bike lanes", "body": "Protected bike lanes on main roads.",
        "internal_note": "call the vendor at 010-0000-0000"}) + "\n", encoding="utf-8")
    build_index([export], tmp_path / "index")
    client = create_app({"index": str(tmp_path / "index"), "sources": str(export)}).test_client()
    response = client.get("/api/documents/cms-1/source")
    assert response.status_code == 200, response.get_data()
    served = response.get_json()
    assert served["title"] == "Bike lanes"
    assert "internal_note" not in served


def test_serve_on_a_public_address_without_a_proxy_warns(shared_index, tmp_path):
    import subprocess

    from search_api.cli import loopback
    from tests.ops.helpers import PY, REPO, env, free_port

    assert loopback("127.0.0.1") and loopback("::1") and loopback("localhost")
    assert not loopback("0.0.0.0") and not loopback("10.1.2.3")
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([PY, "-m", "search_api.cli", "serve", "--index", str(shared_index), "--host", "0.0.0.0",
                                 "--port", str(port), "--workers", "1", "--no-verify"],
                                stdout=out, stderr=subprocess.STDOUT, cwd=REPO, env=env(), start_new_session=True)
        try:
            for _ in range(300):
                try:
                    if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                        break
                except requests.RequestException:
                    import time

                    time.sleep(0.2)
        finally:
            import os
            import signal

            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(30)
    assert "without a reverse proxy" in log.read_text(errors="replace")
