"""HWP 5.0 documents (Hangul word processor, OLE2 compound file): one raw ``document`` record.

Built on Hancom's published "한글문서파일형식 5.0" format document. The ``FileHeader``
stream says whether the sections are deflated, password-protected, DRM-protected or
a *distribution* (배포용, read-only) document. Body text comes from the records of
every ``BodyText/Section*`` stream, in section order (:mod:`hwp_records`).

A distribution document's ``BodyText`` holds only a decoy notice ("이 문서는 상위
버전의 배포용 문서입니다…"); its real body sits in ``ViewText/Section*``, each
stream opening with a 256-byte ``DISTRIBUTE_DOC_DATA`` record from which the
AES-128 key is recovered (an MSVC ``rand()`` sequence seeded by its first four
bytes unmasks it); the rest of the stream is AES-128-ECB ciphertext of the
(deflated) records. Password-protected and DRM-protected files are reported and
skipped: their text cannot be read without the owner's secret. The ``PrvText``
preview (the first ~1,000 characters) is never used as the document.
"""
from __future__ import annotations

import logging
import re
import struct
import zlib
from pathlib import Path

import olefile
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from indexer.converters import hwp_records
from indexer.converters.base import RawRecord, check_size, source_path
from indexer.converters.office_text import join_text_lines, office_record
from indexer.errors import ConversionError

log = logging.getLogger(__name__)

SIGNATURE = b"HWP Document File"
FLAG_COMPRESSED = 1 << 0
FLAG_PASSWORD = 1 << 1
FLAG_DISTRIBUTION = 1 << 2
FLAG_DRM = 1 << 4
FLAG_CERT_ENCRYPTED = 1 << 8
FLAG_CERT_DRM = 1 << 10
#: Largest inflated size of one section stream (a deflate bomb stops here).
MAX_SECTION_BYTES = 128 * 1024 * 1024
TAG_DISTRIBUTE_DOC_DATA = hwp_records.HWPTAG_BEGIN + 12
_SECTION = re.compile(r"^Section(\d+)$")


def convert(path: Path, root: Path) -> list[RawRecord]:
    """Convert one HWP 5.0 file into a single raw record with its body text."""
    check_size(path)
    try:
        ole = olefile.OleFileIO(str(path), raise_defects=olefile.DEFECT_INCORRECT)
    except (OSError, ValueError) as exc:  # olefile raises OSError for a damaged container
        raise ConversionError(f"corrupt or truncated HWP (not a readable OLE2 compound file): {exc}") from exc
    try:
        body = read_body(ole)
    except (OSError, ValueError) as exc:  # a stream running past the end of a truncated file
        raise ConversionError(f"corrupt or truncated HWP: {exc}") from exc
    finally:
        ole.close()
    return [office_record(body, path.stem, source_path(path, root))]


def read_body(ole: olefile.OleFileIO) -> str:
    """The document text of an open HWP 5.0 file: body lines, then footnotes and endnotes."""
    flags = _file_flags(ole)
    if flags & FLAG_PASSWORD:
        raise ConversionError("password-protected HWP document: its body is encrypted with the owner's password")
    if flags & (FLAG_DRM | FLAG_CERT_DRM | FLAG_CERT_ENCRYPTED):
        raise ConversionError("DRM- or certificate-protected HWP document: its body cannot be read")
    compressed = bool(flags & FLAG_COMPRESSED)
    distribution = bool(flags & FLAG_DISTRIBUTION)
    storage = "ViewText" if distribution else "BodyText"
    names = _sections(ole, storage)
    if not names:
        raise ConversionError(f"HWP document without {storage} sections")
    lines: list[str] = []
    notes: list[str] = []
    for name in names:
        data = ole.openstream(name).read()
        if distribution:
            data = _decrypt_distribution(data)
        if compressed:
            data = _inflate(data)
        text = hwp_records.section_text(hwp_records.parse_records(data))
        lines.extend(text.lines)
        notes.extend(text.notes)
    body = join_text_lines(lines)
    if notes:
        body = f"{body}\n\n{join_text_lines(notes)}" if body else join_text_lines(notes)
    return body


def _file_flags(ole: olefile.OleFileIO) -> int:
    if not ole.exists("FileHeader"):
        raise ConversionError("not an HWP 5.0 document: OLE2 file without a FileHeader stream")
    header = ole.openstream("FileHeader").read(256)
    if not header.startswith(SIGNATURE) or len(header) < 40:
        raise ConversionError("not an HWP 5.0 document: bad FileHeader signature")
    version, flags = struct.unpack_from("<II", header, 32)
    if version >> 24 != 5:
        raise ConversionError(f"unsupported HWP version {version >> 24}.{(version >> 16) & 0xFF}")
    return flags


def _sections(ole: olefile.OleFileIO, storage: str) -> list[str]:
    """``storage/SectionN`` stream names in section order."""
    found = []
    for entry in ole.listdir(streams=True, storages=False):
        if len(entry) == 2 and entry[0] == storage:
            match = _SECTION.match(entry[1])
            if match:
                found.append((int(match.group(1)), "/".join(entry)))
    return [name for _, name in sorted(found)]


def _inflate(data: bytes) -> bytes:
    """Raw-deflate ``data``, refusing more than MAX_SECTION_BYTES of output."""
    inflater = zlib.decompressobj(-15)
    try:
        out = inflater.decompress(data, MAX_SECTION_BYTES)
    except zlib.error as exc:
        raise ConversionError(f"corrupt HWP section: cannot inflate it ({exc})") from exc
    if inflater.unconsumed_tail:
        raise ConversionError(f"HWP section inflates beyond {MAX_SECTION_BYTES // (1 << 20)} MB")
    if not inflater.eof:
        raise ConversionError("truncated HWP section: its compressed data ends early")
    return out


def distribution_key(seed_record: bytes) -> bytes:
    """The AES-128 key hidden in a 256-byte DISTRIBUTE_DOC_DATA payload.

    The first four bytes seed an MSVC-style ``rand()``; its values give a mask
    byte and how many bytes it covers, in turn, over bytes 4..255. The key is the
    first 16 bytes of the unmasked data from offset ``4 + (seed & 0xF)``.
    """
    if len(seed_record) != 256:
        raise ConversionError("distribution HWP: malformed DISTRIBUTE_DOC_DATA record")
    data = bytearray(seed_record)
    (state,) = struct.unpack_from("<I", data, 0)
    seed = state

    def rand() -> int:
        nonlocal state
        state = (state * 214013 + 2531011) & 0xFFFFFFFF
        return (state >> 16) & 0x7FFF

    mask, left = 0, 0
    for i in range(256):
        if left == 0:
            mask = rand() & 0xFF
            left = (rand() & 0xF) + 1
        if i >= 4:
            data[i] ^= mask
        left -= 1
    start = 4 + (seed & 0xF)
    return bytes(data[start:start + 16])


def _decrypt_distribution(data: bytes) -> bytes:
    """Decrypt one ``ViewText`` section stream: its seed record, then AES-128-ECB ciphertext."""
    if len(data) < 4 + 256:
        raise ConversionError("truncated distribution HWP section")
    (header,) = struct.unpack_from("<I", data, 0)
    if header & 0x3FF != TAG_DISTRIBUTE_DOC_DATA or header >> 20 != 256:
        raise ConversionError("distribution HWP section does not start with its key record")
    key = distribution_key(data[4:260])
    cipher_text = data[260:]
    cipher_text = cipher_text[: len(cipher_text) - len(cipher_text) % 16]
    decryptor = Cipher(algorithms.AES(key), modes.ECB()).decryptor()
    return decryptor.update(cipher_text) + decryptor.finalize()
