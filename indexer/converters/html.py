"""HTML pages: main text, title and date by trafilatura's extractor."""
from __future__ import annotations

import logging
from pathlib import Path

import trafilatura

from indexer.converters.base import RawRecord, check_size, source_path
from indexer.converters.cleaning import clean_text, decode_bytes
from indexer.errors import ConversionError

log = logging.getLogger(__name__)


def convert(path: Path, root: Path) -> list[RawRecord]:
    """Extract the main article of an HTML page as one raw record."""
    check_size(path)
    html = decode_bytes(path.read_bytes())
    document = trafilatura.bare_extraction(
        html, include_comments=False, include_tables=True, with_metadata=True, favor_precision=True
    )
    if document is None or not (document.text or "").strip():
        raise ConversionError("no main text found in the HTML page")
    rel = source_path(path, root)
    body = clean_text(document.text).strip()
    title = clean_text(document.title or "").strip() or body.split("\n", 1)[0][:120]
    record: RawRecord = {
        "title": title,
        "body": body,
        "type": "article",
        "source": {"path": rel},
    }
    if document.date and len(document.date) >= 10:
        record["date"] = document.date[:10]
    if document.author:
        record["author"] = clean_text(document.author).strip()
    if document.url:
        record["url"] = document.url
    return [record]
