"""Tests of the PDF converter on real PDFs: eval-dev files, the bundled brochure, generated files."""
from __future__ import annotations

import json
import logging
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.converters import ocr, pdf
from indexer.converters.base import check_size
from indexer.converters.pdf_text import clean_chars, join_lines, page_text
from indexer.errors import ConversionError

fpdf = pytest.importorskip("fpdf", reason="fpdf2 (test extra) is needed to generate PDFs")

REPO = Path(__file__).resolve().parents[3]
EVAL_PDFS = REPO.parent / "shared" / "eval-dev" / "pdfs"
EXPECTED = EVAL_PDFS / "expected.json"
BROCHURE = REPO / "corpus" / "brochures" / "seoul-policy-sharing-brochure.pdf"
NANUM = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")

needs_eval = pytest.mark.skipif(
    not EXPECTED.is_file(), reason=f"dev evaluation data not found at {EVAL_PDFS} (checkout ../shared/eval-dev)"
)
needs_tesseract = pytest.mark.skipif(
    ocr.ocr_languages() is None,
    reason="tesseract with kor/eng data not installed (apt: tesseract-ocr tesseract-ocr-kor tesseract-ocr-eng)",
)


def _expected_files() -> list:
    if not EXPECTED.is_file():  # one skipped case that names the cause, not "got empty parameter set"
        return [pytest.param(None, id="no-dev-data", marks=pytest.mark.skip(
            reason=f"development data not found at {EXPECTED} (only beside the project's own checkout)"))]
    return json.loads(EXPECTED.read_text(encoding="utf-8"))["files"]


def _squash(text: str) -> str:
    return "".join(text.split())


def _convert_one(path: Path, root: Path | None = None) -> dict:
    records = pdf.convert(path, root or path.parent)
    assert len(records) == 1
    return records[0]


# --- eval-dev PDFs with verified snippets ---------------------------------------------


@needs_eval
@pytest.mark.parametrize("entry", _expected_files(), ids=lambda e: e["file"])
def test_verified_snippets_found_on_their_page(entry: dict) -> None:
    record = _convert_one(EVAL_PDFS / entry["file"], EVAL_PDFS.parent)
    pages = {page["number"]: page["text"] for page in record["pages"]}
    assert len(pages) + len(record.get("needs_ocr", [])) == entry["pages"]
    for snippet in entry["snippets"]:
        assert _squash(snippet["text"]) in _squash(pages.get(snippet["page"], "")), snippet
    assert "(cid:" not in json.dumps(record, ensure_ascii=False)


@needs_eval
def test_eval_record_shape() -> None:
    entry = _expected_files()[0]
    record = _convert_one(EVAL_PDFS / entry["file"], EVAL_PDFS.parent)
    assert record["type"] == "brochure"
    assert record["source"] == {"path": f"pdfs/{entry['file']}"}
    assert "date" not in record
    assert record["title"].strip()
    assert record["body"] == "\n\n".join(page["text"] for page in record["pages"])


# --- bundled brochure ------------------------------------------------------------------


def test_bundled_brochure_one_theme_per_page() -> None:
    record = _convert_one(BROCHURE, REPO / "corpus")
    assert record["source"] == {"path": "brochures/seoul-policy-sharing-brochure.pdf"}
    assert record["title"] == "Seoul Policy Sharing: Sharing City, Smart City and Climate (Brochure)"
    assert "needs_ocr" not in record
    themes = {1: "공유도시서울", 2: "MetropolisInternationalTrainingInstitute", 3: "UrbanSDGKnowledgePlatform",
              4: "마스크미착용승객신고", 5: "태양광패널"}
    pages = {page["number"]: _squash(page["text"]) for page in record["pages"]}
    assert sorted(pages) == [1, 2, 3, 4, 5]
    for number, theme in themes.items():
        assert theme in pages[number]
        assert all(theme not in text for other, text in pages.items() if other != number)
    assert "(cid:" not in record["body"]
    assert BROCHURE.stat().st_size < 1_000_000


# --- generated PDFs: columns, OCR ------------------------------------------------------

LEFT = [f"Left column sentence number {i} talks about shared bicycles in the city." for i in range(12)]
RIGHT = [f"Right column sentence number {i} talks about public solar panels on roofs." for i in range(12)]


def _two_column_pdf(path: Path) -> None:
    doc = fpdf.FPDF(format="A4")
    doc.set_font("helvetica", size=11)
    doc.add_page()
    doc.multi_cell(0, 8, "First page: a single-column introduction.")
    doc.add_page()
    top = doc.get_y()
    for x, sentences in ((doc.l_margin, LEFT), (110, RIGHT)):
        doc.set_xy(x, top)
        for sentence in sentences:
            doc.set_x(x)
            doc.multi_cell(85, 6, sentence, new_x="LEFT", new_y="NEXT")
            doc.ln(2)
    doc.output(str(path))


def test_two_columns_read_column_by_column(tmp_path: Path) -> None:
    path = tmp_path / "columns.pdf"
    _two_column_pdf(path)
    record = _convert_one(path, tmp_path)
    assert [page["number"] for page in record["pages"]] == [1, 2]
    text = " ".join(record["pages"][1]["text"].split())
    positions = [text.find(sentence) for sentence in LEFT + RIGHT]
    assert -1 not in positions, "every sentence must be extracted whole"
    assert positions == sorted(positions), "left column first, then right column, in order"


def _image_only_pdf(path: Path, tmp_path: Path) -> None:
    image_module = pytest.importorskip("PIL.Image", reason="Pillow is needed to draw a text image")
    draw_module = pytest.importorskip("PIL.ImageDraw")
    font_module = pytest.importorskip("PIL.ImageFont")
    image = image_module.new("L", (1600, 500), 255)
    draw = draw_module.Draw(image)
    font = font_module.truetype(str(NANUM), 56) if NANUM.is_file() else font_module.load_default(size=56)
    draw.text((60, 80), "Seoul shares urban policies", fill=0, font=font)
    draw.text((60, 260), "with partner cities worldwide", fill=0, font=font)
    png = tmp_path / "text.png"
    image.save(png)
    doc = fpdf.FPDF(format="A4")
    doc.add_page()
    doc.image(str(png), x=10, y=20, w=190)
    doc.output(str(path))


@needs_tesseract
def test_image_only_page_recovered_by_ocr(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    _image_only_pdf(path, tmp_path)
    record = _convert_one(path, tmp_path)
    assert "needs_ocr" not in record
    words = record["pages"][0]["text"].lower()
    assert "seoul" in words and "policies" in words and "cities" in words


def test_image_only_page_without_tesseract_needs_ocr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "scan.pdf"
    _image_only_pdf(path, tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract on PATH
    ocr.installed_languages.cache_clear()
    try:
        record = _convert_one(path, tmp_path)
    finally:
        ocr.installed_languages.cache_clear()
    assert record["needs_ocr"] == [1]
    assert record["pages"] == [] and record["body"] == ""
    assert record["title"] == "scan"


def test_page_cap_reads_first_pages_and_warns(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(pdf, "MAX_PAGES", 2)
    with caplog.at_level(logging.WARNING, logger="indexer.converters.pdf"):
        record = _convert_one(BROCHURE)
    assert [page["number"] for page in record["pages"]] == [1, 2]
    assert "only the first 2 are read" in caplog.text


# --- bad input -------------------------------------------------------------------------


def _encrypted_pdf(path: Path, user_password: str) -> None:
    doc = fpdf.FPDF()
    doc.set_font("helvetica", size=12)
    doc.add_page()
    doc.multi_cell(0, 8, "Confidential policy draft about district heating.")
    doc.set_encryption(owner_password="owner-secret", user_password=user_password)
    doc.output(str(path))


def _assert_rejected(path: Path, reason: str) -> None:
    start = time.monotonic()
    with pytest.raises(ConversionError, match=reason) as info:
        pdf.convert(path, path.parent)
    assert time.monotonic() - start < 10, "bad input must be rejected quickly"
    assert "\n" not in str(info.value)


def test_truncated_pdf_rejected(tmp_path: Path) -> None:
    data = BROCHURE.read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) // 2])
    _assert_rejected(path, "truncated or corrupt PDF")


def test_encrypted_pdf_rejected(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    _encrypted_pdf(path, user_password="secret")
    _assert_rejected(path, "encrypted PDF")


def test_owner_password_only_pdf_is_extracted(tmp_path: Path) -> None:
    path = tmp_path / "restricted.pdf"
    _encrypted_pdf(path, user_password="")
    record = _convert_one(path)
    assert "district heating" in record["body"]


def test_non_pdf_named_pdf_rejected(tmp_path: Path) -> None:
    path = tmp_path / "junk.pdf"
    path.write_bytes(bytes(range(256)) * 64)
    _assert_rejected(path, "not a PDF")


def test_empty_file_rejected(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.touch()
    _assert_rejected(path, "empty file")


def test_pdf_header_with_garbage_body_rejected(tmp_path: Path) -> None:
    path = tmp_path / "garbage.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n")
    _assert_rejected(path, "corrupt PDF")


def test_oversized_file_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.pdf"
    shutil.copyfile(BROCHURE, path)
    monkeypatch.setattr(pdf, "check_size", _small_limit)
    _assert_rejected(path, "file too large")


def _small_limit(path: Path) -> int:
    return check_size(path, limit=1024)


# --- text normalisation ----------------------------------------------------------------


def test_join_lines_dehyphenates_english_and_glues_hangul() -> None:
    assert join_lines(["The govern-", "ment shares FAA-", "approved plans"]) == "The government shares FAA-approved plans"
    assert join_lines(["의석을 정돈하여 주시기 바랍니", "다."]) == "의석을 정돈하여 주시기 바랍니다."
    assert join_lines(["First sentence.", "Second one"]) == "First sentence.\nSecond one"


def test_page_text_drops_cid_and_control_characters() -> None:
    text = page_text(["abc (cid:12)(cid:7)def\x00\x07 \u00a0 ghi\ufffd\ue000", "\n\nnext\tblock"])
    assert text == "abc def ghi\n\nnext\tblock"


def test_clean_chars_caps_huge_pages() -> None:
    assert len(clean_chars("a" * (pdf.MAX_PAGE_CHARS + 10))) == pdf.MAX_PAGE_CHARS


@given(st.lists(st.text(), max_size=5))
def test_page_text_never_leaks_placeholders_or_controls(blocks: list[str]) -> None:
    text = page_text(block + "(cid:42)" for block in blocks)
    assert "(cid:" not in text
    assert all(c in "\n\t" or ord(c) >= 32 for c in text)
    assert "  " not in text
