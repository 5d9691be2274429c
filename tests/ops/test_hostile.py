"""Hostile input: fuzzed queries, markup in documents and queries, path traversal, hostile PDFs."""
from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import time
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search_api import create_app
from search_api.errors import APIError
from tests.indexer.converters.hostile_pdfs import pdf_bytes as build_pdf
from tests.ops.helpers import PY, REPO, env

QUERY_ALPHABET = st.sampled_from(list('abcxyz서울시자전거公共 "\'-*()[]{}:~^!?\\/|&<>.,;+=_\t\n\u200b\u0000\ud7a3é'))
queries = st.one_of(st.text(max_size=120), st.text(alphabet=QUERY_ALPHABET, max_size=120))


@pytest.fixture(scope="module")
def hostile_app(corpus_index):
    return create_app({"index": str(corpus_index)})


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(q=queries)
def test_parser_and_builder_never_crash(q, hostile_app):
    from indexer.index.pages import query_terms
    from search_api.query.build import QueryBuilder
    from search_api.query.parse import parse_query

    try:
        parsed = parse_query(q)
    except APIError as exc:
        assert exc.status == 400
        return
    with hostile_app.extensions["policy_search.index"].snapshot() as snapshot:
        builder = QueryBuilder(snapshot.searcher.schema)
        for relaxed in (False, True):
            query = builder.build(parsed, relaxed=relaxed)
            if query is not None:
                list(snapshot.searcher.docs_for_query(query))
                query_terms(query)  # what highlighting uses


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=st.text(max_size=400))
def test_analyzer_never_crashes(text):
    from indexer.index.schema import text_analyzer

    tokens = [t.text for t in text_analyzer()(text)]
    assert all(isinstance(t, str) and t for t in tokens)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(q=queries)
def test_search_route_never_5xx(q, hostile_app):
    response = hostile_app.test_client().get("/api/search", query_string={"q": q})
    assert response.status_code in (200, 400), (q, response.status_code, response.get_data()[:300])
    assert response.mimetype == "application/json"


def test_markup_never_reaches_a_page_unescaped(hostile_app):
    client = hostile_app.test_client()
    for q in ("bike lanes parks", "<script>alert(1)</script> bike", "onerror", "<img src=x>"):
        response = client.get("/api/search", query_string={"q": q})
        assert response.status_code == 200
        assert response.mimetype == "application/json"  # never text/html
        body = response.get_json()
        for hit in body["results"]:
            # snippets are HTML with <mark>: every document character in them is escaped
            stripped = hit["snippet"].replace("<mark>", "").replace("</mark>", "")
            assert "<" not in stripped and ">" not in stripped, hit["snippet"]
        assert body["query"] == q  # the query comes back as JSON data, not markup
    hit = client.get("/api/search?q=bike+lanes+parks").get_json()["results"]
    markup = [h for h in hit if h["id"] == "fixture-markup"]
    assert markup and markup[0]["title"] == "Bike <script>alert('t')</script> lanes & <b>parks</b>"  # data in JSON
    record = client.get("/api/documents/fixture-markup")
    assert record.mimetype == "application/json"
    source = client.get("/api/documents/fixture-markup/source")
    if source.status_code == 200:
        assert not source.mimetype.startswith("text/html")
        assert source.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", [
    "/api/documents/../../etc/passwd", "/api/documents/..%2F..%2Fetc%2Fpasswd",
    "/api/documents/%2e%2e%2f%2e%2e%2fetc%2fpasswd/source", "/api/documents/..%2F..%2Fetc%2Fpasswd/source",
    "/api/documents/fixture-markup%2F..%2F..%2Fetc%2Fpasswd/source", "/api/documents//etc/passwd/source",
    "/api/documents/%00/source", "/api/documents/C:%5Cwindows%5Cwin.ini/source",
    "/api/documents/fixture-markup/../../../../etc/passwd",
])
def test_path_traversal_is_refused(hostile_app, path):
    response = hostile_app.test_client().get(path, follow_redirects=True)  # '//' is merged by a redirect
    assert response.status_code in (400, 404), (path, response.status_code)
    assert b"root:" not in response.get_data()


# --- hostile PDFs, extracted in a subprocess with a memory cap and a timeout ---------------------

MEMORY_CAP = 1536 * 1024 * 1024
TIME_CAP = 60


def _extract(path: Path) -> tuple[subprocess.CompletedProcess, float]:
    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    started = time.monotonic()
    done = subprocess.run([PY, "-m", "indexer.cli", "extract", "--json", str(path)], capture_output=True,
                          text=True, timeout=TIME_CAP, cwd=REPO, env=env(), preexec_fn=cap)
    return done, time.monotonic() - started


def _bomb(path: Path, gigabytes: float = 1.0) -> None:
    """A one-page PDF whose content stream inflates to ``gigabytes`` of zeros (FlateDecode)."""
    compressor = zlib.compressobj(9)
    chunk = b"\0" * (1 << 20)
    data = b"".join(compressor.compress(chunk) for _ in range(int(gigabytes * 1024))) + compressor.flush()
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"
    path.write_bytes(build_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        stream,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]))


def _fpdf(pages: int, text: str = "Seoul sharing city policy page {n}.", password: str | None = None) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=10)
    for n in range(pages):
        pdf.add_page()
        pdf.cell(0, 10, text.format(n=n + 1))
    if password:
        pdf.set_encryption(owner_password="owner-" + password, user_password=password)
    return bytes(pdf.output())


@pytest.fixture(scope="module")
def hostile_pdfs(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("pdfs")
    files = {}
    files["encrypted"] = root / "encrypted.pdf"
    files["encrypted"].write_bytes(_fpdf(3, password="secret"))
    good = _fpdf(40)
    files["truncated"] = root / "truncated.pdf"
    files["truncated"].write_bytes(good[: len(good) // 2])
    files["bomb"] = root / "bomb.pdf"
    _bomb(files["bomb"])
    files["long"] = root / "long.pdf"
    files["long"].write_bytes(_fpdf(5000))
    return files


def _outcome(done: subprocess.CompletedProcess) -> tuple[list[dict], str]:
    records = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return records, done.stderr


@pytest.mark.parametrize("kind", ["encrypted", "truncated", "bomb"])
def test_bad_pdfs_are_skipped_with_a_reason(hostile_pdfs, kind):
    done, seconds = _extract(hostile_pdfs[kind])
    assert done.returncode in (0, 1), (kind, done.returncode, done.stderr[-2000:])  # not killed (memory/signal)
    assert "MemoryError" not in done.stderr and "Traceback" not in done.stderr, done.stderr[-2000:]
    records, stderr = _outcome(done)
    if records:  # partly readable: a record, never a crash
        assert all(r["id"] for r in records)
        for record in records:
            assert len(record.get("body", "")) < 50_000_000
    else:
        assert "skipped" in stderr and hostile_pdfs[kind].name in stderr, stderr[-2000:]
    assert seconds < TIME_CAP


def test_5000_page_pdf_is_capped(hostile_pdfs):
    done, seconds = _extract(hostile_pdfs["long"])
    assert done.returncode == 0, done.stderr[-2000:]
    records, _ = _outcome(done)
    assert len(records) == 1
    pages = records[0].get("pages") or []
    assert 0 < len(pages) <= 2000
    assert pages[-1]["number"] <= 2000


# --- a build around hostile sources: each is skipped and reported, the good files beside it indexed ---

from tests.indexer.converters import hostile_pdfs as pdf_bytes  # noqa: E402
from tests.ops.helpers import Server, free_port, indexer  # noqa: E402

BOMB = 256 << 20
EXPORT_LINES = [
    json.dumps({"id": "exp-good-1", "title": "Seoul bike lanes", "body": "Bike lanes in Seoul.",
                "internal_note": "embargoed until 2030"}),
    '{"id": "exp-broken", "title": "no closing brace"',  # line 2: invalid JSON
    "",
    json.dumps({"id": "bad id with spaces", "title": "x", "body": "y"}),  # line 4: bad id
    json.dumps({"id": "exp-js-url", "title": "Parks", "body": "Parks.", "url": "javascript:alert(1)"}),
    json.dumps({"id": "exp-bidi", "title": "invoice \u202efdp.exe", "body": "An invoice.",
                "topics": ["trans\u202eport"]}),
    json.dumps({"id": "exp-sep", "title": "Line\u2028separator inside", "body": "Still one physical line."}),
    json.dumps({"id": "exp-bad-date", "title": "Dated", "body": "Body.", "date": "sometime"}),  # line 8: schema
    json.dumps({"id": "exp-good-2", "title": "Housing policy", "body": "Housing.",
                "url": "https://example.org/housing"}),
]


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory) -> tuple[Path, dict, Path]:
    root = tmp_path_factory.mktemp("hostile-build")
    src = root / "src"
    src.mkdir()
    (src / "good.txt").write_text("Seoul sharing city\n\nThe sharing city policy of Seoul opens public buildings.\n")
    (src / "export.jsonl").write_text("\n".join(EXPORT_LINES) + "\n", encoding="utf-8")
    (src / "bomb-flate-flate.pdf").write_bytes(pdf_bytes.chained_flate_bomb(BOMB))
    (src / "bomb-hex-flate.pdf").write_bytes(pdf_bytes.hex_flate_bomb(BOMB))
    (src / "bomb-tounicode.pdf").write_bytes(pdf_bytes.to_unicode_bomb(BOMB))
    (src / "slow.pdf").write_bytes(pdf_bytes.slow_pages(pages=10, operators=100_000))
    secret = root / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("Outside secret\n\nroot:x:0:0 must never be indexed.\n")
    (src / "passwd.txt").symlink_to(secret)
    (src / "linked-folder").symlink_to(secret.parent, target_is_directory=True)
    index_dir = root / "index"
    done = subprocess.run([PY, "-m", "indexer.cli", "build", str(src), "--index", str(index_dir)],
                          capture_output=True, text=True, timeout=240, cwd=REPO,
                          env=env(POLICY_INDEX_CONVERT_CPU_SECONDS="2", POLICY_INDEX_CONVERT_WALL_SECONDS="0"))
    assert done.returncode == 0, done.stderr[-3000:]
    generation = json.loads((index_dir / "generations" / live_name(index_dir) / "generation.json").read_text())
    return index_dir, {"stdout": done.stdout, "generation": generation}, src


def live_name(index_dir: Path) -> str:
    return (index_dir / "CURRENT").read_text().strip()


def _skipped(build: dict) -> dict[str, str]:
    return {item["path"]: item["reason"] for item in build["generation"]["skipped"]}


def _ids(index_dir: Path) -> set[str]:
    client = create_app({"index": str(index_dir)}).test_client()
    return {hit["id"] for hit in client.get("/api/search?q=seoul OR housing OR parks OR invoice OR line OR dated"
                                            "&size=100").get_json()["results"]}


@pytest.mark.parametrize("name", ["bomb-flate-flate.pdf", "bomb-hex-flate.pdf", "bomb-tounicode.pdf"])
def test_bomb_pdfs_are_skipped_and_the_build_goes_on(hostile_build, name):
    index_dir, build, src = hostile_build
    assert "decompression bomb" in _skipped(build)[str(src / name)]
    assert {"exp-good-1", "exp-good-2"} <= _ids(index_dir)


def test_a_slow_pdf_is_stopped_by_its_cpu_limit(hostile_build):
    _, build, src = hostile_build
    assert "CPU limit of 2 s exceeded" in _skipped(build)[str(src / "slow.pdf")]


def test_symlinks_are_skipped_and_reported(hostile_build):
    index_dir, build, src = hostile_build
    skipped = _skipped(build)
    assert "symbolic link" in skipped[str(src / "passwd.txt")]
    assert "symbolic link" in skipped[str(src / "linked-folder")]
    client = create_app({"index": str(index_dir)}).test_client()
    assert client.get("/api/search?q=secret").get_json()["total"] == 0


def test_every_skipped_jsonl_line_is_reported_with_its_physical_line(hostile_build):
    _, build, src = hostile_build
    skipped = _skipped(build)
    export = str(src / "export.jsonl")
    assert "invalid JSON" in skipped[f"{export}:2"]
    assert "not URL-safe" in skipped[f"{export}:4"]
    assert "date" in skipped[f"{export}:8"]  # the physical line, not the position among accepted records
    assert "url dropped" in skipped[f"{export}:5"]
    assert f"skipped: {len(build['generation']['skipped'])}" in build["stdout"]


def test_urls_must_be_http_and_format_controls_are_stripped(hostile_build):
    index_dir, _, _ = hostile_build
    client = create_app({"index": str(index_dir)}).test_client()
    assert "url" not in client.get("/api/documents/exp-js-url").get_json()
    assert client.get("/api/documents/exp-good-2").get_json()["url"] == "https://example.org/housing"
    bidi = client.get("/api/documents/exp-bidi").get_json()
    assert bidi["title"] == "invoice fdp.exe" and bidi["topics"] == ["transport"]


def test_a_jsonl_records_source_is_its_own_line(hostile_build):
    index_dir, _, src = hostile_build
    client = create_app({"index": str(index_dir)}).test_client()
    response = client.get("/api/documents/exp-good-2/source")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == json.loads(EXPORT_LINES[8])
    assert b"embargoed" not in response.get_data() and b"exp-broken" not in response.get_data()
    assert client.get("/api/documents/exp-sep/source").get_json()["id"] == "exp-sep"  # U+2028 is not a line end


def test_a_source_replaced_by_a_symlink_is_not_served(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    page = src / "page.txt"
    page.write_text("Seoul sharing city\n\nThe sharing city policy of Seoul.\n")
    (tmp_path / "secret.txt").write_text("root:x:0:0\n")
    assert indexer("build", src, "--index", tmp_path / "index").returncode == 0
    client = create_app({"index": str(tmp_path / "index")}).test_client()
    (doc_id,) = [hit["id"] for hit in client.get("/api/search?q=seoul").get_json()["results"]]
    assert client.get(f"/api/documents/{doc_id}/source").status_code == 200
    page.unlink()
    page.symlink_to(tmp_path / "secret.txt")
    response = client.get(f"/api/documents/{doc_id}/source")
    assert response.status_code == 404 and b"root:" not in response.get_data()
    assert response.get_json()["error"]["code"] == "source_not_found"


def test_a_source_outside_every_root_is_not_served(tmp_path, corpus_index):
    client = create_app({"index": str(corpus_index)}).test_client()
    hit = client.get("/api/search?q=seoul&type=brochure").get_json()["results"][0]
    assert client.get(f"/api/documents/{hit['id']}/source").status_code == 200
    # an index whose recorded sources no longer hold the file: a moved generation.json cannot widen it
    from search_api.routes.documents import _checked_origin
    from search_api.errors import APIError as Err

    with pytest.raises(Err):
        _checked_origin("/etc/passwd", [tmp_path])


# --- headers and origins -------------------------------------------------------------------------

def test_admin_and_metrics_are_not_cors_open_and_everything_is_nosniff(hostile_app):
    app = create_app({"index": hostile_app.extensions["policy_search.settings"].index, "admin_token": "tok"})
    client = app.test_client()
    auth = {"Authorization": "Bearer tok", "Origin": "https://evil.example"}
    for path in ("/metrics", "/api/admin/zero-results", "/api/admin/jobs/0123456789abcdef"):
        response = client.get(path, headers=auth)
        assert "Access-Control-Allow-Origin" not in response.headers, path
    assert client.get("/api/search?q=seoul", headers=auth).headers["Access-Control-Allow-Origin"] == "*"
    for path in ("/", "/embed-demo", "/widget.js", "/api/search?q=seoul", "/healthz", "/metrics", "/nope",
                 "/api/openapi.json"):
        response = client.get(path)
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Content-Type"].count("charset") <= 1, (path, response.headers["Content-Type"])
        if response.mimetype == "text/html":
            assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"], path


@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:1;script-src-elem *", "http://127.0.0.1:1 https://evil.example",
                                      "http://127.0.0.1:1/'unsafe-inline'", "javascript:alert(1)",
                                      "http://127.0.0.1:99999", "https://evil.example"])
def test_the_demo_endpoint_is_validated_before_it_reaches_a_header(hostile_app, endpoint):
    response = hostile_app.test_client().get("/embed-demo", query_string={"endpoint": endpoint})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_endpoint"
    assert "Content-Security-Policy" not in response.headers or "evil" not in response.headers["Content-Security-Policy"]


def test_no_header_is_built_from_host(hostile_app):
    client = hostile_app.test_client()
    response = client.get("/embed-demo", headers={"Host": "evil.example;script-src *"})
    assert "evil" not in response.headers["Content-Security-Policy"] and b"evil" not in response.get_data()
    good = client.get("/embed-demo", query_string={"endpoint": "http://127.0.0.1:8001/"})
    assert "script-src 'self' http://127.0.0.1:8001;" in good.headers["Content-Security-Policy"]


# --- zero-result log -----------------------------------------------------------------------------

def test_zero_result_log_keeps_only_the_query_and_known_filters_and_rotates(hostile_app, tmp_path):
    index = hostile_app.extensions["policy_search.settings"].index
    folder = tmp_path / "zero"
    app = create_app({"index": index, "zero_result_log": str(folder), "zero_result_log_max_bytes": 4096,
                      "zero_result_log_backups": 2, "admin_token": "tok"})
    client = app.test_client()
    response = client.get("/api/search", query_string={"q": "xyzzy nothing", "lang": "en", "city": "c" * 300,
                                                       "access_token": "SECRET-TOKEN", "email": "someone@example.org"})
    assert response.status_code == 200 and response.get_json()["total"] == 0
    text = "".join(p.read_text() for p in folder.glob("*.jsonl"))
    assert "SECRET-TOKEN" not in text and "someone@example.org" not in text
    entry = json.loads(text.splitlines()[0])
    assert set(entry["filters"]) == {"lang", "city"} and len(entry["filters"]["city"][0]) == 100
    for n in range(200):
        client.get("/api/search", query_string={"q": f"xyzzy{n} nothing"})
    files = sorted(folder.glob("zero-results-*.jsonl"))
    assert [p.name for p in files] == ["zero-results-0.jsonl", "zero-results-1.jsonl", "zero-results-2.jsonl"]
    assert all(p.stat().st_size <= 4096 for p in files)
    listed = client.get("/api/admin/zero-results?limit=5", headers={"Authorization": "Bearer tok"}).get_json()
    assert [e["query"] for e in listed["entries"]] == [f"xyzzy{n} nothing" for n in range(199, 194, -1)]


# --- a real gunicorn: long request lines, control socket, no query strings in its log lines ------

def test_served_long_urls_get_our_json_414_and_no_control_socket_is_shared(corpus_index, tmp_path):
    import requests

    home = tmp_path / "home"
    home.mkdir()
    server = Server(corpus_index, port=free_port(), HOME=str(home), XDG_RUNTIME_DIR="")
    try:
        server.wait_ready()
        response = requests.get(server.url + "/api/search?q=" + "a" * 40_000, timeout=10)  # over the 32,768 default
        assert response.status_code == 414
        assert response.json()["error"]["code"] == "uri_too_long"
        assert requests.get(server.url + "/api/search?q=seoul", timeout=10).status_code == 200
        pasted = ("서울시는 대중교통 요금을 낮추고 공유 자전거를 늘렸다. " * 100)[:2990]  # ~27 KB percent-encoded
        assert requests.get(server.url + "/api/search", params={"q": pasted}, timeout=60).status_code == 200
        assert not (home / ".gunicorn").exists()  # gunicorn's default, shared by every server of a user
    finally:
        server.stop()
    assert "a" * 100 not in server.log()


def test_log_lines_never_carry_a_query_string():
    import logging

    from search_api.ops.logging_setup import JsonFormatter

    record = logging.LogRecord("gunicorn.error", logging.ERROR, __file__, 1, "Error handling request %s %s",
                               ("GET", "/api/search?q=secret&access_token=abc"), None)
    line = JsonFormatter().format(record)
    assert "secret" not in line and "access_token" not in line and "/api/search?" in line


# --- per-instance operations state and the admin job's skipped inputs ----------------------------

def test_a_reindex_job_lists_every_skipped_input(index_dir, tmp_path):
    from tests.ops.helpers import CORPUS
    from tests.ops.test_admin import AUTH, TOKEN, _wait

    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "export.jsonl").write_text("\n".join(EXPORT_LINES) + "\n", encoding="utf-8")
    (extra / "link.txt").symlink_to(CORPUS / "pages" / sorted(p.name for p in (CORPUS / "pages").glob("*.txt"))[0])
    client = create_app({"index": str(index_dir), "admin_token": TOKEN,
                         "sources": f"{CORPUS},{extra}"}).test_client()
    response = client.post("/api/admin/reindex", json={"mode": "full"}, headers=AUTH)
    assert response.status_code == 202, response.get_json()
    job = _wait(client, response.get_json()["id"])
    assert job["status"] == "succeeded", job
    skipped = {item["path"]: item["reason"] for item in job["skipped"]}
    export = str((extra / "export.jsonl").resolve())
    assert "invalid JSON" in skipped[f"{export}:2"] and "date" in skipped[f"{export}:8"]
    assert "symbolic link" in skipped[str(extra.resolve() / "link.txt")]
    assert (index_dir / "jobs" / f"{job['id']}.json").is_file()  # the jobs folder is the index's own


def test_sibling_indexes_do_not_share_jobs(tmp_path):
    import json as _json

    from search_api.ops.jobs import default_jobs_dir

    one, two = tmp_path / "one", tmp_path / "two"
    assert default_jobs_dir(one) == one.resolve() / "jobs" != default_jobs_dir(two)
    (one / "jobs").mkdir(parents=True)
    (one / "jobs" / "0123456789abcdef.json").write_text(_json.dumps(
        {"id": "0123456789abcdef", "mode": "full", "status": "failed", "finished_at": "2026-01-01T00:00:00+00:00",
         "started_ts": 1.0, "progress": {}, "counts": {}, "errors": ["x"]}))
    metrics_two = create_app({"index": str(two)}).test_client().get("/metrics").get_data(as_text=True)
    metrics_one = create_app({"index": str(one)}).test_client().get("/metrics").get_data(as_text=True)
    assert "policy_search_last_build_success{" in metrics_one
    assert "policy_search_last_build_success{" not in metrics_two


def test_each_server_has_its_own_control_socket_or_none(corpus_index, tmp_path):
    import stat

    home = tmp_path / "home"
    home.mkdir()
    socket_path = tmp_path / "one.ctl"
    command = [PY, "-m", "search_api.cli", "serve", "--index", str(corpus_index), "--port", str(free_port()),
               "--workers", "1", "--no-verify", "--control-socket", str(socket_path)]
    proc = subprocess.Popen(command, cwd=REPO, env=env(HOME=str(home), XDG_RUNTIME_DIR=""),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not socket_path.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert socket_path.exists() and stat.S_ISSOCK(socket_path.stat().st_mode)
        assert not (home / ".gunicorn").exists()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)
