"""Hostile input: fuzzed queries, markup in documents and queries, path traversal, hostile PDFs."""
from __future__ import annotations

import json
import resource
import subprocess
import time
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search_api import create_app
from search_api.errors import APIError
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
    from search_api.query_builder import QueryBuilder
    from search_api.query_parser import parse_query

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


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF from numbered object bodies (1-based), with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _bomb(path: Path, gigabytes: float = 1.0) -> None:
    """A one-page PDF whose content stream inflates to ``gigabytes`` of zeros (FlateDecode)."""
    compressor = zlib.compressobj(9)
    chunk = b"\0" * (1 << 20)
    data = b"".join(compressor.compress(chunk) for _ in range(int(gigabytes * 1024))) + compressor.flush()
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"
    path.write_bytes(_pdf([
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
