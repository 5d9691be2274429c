"""DOCX built with python-docx: body order, a table a row per line, a file that is not a zip skipped."""
from __future__ import annotations

import zipfile
from pathlib import Path

from indexer.converters import docx as docx_converter
from indexer.extract import extract_sources
from tests.indexer.converters.office_files import write_docx


def test_body_in_document_order_with_table_rows(tmp_path):
    (record,) = docx_converter.convert(write_docx(tmp_path / "plan.docx"), tmp_path)
    lines = record["body"].split("\n")
    assert record["title"] == "2024년 기후동행카드 추진계획"
    assert lines[:2] == ["기후동행카드 추진계획",
                         "서울특별시는 2024년 1월 27일(토)부터 대중교통 무제한 정기권인 기후동행카드를 시범 운영한다."]
    assert lines[2:5] == ["구분 요금 비고", "따릉이 포함 65,000원 월 정기권", "따릉이 제외 62,000원"]
    assert lines[5] == "콘텐츠 컨트롤 안의 문단: 신청 기간은 2월 말까지다."
    assert lines[6].startswith("표 다음의 문단")
    assert "머리말" not in record["body"]
    assert record["date"] == "2024-01-27"


def test_docx_that_is_not_a_zip_is_skipped_while_the_others_are_indexed(tmp_path):
    write_docx(tmp_path / "plan.docx")
    (tmp_path / "broken.docx").write_bytes("이 파일은 워드 문서가 아니다".encode())
    bomb = write_docx(tmp_path / "bomb.docx")
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/zeros.bin", bytes(8 << 20))
    result = extract_sources([tmp_path])
    reasons = {Path(path).name: reason for path, reason in result.errors}
    assert set(reasons) == {"broken.docx", "bomb.docx"}
    assert "not a readable zip" in reasons["broken.docx"]
    assert "zip bomb" in reasons["bomb.docx"]
    (record,) = result.records
    assert record["type"] == "document" and record["lang"] == "ko"
    assert any(city["name"] == "Seoul" for city in record["cities"])
    assert "environment_climate" in record["topics"]


def test_a_full_date_line_dates_the_document_and_nothing_else_does():
    from indexer.converters.office_text import dated_line

    assert dated_line("공고문\n2023. 3. 24.\n서울특별시장") == "2023-03-24"
    assert dated_line("공고문\n2023년 3월 24일\n") == "2023-03-24"
    assert dated_line("2023. 5.\n사업 기간 2023년 3월 24일부터") is None
    assert dated_line("2023. 2. 30.") is None
