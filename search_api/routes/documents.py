"""Document routes: the record, and its original source file."""
from __future__ import annotations

import json
import re
from pathlib import Path

from flask import Blueprint, current_app, jsonify, send_file

from indexer.converters.cleaning import clean_text
from indexer.converters.sniff import sniff
from indexer.errors import ConversionError
from search_api.errors import APIError

bp = Blueprint("documents", __name__)
_ID = re.compile(r"^[A-Za-z0-9._~:-]{1,200}$")
SOURCE_TYPES = {".pdf": "application/pdf", ".txt": "text/plain",  # Werkzeug adds "; charset=utf-8" to text/*
                ".html": "text/html", ".htm": "text/html",
                ".hwp": "application/x-hwp", ".hwpx": "application/hwp+zip",
                ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
#: Office documents are sent as downloads (browsers cannot show them); PDFs open in place.
DOWNLOAD_SUFFIXES = {".hwp", ".hwpx", ".docx"}
#: Record exports: the source of one of their records is that record alone, never the file.
EXPORT_SUFFIXES = {".jsonl", ".ndjson", ".json"}
_UNAVAILABLE = "the source file of this document is not available"
#: Largest JSON array export a record's entry is read from (JSON Lines are read line by line).
MAX_JSON_ARRAY_BYTES = 20 * 1024 * 1024


def _docnum(snapshot, doc_id: str) -> int:
    if not _ID.match(doc_id) or doc_id not in snapshot.facets.ids:
        raise APIError(404, "not_found", f"no document with id {doc_id[:200]!r}")
    return snapshot.facets.ids[doc_id]


def _content_suffix(origin: Path) -> str:
    """The suffix of what an office file is (an HWPX saved as .hwp is sent as HWPX)."""
    suffix = origin.suffix.lower()
    if suffix in DOWNLOAD_SUFFIXES:
        try:
            kind = sniff(origin)
        except ConversionError:  # a DRM envelope: never indexed, so never served
            kind = None
        return f".{kind}" if kind in ("hwp", "hwpx", "docx") else suffix
    return suffix


@bp.get("/api/documents/<path:doc_id>/source")
def source(doc_id: str):
    with current_app.extensions["policy_search.index"].snapshot() as snapshot:
        docnum = _docnum(snapshot, doc_id)
        stored, record = snapshot.stored(docnum), snapshot.record(docnum)
        roots = _source_roots(snapshot.metadata)
    origin = _checked_origin(stored.get("origin") or "", roots)
    if origin.suffix.lower() in EXPORT_SUFFIXES:
        return _export_record(origin, record)
    mimetype = SOURCE_TYPES.get(_content_suffix(origin), "application/octet-stream")
    if mimetype == "text/html":
        mimetype = "text/plain"  # never render a stored page as ours
    response = send_file(origin, mimetype=mimetype, conditional=True, download_name=origin.name,
                         as_attachment=origin.suffix.lower() in DOWNLOAD_SUFFIXES)
    response.headers["Content-Security-Policy"] = "sandbox"
    return response


def _source_roots(metadata: dict) -> list[Path]:
    """Folders a source may be served from: the configured sources and those the live generation read."""
    settings = current_app.extensions["policy_search.settings"]
    given = list(settings.sources) + [s for s in metadata.get("sources") or [] if isinstance(s, str)]
    roots = []
    for root in given:
        path = Path(root)
        roots.append(path.resolve().parent if path.suffix.lower() in _ALL_SUFFIXES else path.resolve())
    return roots


_ALL_SUFFIXES = set(SOURCE_TYPES) | EXPORT_SUFFIXES


def _checked_origin(origin: str, roots: list[Path]) -> Path:
    """The indexed file, only while it is still that regular file (no symlink now) under a source root.

    No path comes from the client: ``origin`` is what the indexer recorded.
    """
    path = Path(origin)
    if not path.is_absolute() or not path.is_file() or path.resolve() != path:
        raise APIError(404, "source_not_found", _UNAVAILABLE)
    if not any(path.is_relative_to(root) for root in roots):
        raise APIError(404, "source_not_found", _UNAVAILABLE)
    return path


def _export_record(origin: Path, record: dict):
    """The record's own entry of a JSON/JSONL export (its line), when it still is the record indexed."""
    position = (record.get("source") or {}).get("position")
    if not isinstance(position, int):
        raise APIError(404, "source_not_found", _UNAVAILABLE)
    item = _export_item(origin, position)
    if not isinstance(item, dict) or not _same_record(item, record):
        raise APIError(404, "source_not_found", "the source of this document has changed since it was indexed")
    response = current_app.response_class(json.dumps(_indexed_fields(item), ensure_ascii=False),
                                          mimetype="application/json")
    response.headers["Content-Security-Policy"] = "sandbox"
    return response


def _indexed_fields(item: dict) -> dict:
    """The fields of an export entry the index reads (id, title, body, the passed fields, the
    source's url); anything else an export carries (an internal note) is not served."""
    from indexer.converters.jsonl import PASSED_FIELDS

    kept = {key: item[key] for key in ("id", "title", "body", "text", *PASSED_FIELDS) if key in item}
    if isinstance(item.get("source"), dict) and item["source"].get("url"):
        kept["source"] = {"url": item["source"]["url"]}
    return kept


def _same_record(item: dict, record: dict) -> bool:
    """Whether an export entry is still the record indexed from it (same id, else same body)."""
    if "id" in item:
        return item["id"] == record["id"]
    body = item.get("body", item.get("text", ""))
    return isinstance(body, str) and clean_text(body).strip()[:500] == record.get("body", "")[:500]


def _export_item(origin: Path, position: int):
    """Line ``position`` (0-based, physical) of a JSON Lines file, or item ``position`` of a JSON array."""
    with origin.open("rb") as fh:
        head = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
        fh.seek(0)
        if origin.suffix.lower() == ".json" or head.startswith(b"["):
            if origin.stat().st_size > MAX_JSON_ARRAY_BYTES:
                return None  # a whole array is parsed to find one entry: not on a request for a large file
            try:
                data = json.loads(fh.read().decode("utf-8-sig", errors="replace"))
            except (ValueError, RecursionError):
                return None
            items = data if isinstance(data, list) else data.get("records", [data]) if isinstance(data, dict) else []
            return items[position] if 0 <= position < len(items) else None
        for number, line in enumerate(fh):
            if number == position:
                try:
                    return json.loads(line.decode("utf-8-sig", errors="replace"))
                except (ValueError, RecursionError):
                    return None
    return None


@bp.get("/api/documents/<path:doc_id>")
def document(doc_id: str):
    with current_app.extensions["policy_search.index"].snapshot() as snapshot:
        record = snapshot.record(_docnum(snapshot, doc_id))
    return jsonify(record)
