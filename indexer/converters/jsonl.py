"""JSON Lines and JSON record exports (a CMS's batch path): ids given there are kept."""
from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from indexer.converters.base import LOCATION_KEY, RawRecord, check_size, report_skipped, source_path
from indexer.converters.cleaning import clean_text, decode_bytes
from indexer.errors import ConversionError, RecordError
from indexer.records import check_given_id

log = logging.getLogger(__name__)

#: Fields an export may carry besides title and body, copied as they are when present.
PASSED_FIELDS = ("type", "date", "author", "url", "lang", "cities", "topics", "sdgs", "pages")
MAX_EXPORT_BYTES = 512 * 1024 * 1024


def convert(path: Path, root: Path) -> list[RawRecord]:
    """Read every record of a ``.jsonl`` or ``.json`` export; bad lines are reported and skipped.

    In JSON Lines, a record's ``source.position`` is its physical line (0-based; lines
    end at ``\n`` only) and every skipped line is reported as ``:N`` (1-based); in a
    JSON array, it is the index of the record and reported as ``#N`` (1-based). JSON Lines
    are read a line at a time (an export up to :data:`MAX_EXPORT_BYTES` never sits in memory
    whole); a line that fails in any way (invalid, nested too deep, a bad field) costs only itself.
    """
    check_size(path, MAX_EXPORT_BYTES)
    rel = source_path(path, root)
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    lines = not _is_array(head, path.suffix.lower())
    if lines and head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: not splittable at b"\n"
        items = _lines_of_text(decode_bytes(path.read_bytes()))
    elif lines:
        if head.strip():
            decode_bytes(head[: head.rfind(b"\n") + 1] or head)  # refuses binary junk, as for any text
        items = _lines_of_file(path)
    else:
        items = iter(_array_items(decode_bytes(path.read_bytes())))
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
    if not records and not problems:
        raise ConversionError("no JSON record in the file")
    if not records:
        raise ConversionError(f"no usable record ({problems} rejected)")
    return records


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


def _lines_of_file(path: Path) -> Iterator[tuple[int, Any]]:
    """(physical line, item) of a JSON Lines file, read a line at a time (lines end at b"\n")."""
    with path.open("rb") as fh:
        for number, raw in enumerate(fh):
            if number == 0:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            if not raw.strip():
                continue
            yield number, _parse_line(number, _decode_line(raw))


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
