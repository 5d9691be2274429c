"""HWP 5.0 body records to text: the record tree of a ``BodyText``/``ViewText`` section.

A section stream is a flat run of records, each with a tag, a nesting level and a
payload (HWP 5.0 format document, "데이터 레코드"). Rebuilt into a tree, a
paragraph (``PARA_HEADER``) holds its text (``PARA_TEXT``, UTF-16LE with control
codes) and its controls (``CTRL_HEADER``): tables, text boxes, headers, footers
and footnotes, each with lists of paragraphs of their own. The walk emits body
paragraphs in order, a table row per line (cells left to right), text boxes in
place; headers, footers and hidden comments are dropped, and footnotes and endnotes
are gathered apart, to be appended after the body.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field

from indexer.converters.office_text import cell_text
from indexer.errors import ConversionError

HWPTAG_BEGIN = 0x10
TAG_PARA_HEADER = HWPTAG_BEGIN + 50
TAG_PARA_TEXT = HWPTAG_BEGIN + 51
TAG_CTRL_HEADER = HWPTAG_BEGIN + 55
TAG_LIST_HEADER = HWPTAG_BEGIN + 56
TAG_TABLE = HWPTAG_BEGIN + 61

#: Control codes that take one code unit (line break, paragraph end, hyphen, spaces).
_CHAR_CONTROLS = {0, 10, 13, 24, 25, 26, 27, 28, 29, 30, 31}
#: Extended controls: eight code units, each one matched by a CTRL_HEADER record.
_EXTENDED_CONTROLS = {1, 2, 3, 11, 12, 14, 15, 16, 17, 18, 21, 22, 23}
#: What the one-unit controls stand for in plain text.
_CHAR_TEXT = {10: "\n", 24: "-", 30: " ", 31: " "}
#: Controls whose text is not part of the body: header, footer, hidden comment.
_DROPPED = {"head", "foot", "tcmt"}
_NOTES = {"fn  ", "en  "}
#: Records per section and nesting depth beyond which the stream is taken as hostile.
MAX_RECORDS = 2_000_000
MAX_DEPTH = 64


@dataclass
class Record:
    """One data record and the records nested under it."""

    tag: int
    level: int
    payload: bytes
    children: list[Record] = field(default_factory=list)


def parse_records(data: bytes) -> list[Record]:
    """The records of a section stream as a forest (top-level records with children)."""
    roots: list[Record] = []
    stack: list[Record] = []
    offset, count, end = 0, 0, len(data)
    while offset + 4 <= end:
        (header,) = struct.unpack_from("<I", data, offset)
        tag, level, size = header & 0x3FF, (header >> 10) & 0x3FF, header >> 20
        offset += 4
        if size == 0xFFF:
            if offset + 4 > end:
                raise ConversionError("truncated HWP record header")
            (size,) = struct.unpack_from("<I", data, offset)
            offset += 4
        if offset + size > end:
            raise ConversionError("truncated HWP section: a record runs past the end of its stream")
        record = Record(tag, level, data[offset:offset + size])
        offset += size
        count += 1
        if count > MAX_RECORDS or level > MAX_DEPTH:
            raise ConversionError("HWP section has too many or too deeply nested records")
        while stack and stack[-1].level >= level:
            stack.pop()
        (stack[-1].children if stack else roots).append(record)
        stack.append(record)
    return roots


def ctrl_id(record: Record) -> str:
    """The four-letter id of a CTRL_HEADER (stored as a little-endian integer)."""
    if len(record.payload) < 4:
        return ""
    return record.payload[:4][::-1].decode("latin-1")


@dataclass
class SectionText:
    """Text of one section: body lines and, apart, its footnotes and endnotes."""

    lines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def section_text(roots: list[Record]) -> SectionText:
    """Body lines and notes of one parsed section."""
    out = SectionText()
    for record in roots:
        if record.tag == TAG_PARA_HEADER:
            out.lines.extend(_paragraph(record, out))
    return out


def _paragraph(para: Record, out: SectionText) -> list[str]:
    """Lines of one paragraph: its text with its controls' text spliced in where they stand."""
    text_record = next((c for c in para.children if c.tag == TAG_PARA_TEXT), None)
    controls = iter([c for c in para.children if c.tag == TAG_CTRL_HEADER])
    lines: list[str] = []
    current: list[str] = []
    if text_record is not None:
        for piece in _decode_units(text_record.payload):
            if isinstance(piece, str):
                current.append(piece)
                continue
            control = next(controls, None)
            if control is None:
                continue
            inner = _control(control, out)
            if inner:
                lines.append("".join(current))
                current = []
                lines.extend(inner)
    for control in controls:  # controls the text did not place
        lines.extend(_control(control, out))
    lines.append("".join(current))
    return [line for part in lines for line in part.split("\n")]


def _decode_units(payload: bytes):
    """Text runs (str) and extended-control markers (int) of a PARA_TEXT payload."""
    count = len(payload) // 2
    units = struct.unpack_from(f"<{count}H", payload)
    run: list[int] = []
    i = 0
    while i < count:
        unit = units[i]
        if unit >= 32:
            run.append(unit)
            i += 1
            continue
        if run:
            yield _utf16(run)
            run = []
        if unit in _CHAR_CONTROLS:
            text = _CHAR_TEXT.get(unit)
            if text:
                yield text
            i += 1
        else:  # inline or extended control: eight code units
            if unit == 9:
                yield "\t"
            elif unit in _EXTENDED_CONTROLS:
                yield unit
            i += 8
    if run:
        yield _utf16(run)


def _utf16(units: list[int]) -> str:
    return struct.pack(f"<{len(units)}H", *units).decode("utf-16-le", errors="replace")


def _control(control: Record, out: SectionText) -> list[str]:
    """Lines a control contributes to the body (tables, text boxes); notes go to ``out.notes``."""
    kind = ctrl_id(control)
    if kind in _DROPPED:
        return []
    if kind in _NOTES:
        out.notes.extend(line for line in _lists_text(control, out) if line.strip())
        return []
    if kind == "tbl ":
        return _table(control, out)
    return _lists_text(control, out)


def _lists_text(node: Record, out: SectionText) -> list[str]:
    """Lines of every paragraph nested under ``node`` (text boxes, notes, unknown controls)."""
    lines: list[str] = []
    for child in node.children:
        if child.tag == TAG_PARA_HEADER:
            lines.extend(_paragraph(child, out))
        elif child.tag != TAG_PARA_TEXT:
            lines.extend(_lists_text(child, out))
    return lines


def _table(control: Record, out: SectionText) -> list[str]:
    """One line per table row: the cells' text left to right, separated by spaces."""
    cells: list[tuple[int, int, int, list[str]]] = []
    current: list[str] | None = None
    for position, child in enumerate(control.children):
        if child.tag == TAG_LIST_HEADER:
            row, col = _cell_address(child.payload, position)
            current = []
            cells.append((row, col, position, current))
        elif child.tag == TAG_PARA_HEADER and current is not None:
            current.extend(_paragraph(child, out))
    rows: dict[int, list[tuple[int, int, str]]] = {}
    for row, col, position, lines in cells:
        text = cell_text(lines)
        if text:
            rows.setdefault(row, []).append((col, position, text))
    return [" ".join(text for _, _, text in sorted(rows[row])) for row in sorted(rows)]


def _cell_address(payload: bytes, position: int) -> tuple[int, int]:
    """(row, column) of a table cell's LIST_HEADER; document order when the payload is short."""
    if len(payload) >= 12:
        col, row = struct.unpack_from("<HH", payload, 8)
        return row, col
    return position, 0
