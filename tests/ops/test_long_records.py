"""Long PDF records: a search over them stays inside its budget and never holds up /healthz.

Sixteen brochure records of 200 pages each among 400 short records, built from the
sentences of the bundled seed pages; a real ``policy-search serve`` (gunicorn) answers
two such searches at once while /healthz is polled. Deadlines are generous (functional,
not a benchmark: see bench/bench_scale.py for the numbers).
"""
from __future__ import annotations

import random
import re
import threading
import time
from pathlib import Path

import pytest
import requests

from indexer.index.builder import build_records
from indexer.records import content_hash
from tests.ops.helpers import CORPUS, serving

LONG_RECORDS = 16
PAGES = 200
SHORT_RECORDS = 400
#: The page of each long record where the query word is densest (the one to link to).
TARGET_PAGE = 137
#: Generous functional deadlines (the targets are 1 s and 100 ms, measured in bench/).
SEARCH_DEADLINE = 10.0
HEALTH_DEADLINE = 2.0


def _sentences() -> list[str]:
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted((CORPUS / "pages").glob("*.txt")))
    sentences = [s.strip() for s in re.split(r"(?<=[.!?다])\s+", text) if 30 <= len(s.strip()) <= 300]
    return [s for s in sentences if "seoul" not in s.lower() and "서울" not in s]


def _record(rid: str, title: str, body: str, rtype: str, pages: list[dict] | None = None) -> dict:
    record = {"id": rid, "title": title, "body": body, "lang": "mixed", "type": rtype,
              "source": {"path": f"{rid}.pdf" if pages else f"{rid}.txt"}, "cities": [], "topics": [], "sdgs": []}
    if pages:
        record["pages"] = pages
    record["content_hash"] = content_hash(record)
    return record


def long_pdf_records() -> list[dict]:
    rng = random.Random(11)
    sentences = _sentences()
    assert len(sentences) > 50
    records = []
    for n in range(LONG_RECORDS):
        pages = []
        for number in range(1, PAGES + 1):
            text = " ".join(rng.choice(sentences) for _ in range(4))
            if number == TARGET_PAGE:
                text += " Seoul shares its policies. Seoul city hall. The Seoul plan."
            elif number % 50 == 0:
                text += " A note on Seoul."
            pages.append({"number": number, "text": text})
        body = "\n\n".join(p["text"] for p in pages)
        records.append(_record(f"brochure-{n:02d}", f"Policy brochure {n}", body, "brochure", pages))
    for n in range(SHORT_RECORDS):
        body = " ".join(rng.choice(sentences) for _ in range(3)) + (" Seoul." if n % 4 == 0 else "")
        records.append(_record(f"short-{n:03d}", f"Short note {n}", body, "article"))
    return records


@pytest.fixture(scope="module")
def long_index(tmp_path_factory) -> Path:
    index = tmp_path_factory.mktemp("long-records") / "index"
    build_records(long_pdf_records(), {}, index, workers=2, progress=False)
    return index


def test_long_pdf_searches_stay_in_budget_and_healthz_answers(long_index: Path):
    with serving(long_index, workers=1) as server:
        url = server.url + "/api/search"
        params = {"q": "seoul", "type": "brochure", "size": str(LONG_RECORDS)}
        results: list[tuple[float, requests.Response]] = []

        def search() -> None:
            started = time.monotonic()
            response = requests.get(url, params=params, timeout=60)
            results.append((time.monotonic() - started, response))

        requests.get(url, params={"q": "warm up"}, timeout=60)  # the worker has opened the generation
        threads = [threading.Thread(target=search) for _ in range(2)]
        for thread in threads:
            thread.start()
        health: list[float] = []
        while any(thread.is_alive() for thread in threads) or not health:
            started = time.monotonic()
            response = requests.get(server.url + "/healthz", timeout=30)
            health.append(time.monotonic() - started)
            assert response.status_code == 200 and response.json()["status"]
            time.sleep(0.05)
        for thread in threads:
            thread.join()
    assert len(results) == 2
    for seconds, response in results:
        assert response.status_code == 200, response.text[:500]
        body = response.json()
        assert body["total"] == LONG_RECORDS and len(body["results"]) == LONG_RECORDS
        assert all(hit["page"] == TARGET_PAGE for hit in body["results"])
        assert all("<mark>Seoul</mark>" in hit["snippet"] for hit in body["results"])
        assert all(hit["url"].endswith(f"#page={TARGET_PAGE}") for hit in body["results"])
        assert seconds < SEARCH_DEADLINE, f"a long-PDF search took {seconds:.1f} s"
    assert max(health) < HEALTH_DEADLINE, f"/healthz took up to {max(health):.2f} s during the searches"


def test_text_past_the_cap_is_cut_and_reported(tmp_path: Path, caplog):
    from indexer.extract import extract_sources
    from indexer.records import MAX_TEXT_CHARS

    export = tmp_path / "long.jsonl"
    long_body = "Seoul policy sharing. " * (MAX_TEXT_CHARS // 20)
    export.write_text('{"id": "huge", "title": "Huge", "body": "%s"}\n{"id": "small", "title": "Small", "body": "x"}\n'
                      % long_body, encoding="utf-8")
    with caplog.at_level("WARNING"):
        result = extract_sources([export])
    by_id = {r["id"]: r for r in result.records}
    assert set(by_id) == {"huge", "small"}
    assert [where for where, reason in result.errors if "text cut to" in reason] == [f"{export}:1"]  # reported
    assert len(by_id["huge"]["body"]) == MAX_TEXT_CHARS
    assert any("huge" in m and "cut to" in m for m in caplog.messages)


def test_cap_keeps_pages_consistent_with_the_cut_body():
    from indexer.records import cap_text

    pages = [{"number": n, "text": f"page {n} " + "x" * 990} for n in range(1, 11)]
    record = {"body": "\n\n".join(p["text"] for p in pages), "pages": pages}
    cut = cap_text(record, limit=3500)
    assert cut == len("\n\n".join(p["text"] for p in pages)) - 3500 and len(record["body"]) == 3500
    assert [p["number"] for p in record["pages"]] == [1, 2, 3, 4]
    assert "\n\n".join(p["text"] for p in record["pages"]) == record["body"]
    assert cap_text(record, limit=3500) == 0
