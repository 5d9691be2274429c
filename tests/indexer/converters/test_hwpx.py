"""HWPX: sections in order, table rows, headers dropped, notes apart; bombs and missing sections skipped."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from indexer.converters import converter_for, hwpx
from indexer.errors import ConversionError
from indexer.extract import extract_sources
from tests.conftest import CORPUS
from tests.indexer.converters.office_files import para, section, table, text, write_hwpx

GANGNAM = CORPUS / "documents" / "ko_gangnam_notice_2023_745.hwpx"


def _document(tmp_path: Path, name: str = "plan.hwpx") -> Path:
    first = section(
        para(text("2025년 서울시 자전거도로 확충 계획")),
        para("<hp:ctrl><hp:header><hp:subList>" + para(text("머리말 반복 문구")) + "</hp:subList></hp:header></hp:ctrl>",
             text("자전거도로를 넓힌다"),
             "<hp:ctrl><hp:footNote><hp:subList>" + para(text("각주: 2024년 통계 기준")) + "</hp:subList></hp:footNote></hp:ctrl>",
             text(" 그리고 따릉이를 늘린다.")),
        para(table([["구분", "2024년", "2025년"], ["자전거도로", "1,259km", "1,300km"]])),
    )
    second = section(para(text("둘째 구역의 결론: 예산 120억 원 편성.")))
    return write_hwpx(tmp_path / name, [first, second])


def test_sections_in_order_tables_by_row_headers_dropped_notes_after(tmp_path):
    (record,) = hwpx.convert(_document(tmp_path), tmp_path)
    lines = record["body"].split("\n")
    assert record["title"] == "2025년 서울시 자전거도로 확충 계획"
    assert "자전거도로를 넓힌다 그리고 따릉이를 늘린다." in lines
    assert "구분 2024년 2025년" in lines and "자전거도로 1,259km 1,300km" in lines
    assert "머리말" not in record["body"]
    assert lines.index("둘째 구역의 결론: 예산 120억 원 편성.") < lines.index("각주: 2024년 통계 기준")
    assert lines[-1] == "각주: 2024년 통계 기준"


def test_real_hwpx_in_the_corpus():
    (record,) = hwpx.convert(GANGNAM, GANGNAM.parent)
    assert record["title"] == "서울특별시 강남구 공무직 관리 규정 일부개정규칙안 입법예고"
    assert record["date"] == "2023-03-24"  # the notice's own date line, above the issuer's name
    assert "서울특별시 강남구 공고 제2023-745호" in record["body"]
    assert "입법예고 사항에 대한 항목별 의견(찬․반 여부 및 그 사유)" in record["body"]


def test_hwpx_named_hwp_and_capital_extension_are_read_as_hwpx(tmp_path):
    for name in ("plan.hwp", "PLAN2.HWPX"):
        path = _document(tmp_path, name)
        assert converter_for(path) is hwpx.convert
        (record,) = converter_for(path)(path, tmp_path)
        assert "자전거도로 1,259km 1,300km" in record["body"]


def test_bomb_missing_section_and_broken_xml_skipped_while_the_others_are_indexed(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    _document(folder, "good.hwpx")
    write_hwpx(folder / "bomb.hwpx", [section(para(text("폭탄")))], extra={"BinData/zeros.bin": bytes(8 << 20)})
    write_hwpx(folder / "missing.hwpx", [section(para(text("첫 구역")))], listed=2)
    write_hwpx(folder / "broken.hwpx", [b"<hs:sec><hp:p>unclosed"])
    result = extract_sources([folder])
    reasons = {Path(path).name: reason for path, reason in result.errors}
    assert set(reasons) == {"bomb.hwpx", "missing.hwpx", "broken.hwpx"}
    assert "zip bomb" in reasons["bomb.hwpx"]
    assert "section1.xml is missing" in reasons["missing.hwpx"]
    assert "not well-formed" in reasons["broken.hwpx"]
    assert [Path(p).name for p in result.origins.values()] == ["good.hwpx"]


def test_a_gap_in_the_section_numbers_is_reported_without_a_manifest(tmp_path):
    path = tmp_path / "gap.hwpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", b"application/hwp+zip")
        archive.writestr("Contents/section0.xml", section(para(text("하나"))))
        archive.writestr("Contents/section2.xml", section(para(text("셋"))))
    with pytest.raises(ConversionError, match="section1.xml is missing"):
        hwpx.convert(path, tmp_path)


def test_encrypted_hwpx_is_reported_as_password_protected(tmp_path):
    manifest = (b'<odf:manifest xmlns:odf="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                b'<odf:file-entry full-path="Contents/section0.xml"><odf:encryption-data/></odf:file-entry>'
                b'</odf:manifest>')
    path = write_hwpx(tmp_path / "secret.hwpx", [b"\x8f\x01binary ciphertext"], extra={"META-INF/manifest.xml": manifest})
    with pytest.raises(ConversionError, match="password-protected"):
        hwpx.convert(path, tmp_path)


def test_a_section_whose_zip_header_understates_its_size_is_reported(tmp_path):
    import struct

    path = write_hwpx(tmp_path / "liar.hwpx", [section(para(text("가" * 50))) + b" " * (8 << 20)])
    data = bytearray(path.read_bytes())
    name = b"Contents/section0.xml"
    # rewrite the declared uncompressed size (local header and central directory) to 4 KB:
    # (signature, offset of the name length, of the name, of the uncompressed size)
    for signature, length_at, name_at, size_at in ((b"PK\x03\x04", 26, 30, 22), (b"PK\x01\x02", 28, 46, 24)):
        header = data.find(signature)
        while header != -1:
            name_length = struct.unpack_from("<H", data, header + length_at)[0]
            if data[header + name_at:header + name_at + name_length] == name:
                struct.pack_into("<I", data, header + size_at, 4096)
            header = data.find(signature, header + 4)
    path.write_bytes(bytes(data))
    with pytest.raises(ConversionError, match="corrupt HWPX"):
        hwpx.convert(path, tmp_path)
