"""The decompression-bomb guard: whole filter chains, every stream a page reaches, pdfium-only files."""
from __future__ import annotations

import zlib

import pytest

from indexer.converters import pdf, pdf_guard
from indexer.errors import ConversionError
from tests.indexer.converters import hostile_pdfs

BOMB_SIZE = 256 << 20  # four times the cap: the guard must stop long before inflating it


@pytest.mark.parametrize("build", [hostile_pdfs.chained_flate_bomb, hostile_pdfs.hex_flate_bomb,
                                   hostile_pdfs.to_unicode_bomb],
                         ids=["flate-flate", "asciihex-flate", "font-tounicode"])
def test_bombs_are_refused_before_a_reader_inflates_them(tmp_path, build):
    path = tmp_path / "bomb.pdf"
    path.write_bytes(build(BOMB_SIZE))
    assert path.stat().st_size < 1 << 20 or build is hostile_pdfs.hex_flate_bomb
    with pytest.raises(ConversionError, match="decompression bomb"):
        pdf.convert(path, tmp_path)


@pytest.mark.parametrize("breakage", [(b"/Size", b"/Size /Size"), (b"/Type /Page /Parent", b"/Parent")],
                         ids=["pdfminer-cannot-parse", "pdfminer-sees-no-page"])
def test_bombs_are_refused_where_only_pdfium_reads_the_file(tmp_path, breakage):
    path = tmp_path / "bomb.pdf"
    path.write_bytes(hostile_pdfs.chained_flate_bomb(BOMB_SIZE).replace(*breakage))
    import pypdfium2

    assert len(pypdfium2.PdfDocument(path)) == 1  # pdfium reads it; pdfminer does not
    with pytest.raises(ConversionError, match="decompression bomb"):
        pdf.convert(path, tmp_path)


@pytest.mark.parametrize("filters", [[], ["FlateDecode"], ["ASCIIHexDecode", "FlateDecode"],
                                     ["ASCII85Decode", "FlateDecode"], ["FlateDecode", "FlateDecode"]])
def test_chain_size_counts_what_the_readers_would_get(filters):
    import base64
    import binascii

    text = b"BT /F1 12 Tf (policy) Tj ET " * 1000
    data = text
    for name in reversed(filters):
        data = {"FlateDecode": zlib.compress, "ASCIIHexDecode": lambda d: binascii.hexlify(d) + b">",
                "ASCII85Decode": lambda d: base64.a85encode(d) + b"~>"}[name](data)
    assert pdf_guard.chain_size(data, filters, 1 << 20) == len(text)


def test_a_readable_pdf_passes_the_guard(tmp_path):
    from tests.ops.test_hostile import _fpdf

    path = tmp_path / "fine.pdf"
    path.write_bytes(_fpdf(3))
    (record,) = pdf.convert(path, tmp_path)
    assert len(record["pages"]) == 3 and "Seoul sharing city" in record["body"]
