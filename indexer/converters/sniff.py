"""What a file is, by its first bytes: PDF, OLE2 (HWP 5.0), zip (HWPX, DOCX), HTML, a DRM envelope."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from indexer.errors import ConversionError

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
HWP3_MAGIC = b"HWP Document File V3"
#: Formats recognised from their bytes alone.
BINARY_KINDS = frozenset({"pdf", "hwp", "hwpx", "docx"})
#: Envelopes of document-security (DRM) products: the document inside is ciphertext.
DRM_MARKERS = {b"<MARKANY_DOCUMENTSAFER>": "MarkAny Document SAFER", b"SCDSA00": "SoftCamp Document Security"}
_HEAD = 4096
_HTML = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)


def sniff(path: Path) -> str | None:
    """``pdf``, ``hwp``, ``hwpx``, ``docx`` or ``html`` from the content; None when not telling.

    Raises ConversionError for a DRM envelope, an HWP 3.0 file, or a zip that is
    neither HWPX nor DOCX.
    """
    try:
        with path.open("rb") as fh:
            head = fh.read(_HEAD)
    except OSError:
        return None  # the converter reports the unreadable file
    for marker, product in DRM_MARKERS.items():
        if head.startswith(marker) or head[:64].lstrip(b"\x00 \r\n").startswith(marker):
            raise ConversionError(f"DRM-protected file ({product} envelope): its content is encrypted, not readable")
    if head.startswith(OLE2_MAGIC):
        return "hwp"
    if head.startswith(HWP3_MAGIC):
        raise ConversionError("HWP 3.0 document: only HWP 5.0 and later are supported")
    if head.startswith(ZIP_MAGIC):
        return _zip_kind(path)
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if _HTML.match(head.lstrip(b"\xef\xbb\xbf")):
        return "html"
    return None


def _zip_kind(path: Path) -> str | None:
    """``hwpx`` or ``docx`` from a zip's member names; None when the zip cannot be read."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return "docx"
            from indexer.converters.hwpx import is_hwpx
            if is_hwpx(archive):
                return "hwpx"
    except (zipfile.BadZipFile, OSError, ValueError):
        return None  # the converter named by the extension reports the damage
    raise ConversionError("zip archive that is neither an HWPX nor a DOCX document")
