"""A guard against decompression bombs: streams that decode far beyond a cap.

pdfminer.six and pdfium decode a stream whole, in memory, before using it, and a
filter chain multiplies: ``[/FlateDecode /FlateDecode]`` turns a few kilobytes into
terabytes. Before a page is read, every stream the page can reach (its contents,
form and image XObjects with their own resources, fonts with their ``ToUnicode``
maps and embedded font files, patterns, shadings, soft masks, annotation
appearances) is decoded here through its *whole* filter chain, streamed in
bounded chunks and counting bytes only; a stream (or any stage of its chain)
past the cap skips the file. When pdfminer cannot parse the file (pypdfium2
alone reads it), every stream of the file is found by a scan of its bytes and
checked the same way.
"""
from __future__ import annotations

import base64
import binascii
import io
import re
import zlib
from collections.abc import Iterable, Iterator

from pdfminer.lzw import LZWDecoder
from pdfminer.pdftypes import PDFObjRef, PDFStream
from pdfminer.psparser import PSLiteral

from indexer.errors import ConversionError

#: Largest decoded stream accepted (and largest output of any stage of its filter chain), in bytes.
MAX_STREAM_BYTES = 64 * 1024 * 1024
#: Largest decoded image stream (a 300 dpi A4 colour scan is about 26 MB).
MAX_IMAGE_BYTES = 256 * 1024 * 1024
#: Objects a page may reach before it is refused (a graph that large is an attack on the walk itself).
MAX_REACHABLE_OBJECTS = 200_000
_CHUNK = 1 << 20

_FILTER_NAMES = {"Fl": "FlateDecode", "AHx": "ASCIIHexDecode", "A85": "ASCII85Decode",
                 "LZW": "LZWDecode", "RL": "RunLengthDecode"}
#: Keys leading to other pages (the page tree, link destinations and actions, outline and bead
#: chains): those pages are checked when they are read, so one page's walk stays that page's.
_SKIPPED_KEYS = frozenset({"Parent", "P", "Dest", "D", "A", "PA", "Next", "Prev", "First", "Last", "B"})


class StreamGuard:
    """Checks the streams of one document, each at most once (pages often share resources)."""

    def __init__(self, limit: int = MAX_STREAM_BYTES, image_limit: int = MAX_IMAGE_BYTES) -> None:
        self.limit, self.image_limit = limit, image_limit
        self._seen: set[int] = set()

    def check_page(self, page, number: int) -> None:
        """Raise ConversionError when a stream ``page`` (pdfminer PDFPage) can reach decodes past the cap."""
        for stream in self._reachable_streams([page.attrs, page.resources]):
            image = _name(stream.attrs.get("Subtype")) == "Image"
            limit = self.image_limit if image else self.limit
            if decoded_size(stream, limit) > limit:
                what = "an image" if image else "a stream"
                raise ConversionError(f"decompression bomb: {what} of page {number} decodes to more than "
                                      f"{limit // (1 << 20)} MB")

    def _reachable_streams(self, root) -> Iterator[PDFStream]:
        stack = [root]
        walked = 0
        while stack:
            item = stack.pop()
            if isinstance(item, PDFObjRef):
                if item.objid in self._seen:
                    continue
                self._seen.add(item.objid)
                try:
                    item = item.resolve()
                except Exception:  # noqa: BLE001 - a dangling reference: the readers report it
                    continue
            walked += 1
            if walked > MAX_REACHABLE_OBJECTS:
                raise ConversionError(f"a page reaches more than {MAX_REACHABLE_OBJECTS} PDF objects")
            if isinstance(item, PDFStream):
                yield item
                stack.extend(v for k, v in item.attrs.items() if k not in _SKIPPED_KEYS)
            elif isinstance(item, dict):
                stack.extend(v for k, v in item.items() if k not in _SKIPPED_KEYS)
            elif isinstance(item, list):
                stack.extend(item)


def check_page(page, number: int, limit: int = MAX_STREAM_BYTES) -> None:
    """One-off check of ``page`` (see :class:`StreamGuard`)."""
    StreamGuard(limit).check_page(page, number)


def _name(value) -> str:
    if isinstance(value, PDFObjRef):
        try:
            value = value.resolve()
        except Exception:  # noqa: BLE001
            return ""
    name = value.name if isinstance(value, PSLiteral) else str(value or "")
    return _FILTER_NAMES.get(name, name)


def _filters(stream: PDFStream) -> list[str]:
    filters = stream.get_any(("F", "Filter"), [])
    if isinstance(filters, PDFObjRef):
        filters = filters.resolve()
    return [_name(f) for f in (filters if isinstance(filters, list) else [filters]) if f]


def decoded_size(stream: PDFStream, limit: int) -> int:
    """Bytes ``stream`` decodes to through its whole filter chain, counted up to just past ``limit``."""
    if stream.data is not None:
        return len(stream.data)
    raw = stream.rawdata or b""
    if stream.decipher and stream.objid is not None and stream.genno is not None:
        try:
            raw = stream.decipher(stream.objid, stream.genno, raw, stream.attrs)
        except Exception:  # noqa: BLE001 - undecryptable: the readers report it
            return len(raw)
    return chain_size(raw, _filters(stream), limit)


def chain_size(raw: bytes, filters: list[str], limit: int) -> int:
    """Bytes ``raw`` decodes to through ``filters``; every stage is streamed and capped at ``limit``."""
    chunks: Iterable[bytes] = (raw[i:i + _CHUNK] for i in range(0, len(raw), _CHUNK))
    for name in filters:
        decoder = _DECODERS.get(name)
        if decoder is None:
            break  # an image codec or unknown filter: its output is not inflated text
        chunks = _capped(decoder(chunks), limit)
    total = 0
    try:
        for chunk in chunks:
            total += len(chunk)
            if total > limit:
                break
    except _StageOverflow:
        return limit + 1
    return total


class _StageOverflow(Exception):
    pass


def _capped(chunks: Iterable[bytes], limit: int) -> Iterator[bytes]:
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if total > limit:
            raise _StageOverflow
        yield chunk


def _flate(chunks: Iterable[bytes]) -> Iterator[bytes]:
    inflater = zlib.decompressobj()
    try:
        for chunk in chunks:
            pending = chunk
            while pending and not inflater.eof:
                out = inflater.decompress(pending, _CHUNK)
                pending = inflater.unconsumed_tail
                if out:
                    yield out
            if inflater.eof:
                return
    except zlib.error:
        return  # what was inflated before the damage is what the readers get too


_WHITESPACE = b" \t\r\n\f\x00"


def _ascii_hex(chunks: Iterable[bytes]) -> Iterator[bytes]:
    carry = b""
    for chunk in chunks:
        end = chunk.find(b">")
        part = carry + (chunk if end < 0 else chunk[:end]).translate(None, _WHITESPACE)
        keep = len(part) - len(part) % 2
        try:
            yield binascii.unhexlify(part[:keep])
        except binascii.Error:
            return
        carry = part[keep:]
        if end >= 0:
            return


def _ascii85(chunks: Iterable[bytes]) -> Iterator[bytes]:
    carry = b""
    for chunk in chunks:
        data = carry + chunk.translate(None, _WHITESPACE)
        end = data.find(b"~>")
        if end >= 0:
            data = data[:end]
        parts = data.split(b"z")
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            keep = len(part) if (end >= 0 and last) else len(part) - len(part) % 5
            if last and end < 0:
                carry = part[keep:]
            try:
                if part[:keep]:
                    yield base64.a85decode(part[:keep])
            except ValueError:
                return
            if not last:
                yield b"\0\0\0\0"
        if end >= 0:
            return


def _run_length(chunks: Iterable[bytes]) -> Iterator[bytes]:
    data = b"".join(chunks)  # bounded by the previous stage's cap
    i, out = 0, bytearray()
    while i < len(data):
        length = data[i]
        if length == 128:
            break
        if length < 128:
            out += data[i + 1:i + 2 + length]
            i += length + 2
        else:
            out += data[i + 1:i + 2] * (257 - length)
            i += 2
        if len(out) >= _CHUNK:
            yield bytes(out)
            out.clear()
    if out:
        yield bytes(out)


def _lzw(chunks: Iterable[bytes]) -> Iterator[bytes]:
    decoder = LZWDecoder(io.BytesIO(b"".join(chunks)))  # input bounded by the previous stage's cap
    try:
        yield from decoder.run()
    except Exception:  # noqa: BLE001 - corrupt data ends the stream
        return


_DECODERS = {"FlateDecode": _flate, "ASCIIHexDecode": _ascii_hex, "ASCII85Decode": _ascii85,
             "LZWDecode": _lzw, "RunLengthDecode": _run_length}

# --- files pdfminer cannot parse: every stream found by a scan of the bytes ------------------------

_STREAM = re.compile(rb">>\s*stream\r?\n")
_OBJ = re.compile(rb"\d+\s+\d+\s+obj\b")
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[A-Za-z0-9]+)")
_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)")
_SUBTYPE_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
_DICT_WINDOW = 8192


def check_file_bytes(data: bytes, limit: int = MAX_STREAM_BYTES, image_limit: int = MAX_IMAGE_BYTES) -> None:
    """Raise ConversionError when any stream in the bytes of a PDF decodes past the cap.

    Used where pdfminer cannot parse the file: pdfium then reads it alone, so every
    stream stored in the file is checked (a superset of what any page reaches).
    Streams of an encrypted file cannot be decoded here and are not counted.
    """
    position = 0
    while (match := _STREAM.search(data, position)) is not None:
        start = match.end()
        window = data[max(0, match.start() - _DICT_WINDOW):match.start()]
        objects = list(_OBJ.finditer(window))
        head = window[objects[-1].end():] if objects else window
        length = _LENGTH.search(head)
        end = start + int(length.group(1)) if length else -1
        if not (length and data[end:end + 40].lstrip().startswith(b"endstream")):
            found = data.find(b"endstream", start)
            end = found if found >= 0 else len(data)
        filters = _FILTER.search(head)
        names = [_FILTER_NAMES.get(n.decode(), n.decode()) for n in re.findall(rb"/([A-Za-z0-9]+)", filters.group(1))] \
            if filters else []
        cap = image_limit if _SUBTYPE_IMAGE.search(head) else limit
        if chain_size(data[start:end], names, cap) > cap:
            raise ConversionError(f"decompression bomb: a stream at byte {start} decodes to more than "
                                  f"{cap // (1 << 20)} MB")
        position = max(end, start + 1)
