"""HWPX documents (OWPML, KS X 6101: zipped XML): one raw ``document`` record.

Every ``Contents/sectionN.xml`` is read in section order, whether or not
``META-INF/manifest.xml`` or ``Contents/content.hpf`` list them; a section that
``content.hpf`` lists, or a gap in the numbering, that the zip lacks is reported as
a damaged file. Paragraphs (``hp:p``) give one line each, a table (``hp:tbl``)
one line per row (``hp:tr``) with its cells (``hp:tc``) left to right, text boxes
in place; headers, footers and hidden comments are dropped, and footnotes and
endnotes are appended after the body. A file whose parts are encrypted (an
``encryption-data`` entry in ``META-INF/manifest.xml``) is password-protected and
reported. ``Preview/PrvText.txt`` (the first ~1,000 characters) is never used.
"""
from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from lxml import etree

from indexer.converters.base import RawRecord, check_size, source_path
from indexer.converters.office_text import cell_text, join_text_lines, office_record
from indexer.converters.zip_guard import open_zip, read_member
from indexer.errors import ConversionError

KIND = "HWPX"
_SECTION = re.compile(r"^Contents/section(\d+)\.xml$")
_HPF_SECTION = re.compile(rb'href="(Contents/section\d+\.xml)"')
#: Elements whose text is not the body's.
_DROPPED = {"header", "footer", "hiddenComment", "memo", "fieldBegin_instruction"}
_NOTES = {"footNote", "endNote"}
#: Inline elements of ``hp:t`` and what they stand for in plain text.
_INLINE = {"tab": "\t", "lineBreak": "\n", "nbSpace": " ", "fwSpace": " ", "hyphen": "-"}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          remove_comments=True, remove_pis=True)


#: Bytes of the ``mimetype`` member read to tell an HWPX (the value is 20 bytes).
MIMETYPE_BYTES = 64


def is_hwpx(archive: zipfile.ZipFile) -> bool:
    """True when a zip holds an OWPML document (its mimetype or its section parts)."""
    names = set(archive.namelist())
    if "mimetype" in names:
        try:
            with archive.open("mimetype") as member:  # its first bytes only, however much it inflates to
                if member.read(MIMETYPE_BYTES).strip() == b"application/hwp+zip":
                    return True
        except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError, zlib.error):
            pass
    return any(_SECTION.match(name) for name in names)


def convert(path: Path, root: Path) -> list[RawRecord]:
    """Convert one HWPX file into a single raw record with its body text."""
    check_size(path)
    archive = open_zip(path, KIND)
    with archive:
        body = read_body(archive)
    return [office_record(body, path.stem, source_path(path, root))]


def read_body(archive: zipfile.ZipFile) -> str:
    """Body lines of every section in order, then the footnotes and endnotes."""
    names = set(archive.namelist())
    if "META-INF/manifest.xml" in names and b"encryption-data" in read_member(archive, "META-INF/manifest.xml", KIND):
        raise ConversionError("password-protected HWPX document: its parts are encrypted")
    sections = section_names(archive)
    lines: list[str] = []
    notes: list[str] = []
    for name in sections:
        root = _parse(read_member(archive, name, KIND), name)
        _walk(root, lines, notes)
    body = join_text_lines(lines)
    if notes:
        body = f"{body}\n\n{join_text_lines(notes)}" if body else join_text_lines(notes)
    return body


def section_names(archive: zipfile.ZipFile) -> list[str]:
    """``Contents/sectionN.xml`` in order; ConversionError when one is missing."""
    names = set(archive.namelist())
    numbers = sorted(int(m.group(1)) for n in names if (m := _SECTION.match(n)))
    listed: list[str] = []
    if "Contents/content.hpf" in names:
        listed = [m.decode() for m in _HPF_SECTION.findall(read_member(archive, "Contents/content.hpf", KIND))]
    missing = [name for name in listed if name not in names]
    if numbers:
        missing += [f"Contents/section{n}.xml" for n in range(numbers[-1]) if n not in numbers]
    if missing:
        raise ConversionError(f"damaged HWPX: section {sorted(set(missing))[0]} is missing from the file")
    if not numbers:
        raise ConversionError("not an HWPX document: no Contents/section*.xml part")
    return [f"Contents/section{n}.xml" for n in numbers]


def _parse(data: bytes, name: str) -> etree._Element:
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ConversionError(f"corrupt HWPX: {name} is not well-formed XML ({exc.msg})") from exc


def _local(element: etree._Element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _walk(element: etree._Element, lines: list[str], notes: list[str]) -> None:
    """Append the lines of the paragraphs under ``element`` (a section or a list)."""
    for child in element:
        name = _local(child)
        if name == "p":
            lines.extend(_paragraph(child, notes))
        elif name not in _DROPPED:
            _walk(child, lines, notes)


def _paragraph(para: etree._Element, notes: list[str]) -> list[str]:
    """Lines of one paragraph: its text, tables and text boxes where they stand."""
    lines: list[str] = []
    current: list[str] = []

    def flush() -> None:
        lines.append("".join(current))
        current.clear()

    def visit(node: etree._Element) -> None:
        for child in node:
            name = _local(child)
            if name == "t":
                current.append(_text(child))
            elif name == "tbl":
                flush()
                lines.extend(_table(child, notes))
            elif name in _NOTES:
                inner: list[str] = []
                _walk(child, inner, notes)
                notes.extend(line for line in inner if line.strip())
            elif name in _DROPPED:
                continue
            elif name == "subList":  # text box, caption
                flush()
                _walk(child, lines, notes)
            else:
                visit(child)

    visit(para)
    flush()
    return [line for part in lines for line in part.split("\n")]


def _text(t: etree._Element) -> str:
    """Text of one ``hp:t`` with its inline tabs, breaks and spaces."""
    parts = [t.text or ""]
    for child in t:
        parts.append(_INLINE.get(_local(child), ""))
        parts.append(child.tail or "")
    return "".join(parts)


def _table(table: etree._Element, notes: list[str]) -> list[str]:
    """One line per row, the cells' text left to right separated by spaces."""
    rows: list[str] = []
    for row in table:
        if _local(row) != "tr":
            continue
        cells = []
        for cell in row:
            if _local(cell) != "tc":
                continue
            inner: list[str] = []
            _walk(cell, inner, notes)
            text = cell_text(inner)
            if text:
                cells.append(text)
        if cells:
            rows.append(" ".join(cells))
    return rows
