"""What every converter shares: the raw record shape and the source guards.

A converter turns one source file into *raw records*: plain dicts with
``title``, ``body``, ``type`` and ``source`` and, where the source gives them,
``date`` (ISO 8601), ``author``, ``url``, ``lang``, ``id``, ``pages`` and
``needs_ocr``. :func:`indexer.records.finalize` then derives the id, language,
cities, topics, SDGs and content hash, and validates the result.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from indexer.errors import ConversionError

RawRecord = dict[str, Any]

#: Largest source file a converter reads, in bytes.
MAX_SOURCE_BYTES = 20 * 1024 * 1024


def check_size(path: Path, limit: int = MAX_SOURCE_BYTES) -> int:
    """Return the file's size, or raise ConversionError when empty or over ``limit``."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ConversionError(f"cannot read: {exc.strerror or exc}") from exc
    if size == 0:
        raise ConversionError("empty file")
    if size > limit:
        raise ConversionError(f"file too large: {size} bytes (limit {limit})")
    return size


def source_path(path: Path, root: Path) -> str:
    """``path`` relative to its source folder ``root`` (POSIX), or its name if outside it."""
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name


#: Key of a raw record naming where in its file it came from (``:12`` for line 12, ``#3``
#: for the third record); used in messages, never stored.
LOCATION_KEY = "_location"

#: Key of a raw record that is its whole file (a PDF or office document): its id is named by
#: the file's path alone (:func:`indexer.records.make_id`).
WHOLE_FILE_KEY = "_whole_file"

_skipped: ContextVar[list[tuple[str, str]] | None] = ContextVar("skipped_inputs", default=None)


@contextmanager
def collect_skipped() -> Iterator[list[tuple[str, str]]]:
    """Collect the parts of a file its converter skips (see :func:`report_skipped`)."""
    collected: list[tuple[str, str]] = []
    token = _skipped.set(collected)
    try:
        yield collected
    finally:
        _skipped.reset(token)


def report_skipped(where: str, reason: str) -> None:
    """Report a part of the file being converted that was skipped (``where``: ``:12``, ``#3``)."""
    collected = _skipped.get()
    if collected is not None:
        collected.append((where, reason))
