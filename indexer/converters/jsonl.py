"""JSON Lines and JSON record exports (a CMS's batch path): ids given there are kept."""
from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from indexer.converters.base import LOCATION_KEY, RawRecord, check_size, report_skipped, source_path
from indexer.converters.cleaning import clean_text, decode_bytes
from indexer.errors import ConversionError, RecordError
from indexer.records import check_given_id

log = logging.getLogger(__name__)

#: Fields an export may carry besides title and body, copied as they are when present.
PASSED_FIELDS = ("type", "date", "author", "url", "lang", "cities", "topics", "sdgs", "pages")
#: Largest export read whole (a JSON array, UTF-16 lines); JSON Lines have no limit: they are
#: read a line at a time, a large export in parts (``indexer.extract.PART_BYTES``).
MAX_EXPORT_BYTES = 512 * 1024 * 1024
#: Longest line of a JSON Lines export: a longer one is reported and stepped over unread (a
#: record's text is cut at a million characters anyway).
MAX_LINE_BYTES = 32 * 1024 * 1024


def convert(path: Path, root: Path) -> list[RawRecord]:
    """Read every record of a ``.jsonl`` or ``.json`` export; bad lines are reported and skipped.

    In JSON Lines, a record's ``source.position`` is its physical line (0-based; lines
    end at ``\n`` only) and every skipped line is reported as ``:N`` (1-based); in a
    JSON array, it is the index of the record and reported as ``#N`` (1-based). JSON Lines
    are read a line at a time (an export up to :data:`MAX_EXPORT_BYTES` never sits in memory
    whole); a line that fails in any way (invalid, nested too deep, a bad field) costs only itself.
    A larger JSON Lines export is read in parts (:func:`convert_part`).
    """
    check_size(path, MAX_EXPORT_BYTES)
    rel = source_path(path, root)
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    lines = not _is_array(head, path.suffix.lower())
    if lines and _is_utf16(head):  # UTF-16: not splittable at b"\n"
        items = _lines_of_text(decode_bytes(path.read_bytes()))
    elif lines:
        _check_text(head)
        items = _lines_of_file(path)
    else:
        items = iter(_array_items(decode_bytes(path.read_bytes())))
    records, problems = _records_of(items, rel, lines)
    if not records and not problems:
        raise ConversionError("no JSON record in the file")
    if not records:
        raise ConversionError(f"no usable record ({problems} rejected)")
    return records


def part_range(size: int, part: int, parts: int) -> tuple[int, int]:
    """The bytes ``[lo, hi)`` of part ``part`` of ``parts`` of a file of ``size`` bytes: a
    part holds the lines that start inside it."""
    step = -(-size // parts)
    return min(size, part * step), min(size, (part + 1) * step)


def convert_part(path: Path, root: Path, part: int, parts: int) -> list[RawRecord]:
    """The records of the lines that start in part ``part`` of ``parts`` of a JSON Lines export
    (:func:`part_range`), numbered as in the whole file, so that a large export is converted by
    several limited workers at once, each holding one part. An export that is not JSON Lines
    (an array, UTF-16) is read whole by part 0; the other parts give nothing. A part may give
    no record (its lines are reported); whether the file gave none is the caller's to tell.
    """
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    if _is_array(head, path.suffix.lower()) or _is_utf16(head):
        return convert(path, root) if part == 0 else []
    _check_text(head)
    lo, hi = part_range(path.stat().st_size, part, parts)
    records, _ = _records_of(_lines_of_file(path, lo, hi), source_path(path, root), True)
    return records


def _records_of(items: Iterator[tuple[int, Any]], rel: str, lines: bool) -> tuple[list[RawRecord], int]:
    """The records of ``(position, item)`` pairs, and how many were rejected (each reported)."""
    records: list[RawRecord] = []
    problems = 0
    for position, item in items:
        where = f":{position + 1}" if lines else f"#{position + 1}"
        try:
            if isinstance(item, Exception):
                raise item
            record = _record(item, rel, position)
        except MemoryError:
            raise  # the file is over the worker's memory limit: the sandbox skips it whole
        except Exception as exc:  # noqa: BLE001 - one bad record costs that record only
            problems += 1
            reason = str(exc) if isinstance(exc, (RecordError, ConversionError)) else f"{type(exc).__name__}: {exc}"
            report_skipped(where, reason)
            log.info("%s%s skipped: %s", rel, where, reason)
            continue
        record[LOCATION_KEY] = where
        records.append(record)
    return records, problems


def _is_utf16(head: bytes) -> bool:
    return head.startswith((b"\xff\xfe", b"\xfe\xff"))


def _check_text(head: bytes) -> None:
    """Refuse binary junk, as for any text file."""
    if head.strip():
        decode_bytes(head[: head.rfind(b"\n") + 1] or head)


#: Bytes read first to tell JSON Lines from a JSON array and the encoding.
HEAD_BYTES = 65536


def _is_array(head: bytes, suffix: str) -> bool:
    return suffix == ".json" or head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[")


def _array_items(text: str) -> list[tuple[int, Any]]:
    """(index, item) pairs of a JSON array (or ``{"records": [...]}``) export."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConversionError(f"invalid JSON at line {exc.lineno}: {exc.msg}") from exc
    except RecursionError:
        raise ConversionError("invalid JSON: nested too deep") from None
    data = data if isinstance(data, list) else data.get("records", [data]) if isinstance(data, dict) else None
    if data is None:
        raise ConversionError("a JSON export must be a list of records or an object")
    return list(enumerate(data))


def _parse_line(number: int, line: str) -> Any:
    """A line's item, or the RecordError that tells why it is not one."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        return RecordError(f"invalid JSON: {exc.msg} (column {exc.colno})")
    except RecursionError:
        return RecordError("invalid JSON: nested too deep")


def _lines_of_file(path: Path, lo: int = 0, hi: int | None = None) -> Iterator[tuple[int, Any]]:
    """(physical line, item) of the lines of a JSON Lines file that start in bytes ``[lo, hi)``
    (the whole file by default), read a line at a time (lines end at b"\n")."""
    with path.open("rb") as fh:
        number = 0
        if lo > 0:
            start = _next_line_start(fh, lo)  # the line under way at ``lo`` belongs to the part before
            fh.seek(0)
            while fh.tell() < start:  # number the part's lines as in the whole file
                block = fh.read(min(1 << 20, start - fh.tell()))
                if not block:
                    break
                number += block.count(b"\n")
            fh.seek(start)
        position = fh.tell()
        while hi is None or position < hi:
            raw = fh.readline(MAX_LINE_BYTES + 1)
            if not raw:
                break
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                position = _next_line_start(fh, fh.tell())
                fh.seek(position)
                yield number, RecordError(f"line longer than {MAX_LINE_BYTES >> 20} MB: not read")
                number += 1
                continue
            position += len(raw)
            if number == 0:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            if raw.strip():
                yield number, _parse_line(number, _decode_line(raw))
            number += 1


def _next_line_start(fh: BinaryIO, lo: int) -> int:
    """The offset of the first line that starts at ``lo`` or later (read in blocks: a line of
    any length under way at ``lo`` is stepped over, never held)."""
    fh.seek(lo - 1)
    while True:
        block = fh.read(65536)
        if not block:
            return fh.tell()
        newline = block.find(b"\n")
        if newline >= 0:
            return fh.tell() - len(block) + newline + 1


def _decode_line(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp949")
        except UnicodeDecodeError:
            return raw.decode("utf-8", errors="replace")


def _lines_of_text(text: str) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(text.split("\n")):  # physical lines: U+2028 etc. may sit inside strings
        if line.strip():
            yield number, _parse_line(number, line)


def _record(item: Any, rel: str, position: int) -> RawRecord:
    if not isinstance(item, dict):
        raise RecordError(f"a record must be a JSON object, got {type(item).__name__}")
    body = item.get("body", item.get("text", ""))
    title = item.get("title") or ""
    if not isinstance(body, str) or not isinstance(title, str):
        raise RecordError("title and body must be strings")
    if not title.strip() and not body.strip():
        raise RecordError("record has neither title nor body")
    record: RawRecord = {
        "title": clean_text(title).strip() or clean_text(body).strip()[:80],
        "body": clean_text(body).strip(),
        "type": "article",
        "source": {"path": rel, "position": position},
    }
    if "id" in item:
        record["id"] = check_given_id(item["id"])
    for key in PASSED_FIELDS:
        if item.get(key) not in (None, "", []):
            record[key] = item[key]
    if isinstance(item.get("source"), dict) and item["source"].get("url"):
        record["url"] = str(item["source"]["url"])
    return record
