"""Hostile PDFs built as bytes: decompression bombs through filter chains and fonts, slow pages."""
from __future__ import annotations

import binascii
import zlib

GIB = 1 << 30


def pdf_bytes(objects: list[bytes]) -> bytes:
    """A PDF from numbered object bodies (1-based), with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def stream(data: bytes, filters: str = "", extra: bytes = b"") -> bytes:
    """A stream object body; ``filters`` like ``/FlateDecode`` or ``[/ASCIIHexDecode /FlateDecode]``."""
    head = b"<< /Length %d" % len(data) + (b" /Filter " + filters.encode() if filters else b"") + extra + b" >>"
    return head + b"\nstream\n" + data + b"\nendstream"


def deflated_zeros(size: int) -> bytes:
    """``size`` zero bytes, deflated in 1 MB steps (never held whole)."""
    compressor = zlib.compressobj(9)
    chunk = b"\0" * (1 << 20)
    parts = [compressor.compress(chunk) for _ in range(size >> 20)]
    return b"".join(parts) + compressor.flush()


def _page_objects(contents: bytes, font: bytes = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
                  extra: list[bytes] | None = None) -> list[bytes]:
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        contents,
        font,
        *(extra or []),
    ]


_TEXT = b"BT /F1 12 Tf 72 720 Td (Seoul bike lanes) Tj ET"


def chained_flate_bomb(size: int = GIB) -> bytes:
    """One page whose contents are ``[/FlateDecode /FlateDecode]`` over ``size`` zero bytes (a few KB)."""
    data = zlib.compress(deflated_zeros(size), 9)
    return pdf_bytes(_page_objects(stream(data, "[/FlateDecode /FlateDecode]")))


def hex_flate_bomb(size: int = GIB) -> bytes:
    """One page whose contents are ``[/ASCIIHexDecode /FlateDecode]`` over ``size`` zero bytes."""
    data = binascii.hexlify(deflated_zeros(size)) + b">"
    return pdf_bytes(_page_objects(stream(data, "[/ASCIIHexDecode /FlateDecode]")))


def to_unicode_bomb(size: int = GIB) -> bytes:
    """A readable page whose font's ``/ToUnicode`` CMap inflates to ``size`` bytes (chained filters)."""
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>"
    cmap = stream(zlib.compress(deflated_zeros(size), 9), "[/FlateDecode /FlateDecode]")
    return pdf_bytes(_page_objects(stream(_TEXT), font=font, extra=[cmap]))


def slow_pages(pages: int = 10, operators: int = 400_000) -> bytes:
    """``pages`` pages sharing one small, deflated content stream of ``operators`` text-show operators.

    A couple of KB on disk; each page costs pdfminer seconds of CPU.
    """
    content = b"BT /F1 1 Tf " + b"(ab) Tj 0 0 Td " * operators + b"ET"
    kids = b" ".join(b"%d 0 R" % (4 + n) for n in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        stream(zlib.compress(content, 9), "/FlateDecode"),
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
                b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (4 + pages)] * pages
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    return pdf_bytes(objects)
