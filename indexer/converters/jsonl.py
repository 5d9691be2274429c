"""JSON Lines and JSON record exports (a CMS's batch path): ids given there are kept."""
from __future__ import annotations

import json
import logging
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
    JSON array, it is the index of the record and reported as ``#N`` (1-based).
    """
    check_size(path, MAX_EXPORT_BYTES)
    text = decode_bytes(path.read_bytes())
    rel = source_path(path, root)
    lines = not _is_array(text, path.suffix.lower())
    items = _load_items(text, lines)
    records: list[RawRecord] = []
    problems = 0
    for position, item in items:
        where = f":{position + 1}" if lines else f"#{position + 1}"
        if isinstance(item, Exception):
            problems += 1
            report_skipped(where, str(item))
            continue
        try:
            record = _record(item, rel, position)
        except (RecordError, ConversionError) as exc:
            problems += 1
            report_skipped(where, str(exc))
            log.info("%s%s skipped: %s", rel, where, exc)
            continue
        record[LOCATION_KEY] = where
        records.append(record)
    if not records and problems:
        raise ConversionError(f"no usable record ({problems} rejected)")
    return records


def _is_array(text: str, suffix: str) -> bool:
    return suffix == ".json" or text.lstrip().startswith("[")


def _load_items(text: str, lines: bool) -> list[tuple[int, Any]]:
    """(position, parsed item) pairs; in JSON Lines, an unparsable line gives its error instead."""
    if not lines:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConversionError(f"invalid JSON at line {exc.lineno}: {exc.msg}") from exc
        data = data if isinstance(data, list) else data.get("records", [data]) if isinstance(data, dict) else None
        if data is None:
            raise ConversionError("a JSON export must be a list of records or an object")
        return list(enumerate(data))
    items: list[tuple[int, Any]] = []
    for number, line in enumerate(text.split("\n")):  # physical lines: U+2028 etc. may sit inside strings
        if not line.strip():
            continue
        try:
            items.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            log.info("line %d skipped: invalid JSON (%s)", number + 1, exc.msg)
            items.append((number, RecordError(f"invalid JSON: {exc.msg} (column {exc.colno})")))
    if not items:
        raise ConversionError("no JSON record in the file")
    return items


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
