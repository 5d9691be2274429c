"""HWP 5.0 on real files: tables a row per line, compressed and not, damaged and DRM files skipped."""
from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pytest

from indexer.converters import hwp
from indexer.converters.hwp_records import parse_records
from indexer.errors import ConversionError
from indexer.extract import extract_sources
from tests.indexer.converters.office_files import DRM_HWP, FORMS_HWP, NTS_HWP


def _record(path: Path) -> dict:
    (record,) = hwp.convert(path, path.parent)
    return record


def test_uncompressed_hwp_body_title_and_table_rows():
    record = _record(NTS_HWP)
    lines = record["body"].split("\n")
    assert record["title"] == "지급명세서 제출 불성실 가산세 대상인지 여부"
    assert record["type"] == "document" and record["source"] == {"path": NTS_HWP.name}
    # the four cells of the header table's first row, left to right, on one line
    assert "[ 문서번호 ] 기준-2020-법령해석법인-0175(2020.12.30) [ 세목 ] 법인" in lines
    assert "해산등기일부터 1년이 되는 날까지 잔여재산가액이 확정되지 아니한 경우: 그 1년이 되는 날" in record["body"]


def test_compressed_hwp_keeps_a_table_cell_in_its_row():
    record = _record(FORMS_HWP)
    lines = record["body"].split("\n")
    assert "동아리 활동시간 매주 화요일(8-10교시), 금요일(6-10교시)" in lines
    assert record["title"] == "2026학년도 자율(전공)동아리 개설 신청서"
    # text past the ~1,000-character PrvText preview
    assert "SW전문가 멘토링에 소정의 서류를 갖추어 지원합니다." in record["body"]
    assert not any(ch < " " and ch != "\n" for ch in record["body"])
    # the form's dashed rules are private-use glyphs (U+F080F): never indexed
    assert not any(unicodedata.category(ch) == "Co" for ch in record["body"])


def test_distribution_key_is_recovered_from_its_seed_record():
    # a seed record whose masked bytes are zero: the key is the mask stream itself
    seed = bytes([5, 0, 0, 0]) + bytes(252)
    key = hwp.distribution_key(seed)
    assert len(key) == 16 and key != bytes(16)
    assert hwp.distribution_key(seed) == key
    with pytest.raises(ConversionError):
        hwp.distribution_key(seed[:100])


def test_truncated_records_are_an_error_not_garbage():
    with pytest.raises(ConversionError, match="truncated"):
        parse_records(b"\x43\x04\x50\x00" + b"abc")  # PARA_TEXT declaring 5 bytes, 3 given


def test_damaged_and_drm_files_are_skipped_while_the_others_are_indexed(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(NTS_HWP, folder / "ruling.hwp")
    shutil.copy(DRM_HWP, folder / "drm.hwp")
    data = FORMS_HWP.read_bytes()
    (folder / "truncated.hwp").write_bytes(data[: len(data) // 2])
    (folder / "garbage.hwp").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    result = extract_sources([folder])
    reasons = {Path(path).name: reason for path, reason in result.errors}
    assert set(reasons) == {"drm.hwp", "truncated.hwp", "garbage.hwp"}
    assert "MarkAny" in reasons["drm.hwp"]
    assert "truncated" in reasons["truncated.hwp"] and "corrupt" in reasons["garbage.hwp"]
    assert [Path(p).name for p in result.origins.values()] == ["ruling.hwp"]
    assert result.records[0]["title"] == "지급명세서 제출 불성실 가산세 대상인지 여부"


def test_everyday_korean_words_in_forms_are_not_cities():
    # the forms' tables are full of 비고 (remarks) and their text of 위해 (for): not Vigo, not Weihai
    (record,) = extract_sources([FORMS_HWP]).records
    assert "비고" in record["body"] and "위해" in record["body"]
    assert record["cities"] == []
    (ruling,) = extract_sources([NTS_HWP]).records
    assert not any(city["name"] == "Huế" for city in ruling["cities"])


def _rec(tag: int, level: int, payload: bytes) -> bytes:
    import struct

    return struct.pack("<I", tag | level << 10 | len(payload) << 20) + payload


def _para_text(*parts) -> bytes:
    """PARA_TEXT payload: str runs and extended controls (an int code, eight code units)."""
    out = b""
    for part in parts:
        out += part.encode("utf-16-le") if isinstance(part, str) else bytes([part, 0]) + bytes(12) + bytes([part, 0])
    return out + "\r".encode("utf-16-le")


def _ctrl(kind: str) -> bytes:
    return kind[::-1].encode("latin-1") + bytes(4)


def _cell(row: int, col: int) -> bytes:
    import struct

    return struct.pack("<HHIHH", 1, 0, 0, col, row) + bytes(20)


def test_section_records_headers_dropped_footnotes_apart_cells_by_row():
    from indexer.converters import hwp_records as R

    section = b"".join([
        _rec(R.TAG_PARA_HEADER, 0, bytes(22)),
        _rec(R.TAG_PARA_TEXT, 1, _para_text("본문 앞", 16, " 본문 뒤", 17)),
        _rec(R.TAG_CTRL_HEADER, 1, _ctrl("head")),
        _rec(R.TAG_LIST_HEADER, 2, bytes(8)),
        _rec(R.TAG_PARA_HEADER, 2, bytes(22)),
        _rec(R.TAG_PARA_TEXT, 3, _para_text("머리말 대외비")),
        _rec(R.TAG_CTRL_HEADER, 1, _ctrl("fn  ")),
        _rec(R.TAG_LIST_HEADER, 2, bytes(8)),
        _rec(R.TAG_PARA_HEADER, 2, bytes(22)),
        _rec(R.TAG_PARA_TEXT, 3, _para_text("각주: 2024년 기준")),
        _rec(R.TAG_PARA_HEADER, 0, bytes(22)),
        _rec(R.TAG_PARA_TEXT, 1, _para_text(11)),
        _rec(R.TAG_CTRL_HEADER, 1, _ctrl("tbl ")),
        _rec(R.TAG_TABLE, 2, bytes(8)),
        # cells stored column by column: the walk must put them back in rows
        _rec(R.TAG_LIST_HEADER, 2, _cell(0, 0)), _rec(R.TAG_PARA_HEADER, 2, bytes(22)),
        _rec(R.TAG_PARA_TEXT, 3, _para_text("구분")),
        _rec(R.TAG_LIST_HEADER, 2, _cell(1, 0)), _rec(R.TAG_PARA_HEADER, 2, bytes(22)),
        _rec(R.TAG_PARA_TEXT, 3, _para_text("강남구")),
        _rec(R.TAG_LIST_HEADER, 2, _cell(0, 1)), _rec(R.TAG_PARA_HEADER, 2, bytes(22)),
        _rec(R.TAG_PARA_TEXT, 3, _para_text("예산")),
        _rec(R.TAG_LIST_HEADER, 2, _cell(1, 1)), _rec(R.TAG_PARA_HEADER, 2, bytes(22)),
        _rec(R.TAG_PARA_TEXT, 3, _para_text("1,350백만원")),
    ])
    text = R.section_text(R.parse_records(section))
    lines = [line for line in text.lines if line.strip()]
    assert lines == ["본문 앞 본문 뒤", "구분 예산", "강남구 1,350백만원"]
    assert text.notes == ["각주: 2024년 기준"]
