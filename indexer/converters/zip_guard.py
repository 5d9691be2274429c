"""Zip containers (HWPX, DOCX) opened with limits: no bombs, no oversized parts."""
from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from indexer.errors import ConversionError

#: Largest uncompressed size of one member, and of all members together.
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
#: Largest compression ratio of a member bigger than RATIO_FLOOR (text XML reaches ~40).
MAX_RATIO = 200
RATIO_FLOOR = 1024 * 1024
MAX_MEMBERS = 10_000


def open_zip(path: Path, kind: str) -> zipfile.ZipFile:
    """Open ``path`` as a zip after checking every member's declared size and ratio.

    ``zipfile`` never inflates a member beyond the size its central directory
    declares (and checks the CRC), so bounding the declared sizes bounds memory.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ConversionError(f"corrupt {kind}: not a readable zip container ({exc})") from exc
    try:
        check_members(archive, kind)
    except ConversionError:
        archive.close()
        raise
    return archive


def check_members(archive: zipfile.ZipFile, kind: str) -> None:
    """ConversionError when a member, or the whole, inflates past the limits."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ConversionError(f"{kind} has too many parts ({len(infos)})")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_MEMBER_BYTES:
            raise ConversionError(
                f"zip bomb or oversized {kind}: {info.filename} inflates to {info.file_size} bytes")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ConversionError(
                f"zip bomb in {kind}: {info.filename} has a compression ratio above {MAX_RATIO}")
    if total > MAX_TOTAL_BYTES:
        raise ConversionError(f"zip bomb or oversized {kind}: its parts inflate to {total} bytes")


def read_member(archive: zipfile.ZipFile, name: str, kind: str) -> bytes:
    """One member's bytes; ConversionError when it is corrupt or encrypted at zip level."""
    try:
        return archive.read(name)
    except RuntimeError as exc:  # zip-level encryption
        raise ConversionError(f"password-protected {kind}: {name} is encrypted") from exc
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError) as exc:
        raise ConversionError(f"corrupt {kind}: cannot read {name} ({exc})") from exc
