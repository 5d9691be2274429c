"""One converter per input format; :func:`converter_for` picks one by file name and content."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from indexer.converters.base import RawRecord
from indexer.errors import ConversionError

Converter = Callable[[Path, Path], list[RawRecord]]

TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
PDF_SUFFIXES = {".pdf"}
JSON_SUFFIXES = {".jsonl", ".ndjson", ".json"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES | JSON_SUFFIXES


def converter_for(path: Path) -> Converter:
    """The converter for ``path``'s format; ConversionError for a format we do not read."""
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        from indexer.converters import pdf
        return pdf.convert
    if suffix in TEXT_SUFFIXES:
        from indexer.converters import text
        return text.convert
    if suffix in HTML_SUFFIXES:
        from indexer.converters import html
        return html.convert
    if suffix in JSON_SUFFIXES:
        from indexer.converters import jsonl
        return jsonl.convert
    raise ConversionError(f"unsupported file type {suffix or '(none)'!r}")
