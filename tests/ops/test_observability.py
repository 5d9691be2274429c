"""Metrics, JSON logs with request ids, the zero-result log; rate and size limits."""
from __future__ import annotations

import io
import json
import logging

import pytest

from search_api import create_app
from search_api.ops.limits import TokenBuckets, client_address, parse_rate
from search_api.ops.logging_setup import JsonFormatter
from tests.ops.helpers import live

TOKEN = "obs-token"


@pytest.fixture()
def client(shared_index, tmp_path):
    app = create_app({"index": str(shared_index), "zero_result_log": str(tmp_path / "zero"),
                      "admin_token": TOKEN, "jobs_dir": str(tmp_path / "jobs")})
    return app.test_client()


def _metric(text: str, name: str) -> float | None:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_metrics_text_format(client, shared_index):
    client.get("/api/search?q=seoul")
    client.get("/api/documents/nope")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert 'policy_search_http_requests_total{method="GET",route="/api/search",status="200"}' in text
    assert 'route="/api/documents/<path:doc_id>",status="404"' in text  # the route template, never the raw path
    assert "policy_search_http_request_duration_seconds_bucket" in text
    generation = live(shared_index)
    assert f'policy_search_index_info{{generation="{generation}"' in text
    assert _metric(text, "policy_search_index_generation") == int(generation[1:7])
    assert _metric(text, "policy_search_index_records") >= 18
    assert _metric(text, "policy_search_index_built_timestamp_seconds") > 1.6e9
    from prometheus_client.parser import text_string_to_metric_families

    names = {family.name for family in text_string_to_metric_families(text)}
    assert {"policy_search_http_requests", "policy_search_zero_result_queries", "policy_search_index_records"} <= names


def test_request_id_is_echoed_or_made(client):
    given = client.get("/healthz", headers={"X-Request-ID": "abc-123.x"})
    assert given.headers["X-Request-ID"] == "abc-123.x"
    for bad in ("bad id <script>", "x" * 200, "a;b=c"):
        made = client.get("/healthz", headers={"X-Request-ID": bad})
        assert made.headers["X-Request-ID"] != bad and len(made.headers["X-Request-ID"]) == 32


def test_access_log_is_one_json_object_per_line(client):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("policy_search.access")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        client.get("/api/search?q=서울", headers={"X-Request-ID": "req-42"})
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines, "no access line"
    line = lines[-1]
    assert line["request_id"] == "req-42" and line["status"] == 200 and line["route"] == "/api/search"
    assert {"ts", "level", "logger", "msg", "duration_ms", "method", "path"} <= set(line)


def test_zero_result_queries_are_logged_and_counted(client, tmp_path):
    before = _metric(client.get("/metrics").get_data(as_text=True), "policy_search_zero_result_queries_total")
    client.get("/api/search?q=xyzzyplughnothing&lang=en", headers={"X-Request-ID": "zr-1"})
    client.get("/api/search?q=seoul")  # has results: not logged
    client.get("/api/search?q=")  # empty query: not logged
    files = list((tmp_path / "zero").glob("zero-results-*.jsonl"))
    entries = [json.loads(l) for f in files for l in f.read_text().splitlines()]
    assert [e["query"] for e in entries] == ["xyzzyplughnothing"]
    assert entries[0]["filters"] == {"lang": ["en"]} and entries[0]["request_id"] == "zr-1"
    after = _metric(client.get("/metrics").get_data(as_text=True), "policy_search_zero_result_queries_total")
    assert after == before + 1
    listed = client.get("/api/admin/zero-results", headers={"Authorization": f"Bearer {TOKEN}"}).get_json()
    assert listed["entries"][0]["query"] == "xyzzyplughnothing"
    assert client.get("/api/admin/zero-results").status_code == 401


def test_rate_limit_429_with_retry_after(shared_index):
    client = create_app({"index": str(shared_index), "rate_limit": "3/minute"}).test_client()
    statuses = [client.get("/api/search?q=seoul").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    limited = client.get("/api/facets")
    assert limited.status_code == 429
    assert limited.get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 20
    assert client.get("/healthz").status_code == 200  # not a public search route
    assert client.get("/metrics").status_code == 200
    other = client.get("/api/search?q=seoul", environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert other.status_code == 200  # another client has its own bucket
    text = client.get("/metrics").get_data(as_text=True)
    assert _metric(text, "policy_search_rate_limited_total") >= 3


def test_rate_limit_off_by_default(shared_index):
    client = create_app({"index": str(shared_index)}).test_client()
    assert all(client.get("/api/suggest?q=se").status_code == 200 for _ in range(30))


def test_forwarded_client_only_through_trusted_proxies(shared_index):
    client = create_app({"index": str(shared_index), "rate_limit": "1/hour",
                         "trusted_proxies": "1"}).test_client()
    for n in range(3):
        response = client.get("/api/search?q=seoul", headers={"X-Forwarded-For": f"203.0.113.{n}"})
        assert response.status_code == 200
    assert client.get("/api/search?q=seoul", headers={"X-Forwarded-For": "203.0.113.0"}).status_code == 429
    untrusted = create_app({"index": str(shared_index), "rate_limit": "1/hour"}).test_client()
    assert untrusted.get("/api/search?q=a", headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 200
    assert untrusted.get("/api/search?q=a", headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 429


def test_client_address_rules():
    assert client_address("10.0.0.9", "1.2.3.4", None) == "10.0.0.9"
    assert client_address("10.0.0.9", "1.2.3.4, 5.6.7.8", "1") == "5.6.7.8"
    assert client_address("10.0.0.9", "1.2.3.4, 5.6.7.8", "2") == "1.2.3.4"
    assert client_address("10.0.0.9", "1.2.3.4, 5.6.7.8", "5") == "1.2.3.4"
    assert client_address("10.0.0.9", "evil, 5.6.7.8", "2") == "10.0.0.9"
    assert client_address("10.0.0.9", "1.2.3.4, 10.0.0.8", "10.0.0.9,10.0.0.8") == "1.2.3.4"
    assert client_address("192.0.2.1", "1.2.3.4", "10.0.0.9") == "192.0.2.1"  # not from a listed proxy


def test_token_bucket_refills():
    now = [0.0]
    buckets = TokenBuckets(2, 10.0, clock=lambda: now[0])
    assert [buckets.take("a"), buckets.take("a")] == [0, 0]
    assert buckets.take("a") == pytest.approx(5.0)
    now[0] = 5.0
    assert buckets.take("a") == 0
    assert parse_rate("60/minute") == (60, 60.0) and parse_rate("10 per 5 seconds") == (10, 5.0)
    with pytest.raises(ValueError):
        parse_rate("lots")


def test_url_and_body_limits(shared_index):
    client = create_app({"index": str(shared_index), "max_url_chars": 300}).test_client()
    response = client.get("/api/search?q=" + "a" * 400)
    assert response.status_code == 414
    assert response.get_json()["error"]["code"] == "uri_too_long"


def test_zero_result_metric_counts_without_the_file_log(tmp_path):
    from search_api import create_app
    from tests.search_api.conftest import write_fixture_export
    from indexer.index.builder import build_index

    build_index([write_fixture_export(tmp_path / "src")], tmp_path / "index")
    client = create_app({"index": str(tmp_path / "index")}).test_client()

    def zero_count() -> float:
        text = client.get("/metrics").get_data(as_text=True)
        lines = [line for line in text.splitlines() if line.startswith("policy_search_zero_result_queries_total")]
        return sum(float(line.rsplit(" ", 1)[1]) for line in lines)

    before = zero_count()
    assert client.get("/api/search?q=zzyzxqv").get_json()["total"] == 0
    assert client.get("/api/search?q=bicycle").get_json()["total"] > 0
    assert zero_count() == before + 1
