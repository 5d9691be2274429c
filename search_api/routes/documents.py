"""Document routes: the record, and its original source file."""
from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, current_app, jsonify, send_file

from indexer.converters.sniff import sniff
from indexer.errors import ConversionError
from search_api.errors import APIError

bp = Blueprint("documents", __name__)
_ID = re.compile(r"^[A-Za-z0-9._~:-]{1,200}$")
SOURCE_TYPES = {".pdf": "application/pdf", ".txt": "text/plain; charset=utf-8",
                ".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8",
                ".jsonl": "application/x-ndjson", ".json": "application/json",
                ".hwp": "application/x-hwp", ".hwpx": "application/hwp+zip",
                ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
#: Office documents are sent as downloads (browsers cannot show them); PDFs open in place.
DOWNLOAD_SUFFIXES = {".hwp", ".hwpx", ".docx"}


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
        stored = snapshot.stored(_docnum(snapshot, doc_id))
    origin = Path(stored.get("origin") or "")
    # only the file this record was indexed from is ever served: no path comes from the client
    if not origin.is_absolute() or not origin.is_file():
        raise APIError(404, "source_not_found", "the source file of this document is not available")
    mimetype = SOURCE_TYPES.get(_content_suffix(origin), "application/octet-stream")
    if mimetype.startswith("text/html"):
        mimetype = "text/plain; charset=utf-8"  # never render a stored page as ours
    response = send_file(origin, mimetype=mimetype, conditional=True, download_name=origin.name,
                         as_attachment=origin.suffix.lower() in DOWNLOAD_SUFFIXES)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    return response


@bp.get("/api/documents/<path:doc_id>")
def document(doc_id: str):
    with current_app.extensions["policy_search.index"].snapshot() as snapshot:
        record = snapshot.record(_docnum(snapshot, doc_id))
    return jsonify(record)
