"""Document titles: what a document calls itself, not who issued it."""
from __future__ import annotations

from indexer.converters.titles import document_title, file_title, is_title_like, labelled_title


def test_letterheads_issuers_numbers_and_repeated_lettering_are_not_titles():
    for text in ("서 울 고 등 법 원", "특 허 법 원", "교 육 부", "교 육 부 [학생건강정책관]", "인사혁신처장",
                 "금융위원회", "III", "제2장", "(지역인재정책관)", "서 울 행",
                 "2024년 국립대학육성사업 20242024202420242024", "활기찬 활기찬 활기찬 학교도서관",
                 "이 문서는 한국은행의 자산으로 허가받지 않은 복사를 금합니다."):
        assert not is_title_like(text), text
    for text in ("향후 통화신용정책 방향", "제 안 요 청 서", "위암의 스크리닝 및 진단", "Proposed Rules"):
        assert is_title_like(text), text


def test_a_court_case_or_a_labelled_line_names_the_document():
    lines = ["서 울 고 등 법 원", "제 7 행 정 부", "판 결", "사 건", "2023누36352 시정명령 취소", "원 고"]
    assert labelled_title(lines) == "2023누36352 시정명령 취소"
    assert labelled_title(["사 건 2021나2050919 손해배상(의)"]) == "2021나2050919 손해배상(의)"
    assert labelled_title(["건명: 2025년 시설관리 용역 입찰"]) == "2025년 시설관리 용역 입찰"


def test_the_first_title_like_candidate_else_the_file_name():
    assert document_title([], [None, "서 울 고 등 법 원", "III 향후 통화신용정책 방향"], "x") == "향후 통화신용정책 방향"
    assert document_title([], ["교 육 부", "III"], "2024년+국립대학+육성사업+기본계획") == "2024년 국립대학 육성사업 기본계획"
    assert file_title("plan_2024_final") == "plan 2024 final"
