"""The format comes from the bytes: names that lie are read as what the file is, or reported."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from indexer.converters import kind_of
from indexer.converters.sniff import sniff
from indexer.errors import ConversionError
from indexer.extract import extract_sources
from tests.conftest import CORPUS
from tests.indexer.converters.office_files import DRM_HWP, NTS_HWP, write_docx

BROCHURE = CORPUS / "brochures" / "seoul-policy-sharing-brochure.pdf"


def test_magic_bytes_decide(tmp_path):
    shutil.copy(BROCHURE, tmp_path / "brochure.TXT")
    shutil.copy(NTS_HWP, tmp_path / "RULING.HWP")
    write_docx(tmp_path / "plan.hwp")
    assert kind_of(tmp_path / "brochure.TXT") == "pdf"
    assert kind_of(tmp_path / "RULING.HWP") == "hwp"
    assert kind_of(tmp_path / "plan.hwp") == "docx"
    (tmp_path / "page.txt").write_text("<!DOCTYPE html><html><body>x</body></html>", encoding="utf-8")
    assert sniff(tmp_path / "page.txt") == "html" and kind_of(tmp_path / "page.txt") == "text"


def test_reported_mismatches(tmp_path):
    (tmp_path / "report.pdf").write_text("<!doctype html><html><head><title>404</title></head></html>")
    with pytest.raises(ConversionError, match="HTML page"):
        kind_of(tmp_path / "report.pdf")
    with pytest.raises(ConversionError, match="MarkAny"):
        kind_of(DRM_HWP)
    (tmp_path / "sheet.hwpx").write_bytes((CORPUS / "documents" / "ko_gangnam_notice_2023_745.hwpx").read_bytes())
    assert kind_of(tmp_path / "sheet.hwpx") == "hwpx"


def test_extract_reads_renamed_files_by_content(tmp_path):
    shutil.copy(NTS_HWP, tmp_path / "RULING.HWP")
    (tmp_path / "fake.pdf").write_text("<html><body>Not found</body></html>")
    result = extract_sources([tmp_path])
    assert [Path(p).name for p, _ in result.errors] == ["fake.pdf"]
    (record,) = result.records
    assert record["title"] == "지급명세서 제출 불성실 가산세 대상인지 여부"
