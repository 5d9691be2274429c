"""Long documents end to end: every file a record with its own title, the answering page linked.

Real PDFs written with fpdf2 (Korean in NanumGothic), a real index built by ``build_index``,
real searches through the Flask app.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import fpdf
import pytest
from fpdf.fonts import FontFace

from indexer.index.builder import build_index
from search_api import create_app

NANUM = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")
pytestmark = pytest.mark.skipif(not NANUM.exists(), reason="fonts-nanum is not installed (make system-deps)")

FILLER = ("이 문서는 서울특별시의 도시 정책 자료를 정리한 것이다. 각 장은 사업의 배경과 추진 경과를 설명한다. "
          "관계 부서는 예산과 일정을 협의하여 계획을 보완한다. ")
#: What each page of the long plan is about: the answer to the test's question is on page 7.
TOPICS = {1: "총괄 개요", 2: "추진 배경", 3: "교통 현황", 4: "주택 공급", 5: "상수도 관리", 6: "기후 대응",
          7: "빗물 저류조 설치 확대와 침수 예방 대책", 8: "예산 계획", 9: "향후 일정"}


def _ruling(path: Path, case: str, body: str) -> Path:
    """A court ruling laid out as Korean courts print them: the letter-spaced court name on top."""
    doc = fpdf.FPDF(format="A4")
    doc.add_font("nanum", "", str(NANUM))
    doc.add_page()
    doc.set_font("nanum", size=24)
    doc.cell(0, 14, "서 울 고 등 법 원", align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("nanum", size=11)
    doc.cell(0, 8, "제 7 행 정 부", align="C", new_x="LMARGIN", new_y="NEXT")
    doc.cell(0, 8, "판 결", align="C", new_x="LMARGIN", new_y="NEXT")
    doc.cell(0, 8, f"사 건 {case}", new_x="LMARGIN", new_y="NEXT")
    doc.multi_cell(0, 7, body * 4, new_x="LMARGIN", new_y="NEXT")
    doc.add_page()
    doc.multi_cell(0, 7, FILLER * 6, new_x="LMARGIN", new_y="NEXT")
    doc.output(str(path))
    return path


def _long_plan(path: Path) -> Path:
    """A nine-page plan, one topic a page, each page also full of the same boilerplate."""
    doc = fpdf.FPDF(format="A4")
    doc.add_font("nanum", "", str(NANUM))
    for number, topic in TOPICS.items():
        doc.add_page()
        doc.set_font("nanum", size=16)
        doc.cell(0, 10, f"{number}. {topic}", new_x="LMARGIN", new_y="NEXT")
        doc.set_font("nanum", size=11)
        if number == 7:
            doc.multi_cell(0, 7, "서울시는 집중호우에 대비하여 빗물 저류조를 2026년까지 12곳 더 설치한다. "
                                 "저류조는 침수 피해가 잦은 저지대 주택가에 우선 배치한다. ", new_x="LMARGIN", new_y="NEXT")
        doc.multi_cell(0, 7, FILLER * 8, new_x="LMARGIN", new_y="NEXT")
    doc.set_font("nanum", size=11)
    doc.add_page()  # page 10: a ruled table, its answer in a cell
    doc.cell(0, 10, "10. 자치구별 공공자전거 대여소", new_x="LMARGIN", new_y="NEXT")
    with doc.table(col_widths=(40, 40, 40), headings_style=FontFace()) as table:
        for values in (("자치구", "대여소", "비고"), ("마포구", "183곳", "한강 인접"), ("노원구", "97곳", "신규 확충")):
            row = table.row()
            for value in values:
                row.cell(value)
    doc.output(str(path))
    return path


@pytest.fixture(scope="module")
def long_index(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("long-documents")
    sources = root / "sources"
    sources.mkdir()
    _ruling(sources / "판결문 시정명령.pdf", "2023누36352 시정명령 취소",
            "원고는 피고의 시정명령이 위법하다고 주장한다. 법원은 처분을 취소한다. ")
    _ruling(sources / "판결문 손해배상.pdf", "2021나2050919 손해배상(의)",
            "원고는 미성년자에게 필러를 주입한 병원에 손해배상을 청구한다. ")
    _long_plan(sources / "도시 안전 기본계획.pdf")
    summary = build_index([sources], root / "index")
    return root / "index", {"summary": summary}


@pytest.fixture(scope="module")
def long_client(long_index):
    index_dir, _ = long_index
    return create_app({"index": str(index_dir)}).test_client()


def _search(client, q: str, **params) -> dict:
    response = client.get("/api/search", query_string={"q": q, **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _record_by_path(client, name: str) -> dict:
    for hit in _search(client, "", size=100)["results"]:
        record = client.get(f"/api/documents/{hit['id']}").get_json()
        if record["source"]["path"] == name:
            return record
    raise AssertionError(f"no record of {name}")


def test_two_korean_named_rulings_with_one_letterhead_are_two_records_with_their_own_titles(long_index, long_client):
    _, built = long_index
    assert built["summary"].skipped == []
    first = _record_by_path(long_client, "판결문 시정명령.pdf")
    second = _record_by_path(long_client, "판결문 손해배상.pdf")
    assert first["id"] != second["id"]
    assert first["title"] == "2023누36352 시정명령 취소"
    assert second["title"] == "2021나2050919 손해배상(의)"


def test_a_question_answered_on_page_7_links_to_page_7(long_client):
    for mode in ("hybrid", "lexical"):
        body = _search(long_client, "침수 예방을 위해 빗물 저류조를 몇 곳 더 설치하나요?", mode=mode)
        top = body["results"][0]
        record = long_client.get(f"/api/documents/{top['id']}").get_json()
        assert record["source"]["path"] == "도시 안전 기본계획.pdf"
        assert top["page"] == 7 and top["url"].endswith("#page=7"), (mode, top)
        assert "<mark>저류조</mark>" in top["snippet"]
    # its other pages that hold the words are listed beside it (inner hits), each linked to its page
    further = _search(long_client, "서울특별시 도시 정책 예산", mode="lexical")["results"][0]["passages"]
    assert 1 <= len(further) <= 2
    assert all(p["url"].endswith(f"#page={p['page']}") and "<mark>" in p["snippet"] for p in further)


def test_a_table_cell_answer_is_found_on_its_page(long_client):
    top = _search(long_client, "마포구 공공자전거 대여소는 몇 곳인가요?", mode="lexical")["results"][0]
    assert top["page"] == 10 and "183곳" in re.sub(r"</?mark>", "", top["snippet"])


def test_a_forced_id_collision_is_reported_with_both_sources_and_loses_nothing_else(tmp_path):
    exports = tmp_path / "exports"
    exports.mkdir()
    line = {"id": "plan-2024", "title": "Plan 2024", "body": "The first export's plan for parks."}
    (exports / "a.jsonl").write_text(json.dumps(line) + "\n" + json.dumps(
        {"id": "other", "title": "Other", "body": "Another record kept."}) + "\n", encoding="utf-8")
    (exports / "b.jsonl").write_text(json.dumps(dict(line, body="The second export's plan for rivers.")) + "\n",
                                     encoding="utf-8")
    summary = build_index([exports], tmp_path / "index")
    assert summary.records == 2
    (where, reason), = summary.skipped
    assert where.endswith("b.jsonl") and "plan-2024" in reason and "a.jsonl" in reason


def test_semantic_mode_always_answers_with_the_closest_records(client):
    body = client.get("/api/search", query_string={"q": "감염병", "mode": "semantic"}).get_json()
    assert body["total"] == len(body["results"]) or body["total"] > len(body["results"])
    assert body["results"], "mode=semantic must answer"
    assert any("COVID" in hit["title"] or "코로나" in hit["title"] or "Mask" in hit["title"]
               for hit in body["results"][:5]), [hit["title"] for hit in body["results"][:5]]
