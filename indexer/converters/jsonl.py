"""JSON Lines and JSON record exports (a CMS's batch path): ids given there are kept."""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from indexer.converters.base import RawRecord, check_size, source_path
from indexer.converters.cleaning import clean_text, decode_bytes
from indexer.errors import ConversionError, RecordError
from indexer.records import check_given_id

log = logging.getLogger(__name__)

#: Fields an export may carry besides title and body, copied as they are when present.
PASSED_FIELDS = ("type", "date", "author", "url", "lang", "cities", "topics", "sdgs", "pages")
MAX_EXPORT_BYTES = 512 * 1024 * 1024


def convert(path: Path, root: Path) -> list[RawRecord]:
    """Read every record of a ``.jsonl`` or ``.json`` export; bad lines are logged and skipped."""
    check_size(path, MAX_EXPORT_BYTES)
    text = decode_bytes(path.read_bytes())
    rel = source_path(path, root)
    items = _load_items(text, path.suffix.lower())
    records: list[RawRecord] = []
    problems = 0
    for position, item in items:
        try:
            records.append(_record(item, rel, position))
        except (RecordError, ConversionError) as exc:
            problems += 1
            log.warning("%s: record %d skipped: %s", rel, position + 1, exc)
    if not records and problems:
        raise ConversionError(f"no usable record ({problems} rejected; first reasons logged)")
    return records


def _load_items(text: str, suffix: str) -> list[tuple[int, Any]]:
    stripped = text.lstrip()
    if suffix == ".json" or stripped.startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConversionError(f"invalid JSON at line {exc.lineno}: {exc.msg}") from exc
        data = data if isinstance(data, list) else data.get("records", [data]) if isinstance(data, dict) else None
        if data is None:
            raise ConversionError("a JSON export must be a list of records or an object")
        return list(enumerate(data))
    items = []
    for number, line in enumerate(text.splitlines()):
        if not line.strip():
            continue
        try:
            items.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            log.warning("line %d skipped: invalid JSON (%s)", number + 1, exc.msg)
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
