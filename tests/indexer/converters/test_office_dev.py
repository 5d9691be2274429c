"""Every development HWP/HWPX file: snippets found, protected files reported, decoys never indexed."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.converters import converter_for
from indexer.errors import ConversionError
from indexer.extract import extract_sources
from tests.conftest import EVAL_DEV

OFFICE = EVAL_DEV / "office"


def _expected() -> list[dict]:
    path = OFFICE / "expected.json"
    return json.loads(path.read_text(encoding="utf-8"))["files"] if path.is_file() else []


def _entries(kind: str) -> list:
    """The expected files of ``kind``; without the development data, one skipped case that says so
    (an empty list would skip as "got empty parameter set", which names no cause)."""
    entries = [e for e in _expected() if e["expect"] == kind]
    return entries or [pytest.param(None, id="no-dev-data", marks=pytest.mark.skip(
        reason=f"development data not found at {OFFICE} (only beside the project's own checkout)"))]


def _flat(text: str) -> str:
    return "".join(text.split())


def _convert(name: str) -> dict:
    path = OFFICE / name
    (record,) = converter_for(path)(path, OFFICE)
    return record


@pytest.mark.parametrize("entry", _entries("text"), ids=lambda e: e["file"])
def test_every_snippet_of_a_text_file_is_extracted(eval_dev, entry):
    record = _convert(entry["file"])
    body = _flat(record["body"])
    missing = [s["text"] for s in entry["snippets"] if _flat(s["text"]) not in body]
    assert not missing, missing
    for decoy in entry.get("must_not_return_as_text", []):
        assert _flat(decoy) not in body


@pytest.mark.parametrize("entry", _entries("report"), ids=lambda e: e["file"])
def test_protected_files_are_reported_with_their_reason(eval_dev, entry):
    with pytest.raises(ConversionError) as caught:
        _convert(entry["file"])
    reason = str(caught.value).lower()
    assert ("password" in reason) or ("drm" in reason and "markany" in reason), reason


def test_distribution_document_gives_its_real_body_not_the_decoy(eval_dev):
    record = _convert("ko_gangnam_seum_tender_2024_distribution.hwp")
    assert "배포용 문서" not in record["body"]
    assert record["title"] == "2025년 강남세움센터 시설관리원 용역업체 선정 입찰공고"
    assert "②기초금액 : 금72,300,000원" in record["body"]


def test_hwp_and_hwpx_twins_give_the_same_text(eval_dev):
    hwp = _convert("ko_dsm_school_club_forms_2026.hwp")
    hwpx = _convert("ko_dsm_school_club_forms_2026.hwpx")
    assert _flat(hwp["body"]) == _flat(hwpx["body"])
    assert hwp["title"] == hwpx["title"] == "2026학년도 자율(전공)동아리 개설 신청서"


def test_hwpx_named_hwp_is_read_as_hwpx_with_all_sections(eval_dev):
    record = _convert("ko_nibr_wildlife_rfp_2023_hwpx_named.hwp")
    body = record["body"]
    # snippets from section1, section2 and section4, in section order
    positions = [_flat(body).find(_flat(s)) for s in (
        "지자체 신고‧허가 대상 야생동물(포유류‧조류‧파충류‧양서류)의 관리 강화",
        "기밀보안 사업 추진 동안 악영향을 미치는",
        "제7조(하도급) 공동수급체의 구성원은")]
    assert -1 not in positions and positions == sorted(positions)
    assert "사 업 명 야생동물 종합관리 시스템 고도화(2023년)" in body.split("\n")


def test_extracting_the_folder_indexes_the_readable_and_reports_the_rest(eval_dev):
    result = extract_sources(sorted(OFFICE.glob("*.hwp*")))
    reasons = {Path(path).name: reason for path, reason in result.errors}
    assert set(reasons) == {"ko_password_12345.hwp", "ko_password_12345.hwpx", "ko_nts_drm_markany.hwp"}
    origins = {Path(path).name for path in result.origins.values()}
    readable = {e["file"] for e in _expected() if e["expect"] == "text"}
    # the HWP and HWPX twins of the school forms (same name, title and text) are two records,
    # never one silently: the second is linked to the first as its near-duplicate
    assert origins == readable
    twins = [r for r in result.records if r["source"]["path"].startswith("ko_dsm_school_club_forms_2026.")]
    assert len({r["id"] for r in twins}) == 2
    assert sum("duplicate_of" in r for r in twins) == 1
    for record in result.records:
        if record["type"] == "document":
            assert record["lang"] == "ko"
    gangnam = next(r for r in result.records if r["title"].startswith("서울특별시 강남구 공무직"))
    assert any(city["name"] == "Seoul" for city in gangnam["cities"])


def test_hwp_and_hwpx_copies_under_other_names_are_linked_as_near_duplicates(eval_dev, tmp_path):
    import shutil

    shutil.copy(OFFICE / "ko_dsm_school_club_forms_2026.hwp", tmp_path / "forms-a.hwp")
    shutil.copy(OFFICE / "ko_dsm_school_club_forms_2026.hwpx", tmp_path / "forms-b.hwpx")
    shutil.copy(OFFICE / "ko_gangnam_notice_2023_745.hwpx", tmp_path / "notice.hwpx")
    result = extract_sources([tmp_path])
    assert not result.errors
    by_origin = {Path(result.origins[r["id"]]).name: r for r in result.records}
    a, b, notice = by_origin["forms-a.hwp"], by_origin["forms-b.hwpx"], by_origin["notice.hwpx"]
    assert a["id"] != b["id"]
    assert b["id"] in a.get("duplicates", []) or a["id"] in b.get("duplicates", []) \
        or b.get("duplicate_of") == a["id"] or a.get("duplicate_of") == b["id"]
    assert "duplicates" not in notice and "duplicate_of" not in notice


def test_without_the_development_data_the_skip_says_so(monkeypatch, tmp_path):
    """A clone without ../shared/eval-dev skips with the cause, not "got empty parameter set"."""
    import tests.indexer.converters.test_office_dev as module

    monkeypatch.setattr(module, "OFFICE", tmp_path / "missing")
    (case,) = module._entries("text")
    (mark,) = case.marks
    assert mark.name == "skip" and "development data not found" in mark.kwargs["reason"]
