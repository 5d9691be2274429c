"""Real office files the converter tests build or borrow: HWPX parts written here, DOCX by python-docx."""
from __future__ import annotations

import zipfile
from pathlib import Path

import docx

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NTS_HWP = FIXTURES / "ko_nts_ruling_2020_0175_uncompressed.hwp"
FORMS_HWP = FIXTURES / "ko_dsm_school_club_forms_2026.hwp"
DRM_HWP = FIXTURES / "ko_nts_drm_markany.hwp"

_NS = ('xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section" '
       'xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph"')


def para(*runs: str) -> str:
    """An ``hp:p`` whose runs hold the given inner XML."""
    return "<hp:p>" + "".join(f"<hp:run>{run}</hp:run>" for run in runs) + "</hp:p>"


def text(value: str) -> str:
    return f"<hp:t>{value}</hp:t>"


def table(rows: list[list[str]]) -> str:
    """An ``hp:tbl`` with one ``hp:tc`` (one paragraph) per cell."""
    body = "".join(
        "<hp:tr>" + "".join(f"<hp:tc><hp:subList>{para(text(cell))}</hp:subList></hp:tc>" for cell in row) + "</hp:tr>"
        for row in rows
    )
    return f"<hp:tbl>{body}</hp:tbl>"


def section(*paragraphs: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?><hs:sec {_NS}>{"".join(paragraphs)}</hs:sec>'.encode()


def write_hwpx(path: Path, sections: list[bytes], listed: int | None = None,
               extra: dict[str, bytes] | None = None) -> Path:
    """An HWPX zip: mimetype first (stored), ``content.hpf`` listing ``listed`` sections, the sections."""
    listed = len(sections) if listed is None else listed
    items = "".join(f'<opf:item id="section{i}" href="Contents/section{i}.xml" media-type="application/xml"/>'
                    for i in range(listed))
    hpf = ('<?xml version="1.0" encoding="UTF-8"?><opf:package xmlns:opf="http://www.idpf.org/2007/opf/">'
           f"<opf:manifest>{items}</opf:manifest></opf:package>").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), b"application/hwp+zip")
        archive.writestr("Contents/content.hpf", hpf)
        for number, data in enumerate(sections):
            archive.writestr(f"Contents/section{number}.xml", data)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def write_docx(path: Path) -> Path:
    """A Korean DOCX: a heading, a paragraph, a budget table with a merged cell, a closing paragraph."""
    document = docx.Document()
    document.core_properties.title = "2024년 기후동행카드 추진계획"
    document.add_heading("기후동행카드 추진계획", 1)
    document.add_paragraph("서울특별시는 2024년 1월 27일(토)부터 대중교통 무제한 정기권인 기후동행카드를 시범 운영한다.")
    grid = document.add_table(rows=3, cols=3)
    for r, row in enumerate([["구분", "요금", "비고"], ["따릉이 포함", "65,000원", "월 정기권"],
                             ["따릉이 제외", "62,000원", ""]]):
        for c, value in enumerate(row):
            grid.cell(r, c).text = value
    grid.cell(2, 1).merge(grid.cell(2, 2))
    document.sections[0].header.paragraphs[0].text = "머리말 대외비"
    _wrap_in_content_control(document.add_paragraph("콘텐츠 컨트롤 안의 문단: 신청 기간은 2월 말까지다."))
    document.add_paragraph("표 다음의 문단: 시범 운영 뒤 본 사업으로 전환한다.")
    document.save(str(path))
    return path


def _wrap_in_content_control(paragraph) -> None:
    """Move a paragraph into a block-level content control (``w:sdt``/``w:sdtContent``)."""
    from docx.oxml import OxmlElement

    p = paragraph._p
    sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    p.addprevious(sdt)
    sdt.append(OxmlElement("w:sdtPr"))
    sdt.append(content)
    content.append(p)
