"""PDF tables a row per line, the first page's largest text as title, Hangul joined only at justified ends."""
from __future__ import annotations

from pathlib import Path

import pytest

from indexer.converters import pdf
from indexer.converters.pdf_text import WRAP_MARK, join_lines, page_text

fpdf = pytest.importorskip("fpdf", reason="fpdf2 (test extra) is needed to generate PDFs")
from fpdf.fonts import FontFace  # noqa: E402

NANUM = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")
needs_nanum = pytest.mark.skipif(not NANUM.is_file(), reason="NanumGothic (apt: fonts-nanum) is needed for Hangul PDFs")

BUDGET = [["District", "Budget 2023", "Budget 2024", "Change"],
          ["Gangnam", "1,200 million", "1,350 million", "+150"],
          ["Jongno", "800 million", "760 million", "-40"],
          ["Mapo", "950 million", "1,020 million", "+70"]]


def _convert(path: Path) -> dict:
    (record,) = pdf.convert(path, path.parent)
    return record


def _table_pdf(path: Path, rows: list[list[str]], font: str = "helvetica") -> Path:
    doc = fpdf.FPDF()
    doc.add_page()
    if font != "helvetica":
        doc.add_font(font, "", str(NANUM))
    doc.set_font(font, size=22)
    doc.cell(0, 12, rows[0][0] + " " + rows[1][0] + " report", new_x="LMARGIN", new_y="NEXT")
    doc.set_font(font, size=10)
    doc.multi_cell(0, 6, "Small print above the budget table. " * 3, new_x="LMARGIN", new_y="NEXT")
    with doc.table(col_widths=(30, 40, 40, 20), headings_style=FontFace()) as table:
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(value)
    doc.multi_cell(0, 6, "A closing paragraph under the table.")
    doc.output(str(path))
    return path


def test_each_table_row_is_one_line_in_reading_order(tmp_path):
    record = _convert(_table_pdf(tmp_path / "budget.pdf", BUDGET))
    paragraphs = record["pages"][0]["text"].split("\n\n")
    rows = [" ".join(values) for values in BUDGET]
    assert all(row in paragraphs for row in rows), paragraphs
    positions = [paragraphs.index(row) for row in rows]
    assert positions == sorted(positions)
    assert paragraphs.index(rows[0]) > next(i for i, p in enumerate(paragraphs) if "Small print" in p)
    assert paragraphs[-1] == "A closing paragraph under the table."
    # no cell text left over outside its row
    assert record["body"].count("1,350 million") == 1


@needs_nanum
def test_korean_table_rows_and_largest_text_as_title(tmp_path):
    rows = [["자치구", "2023년 예산", "2024년 예산", "증감"], ["강남구", "1,200백만원", "1,350백만원", "+150"],
            ["종로구", "800백만원", "760백만원", "-40"]]
    record = _convert(_table_pdf(tmp_path / "budget-ko.pdf", rows, font="nanum"))
    lines = record["pages"][0]["text"].split("\n\n")
    assert "강남구 1,200백만원 1,350백만원 +150" in lines
    assert record["title"] == "자치구 강남구 report"


def test_title_is_the_largest_text_not_a_page_number(tmp_path):
    doc = fpdf.FPDF()
    doc.add_page()
    doc.set_font("helvetica", size=9)
    doc.cell(0, 6, "47698    Federal Register / Vol. 85", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("helvetica", size=24)
    doc.cell(0, 14, "Proposed Rules", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("helvetica", size=10)
    doc.multi_cell(0, 5, "Body text of the notice that runs for a while and says nothing in particular. " * 8)
    doc.output(str(tmp_path / "notice.pdf"))
    assert _convert(tmp_path / "notice.pdf")["title"] == "Proposed Rules"


def test_hangul_glued_only_after_a_justified_line():
    # a full line broken inside a word: glued; a short line (wrapped at a space): a space
    assert join_lines(["서울시는 공유도", "시를 만든다"]) == "서울시는 공유도시를 만든다"
    assert join_lines(["추진 배경" + WRAP_MARK, "서울시는 공유도시를 만든다"]) == "추진 배경 서울시는 공유도시를 만든다"
    assert WRAP_MARK not in page_text(["짧은 줄" + WRAP_MARK + "\n다음 줄\n"])


@needs_nanum
def test_short_hangul_line_keeps_its_space_in_a_real_pdf(tmp_path):
    doc = fpdf.FPDF()
    doc.add_page()
    doc.add_font("nanum", "", str(NANUM))
    doc.set_font("nanum", size=11)
    width = doc.epw
    full = "서울시는 시민과 함께 공유도시를 만들어 자원을 나누고 이웃과 공동체를 다시 세우는 정책을 추진하며 공유도"
    while doc.get_string_width(full) > width:
        full = full[1:]
    doc.cell(width, 6, "추진 배경", new_x="LMARGIN", new_y="NEXT")
    doc.cell(width, 6, full, new_x="LMARGIN", new_y="NEXT")
    doc.cell(width, 6, "시를 완성한다.", new_x="LMARGIN", new_y="NEXT")
    doc.output(str(tmp_path / "wrap.pdf"))
    text = _convert(tmp_path / "wrap.pdf")["pages"][0]["text"]
    assert "추진 배경 " + full[:4] in text
    assert "공유도시를 완성한다." in text


def test_a_large_ruled_table_and_a_page_of_vector_strokes(tmp_path):
    from pdfminer.high_level import extract_pages

    from indexer.converters.pdf_tables import has_grid

    doc = fpdf.FPDF()
    doc.add_page()
    doc.set_font("helvetica", size=5)
    with doc.table(headings_style=FontFace(), line_height=4) as table:
        for r in range(60):
            row = table.row()
            for c in range(12):
                row.cell(f"r{r}c{c}")
    doc.add_page()
    for i in range(6_000):  # a drawing: thousands of short strokes, no table
        doc.line(10 + i % 190, 10 + (i // 190) * 8, 12 + i % 190, 14 + (i // 190) * 8)
    doc.cell(0, 10, "Map of the bicycle network")
    doc.output(str(tmp_path / "large.pdf"))
    layouts = list(extract_pages(str(tmp_path / "large.pdf"), laparams=pdf.LAPARAMS))
    assert has_grid(layouts[0]) and not has_grid(layouts[1])
    record = _convert(tmp_path / "large.pdf")
    rows = record["pages"][0]["text"].split("\n\n")
    assert rows[0] == " ".join(f"r0c{c}" for c in range(12))
    assert rows[59] == " ".join(f"r59c{c}" for c in range(12))
    assert "Map of the bicycle network" in record["pages"][1]["text"]


def test_open_frame_table_with_unruled_rows_reads_one_row_per_record(tmp_path):
    """A Federal-Register-style table: full-width rules around the header and under the body,
    rules between columns only, no left or right border, records stacked without rules, one
    first-column cell wrapped onto a second line."""
    doc = fpdf.FPDF(unit="pt", format=(612, 792))
    doc.add_page()
    doc.set_font("helvetica", size=9)
    left, right, columns = 45, 567, [45, 191, 338, 493, 567]
    top, header_bottom, bottom = 100, 124, 190
    for y in (top, header_bottom, bottom):
        doc.line(left, y, right, y)
    for x in columns[1:-1]:
        doc.line(x, top, x, bottom)
    header = ["Action", "Labor cost", "Parts cost", "Cost per product"]
    records = [["Stabilizer wiring change", "79 work-hours", "$3,790", "$10,505"],
               ["AOA sensor system test", "40 work-hours", "$0", "$3,400"],
               ["MDS installation and", "1 work-hour", "$0", "$85"]]
    for x0, x1, text in zip(columns, columns[1:], header):
        doc.text(x0 + 4, top + 15, text)
    for number, values in enumerate(records):
        for x0, value in zip(columns, values):
            doc.text(x0 + 4, header_bottom + 14 + number * 18, value)
    doc.text(columns[0] + 4, header_bottom + 14 + 2 * 18 + 10, "verification, INOP")  # wrapped cell
    doc.text(left, 240, "Text under the table stays a paragraph of its own.")
    doc.output(str(tmp_path / "open.pdf"))
    text = _convert(tmp_path / "open.pdf")["pages"][0]["text"]
    paragraphs = text.split("\n\n")
    assert "Action Labor cost Parts cost Cost per product" in paragraphs
    assert "Stabilizer wiring change 79 work-hours $3,790 $10,505" in paragraphs
    assert "AOA sensor system test 40 work-hours $0 $3,400" in paragraphs
    assert "MDS installation and verification, INOP 1 work-hour $0 $85" in paragraphs
    assert paragraphs[-1] == "Text under the table stays a paragraph of its own."
