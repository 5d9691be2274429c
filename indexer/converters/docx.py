"""Word documents (DOCX, Office Open XML): one raw ``document`` record, read with python-docx.

The body is walked in document order, so tables come where they stand: a table
row per line, its cells left to right (a merged cell once), nested tables in
their cell; paragraphs and tables inside content controls (``w:sdt``: cover pages,
form fields) are read where they stand. Headers and footers are not part of the body and are left out. The
core properties' title is used when it is a real title, not a template's name.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import docx
from docx.document import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from indexer.converters.base import RawRecord, check_size, source_path
from indexer.converters.office_text import cell_text, join_text_lines, office_record
from indexer.converters.zip_guard import open_zip
from indexer.errors import ConversionError

KIND = "DOCX"
_JUNK_TITLES = frozenset({"untitled", "title", "document", "문서", "제목", "microsoft word", "none", "null"})
#: Tables nested deeper than this are read as plain text of their cells.
MAX_TABLE_DEPTH = 8


def convert(path: Path, root: Path) -> list[RawRecord]:
    """Convert one DOCX file into a single raw record with its body text."""
    check_size(path)
    open_zip(path, KIND).close()  # bomb and size limits before python-docx reads any part
    try:
        document = docx.Document(str(path))
    except PackageNotFoundError as exc:
        raise ConversionError("corrupt DOCX: not a Word document package") from exc
    except (KeyError, ValueError) as exc:  # python-docx: missing main part or bad content type
        raise ConversionError(f"corrupt DOCX: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - lxml and zipfile errors inside python-docx
        raise ConversionError(f"corrupt DOCX: {type(exc).__name__}: {exc}") from exc
    body = read_body(document)
    return [office_record(body, path.stem, source_path(path, root), meta_title=_meta_title(document))]


def read_body(document: Document) -> str:
    """The body's paragraphs and table rows in document order, one per line."""
    lines: list[str] = []
    for block in _blocks(document.element.body, document):
        lines.extend(_block_lines(block, 0))
    return join_text_lines(lines)


def _blocks(container, parent) -> Iterator[Paragraph | Table]:
    """Paragraphs and tables of a body in order, inside content controls (``w:sdt``) too."""
    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, parent)
        elif child.tag == qn("w:tbl"):
            yield Table(child, parent)
        elif child.tag == qn("w:sdt"):
            for content in child.iterchildren(qn("w:sdtContent")):
                yield from _blocks(content, parent)


def _block_lines(block: Paragraph | Table, depth: int) -> list[str]:
    if isinstance(block, Paragraph):
        return block.text.split("\n")
    return _table_lines(block, depth)


def _table_lines(table: Table, depth: int) -> list[str]:
    """One line per row: each distinct cell's text (its paragraphs and nested tables) in order."""
    lines = []
    for row in table.rows:
        seen: set[int] = set()
        cells = []
        for cell in row.cells:
            if id(cell._tc) in seen:  # a horizontally merged cell is listed once per grid column
                continue
            seen.add(id(cell._tc))
            if depth >= MAX_TABLE_DEPTH:
                parts = [cell.text]
            else:
                parts = [line for block in cell.iter_inner_content() for line in _block_lines(block, depth + 1)]
            text = cell_text(parts)
            if text:
                cells.append(text)
        if cells:
            lines.append(" ".join(cells))
    return lines


def _meta_title(document: Document) -> str | None:
    title = " ".join((document.core_properties.title or "").split())
    lowered = title.lower()
    if len(title) < 3 or lowered in _JUNK_TITLES or lowered.endswith((".doc", ".docx", ".dot", ".dotx")):
        return None
    return title
