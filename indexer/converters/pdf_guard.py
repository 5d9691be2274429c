"""A guard against decompression bombs: content streams that inflate beyond a cap.

Both pdfminer.six and pdfium inflate a page's whole content stream in memory
before reading it, so a few megabytes of compressed zeros can demand gigabytes.
Before a page is read, every content stream it draws (its ``/Contents`` and the
form XObjects it uses) is inflated here in bounded chunks, counting bytes only.
"""
from __future__ import annotations

import zlib

from pdfminer.pdftypes import PDFStream, resolve1
from pdfminer.psparser import PSLiteral

from indexer.errors import ConversionError

#: Largest decoded content stream accepted, in bytes.
MAX_STREAM_BYTES = 64 * 1024 * 1024
_CHUNK = 1 << 20
_FLATE = {"FlateDecode", "Fl"}


def check_page(page, number: int, limit: int = MAX_STREAM_BYTES) -> None:
    """Raise ConversionError when a content stream of ``page`` (pdfminer PDFPage) inflates past ``limit``."""
    for stream in _content_streams(page):
        size = inflated_size(stream, limit)
        if size > limit:
            raise ConversionError(
                f"decompression bomb: a content stream of page {number} inflates beyond {limit // (1 << 20)} MB"
            )


def _content_streams(page):
    contents = resolve1(page.attrs.get("Contents"))
    for item in contents if isinstance(contents, list) else [contents]:
        stream = resolve1(item)
        if isinstance(stream, PDFStream):
            yield stream
    resources = resolve1(page.resources) if page.resources else {}
    xobjects = resolve1(resources.get("XObject")) if isinstance(resources, dict) else None
    for item in (xobjects or {}).values() if isinstance(xobjects, dict) else ():
        stream = resolve1(item)
        if isinstance(stream, PDFStream) and _name(stream.get("Subtype")) == "Form":
            yield stream


def _name(value) -> str:
    value = resolve1(value)
    return value.name if isinstance(value, PSLiteral) else str(value or "")


def inflated_size(stream: PDFStream, limit: int) -> int:
    """Bytes ``stream`` decodes to through its first filter, counted up to just past ``limit``."""
    raw = stream.rawdata if stream.rawdata is not None else (stream.data or b"")
    filters = resolve1(stream.get("Filter"))
    first = filters[0] if isinstance(filters, list) and filters else filters
    if _name(first) not in _FLATE:
        return len(raw)
    inflater = zlib.decompressobj()
    total, pending = 0, raw
    try:
        while pending and total <= limit:
            total += len(inflater.decompress(pending, _CHUNK))
            pending = inflater.unconsumed_tail
    except zlib.error:
        return total  # corrupt data: the readers report it themselves
    return total
