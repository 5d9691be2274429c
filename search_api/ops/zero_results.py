"""The zero-result query log: what staff need to find missing documents, and nothing more.

Each zero-result search appends one JSON line ``{"ts", "query", "filters", "relaxed",
"suggestion", "request_id"}`` to ``FOLDER/zero-results-0.jsonl``: the query and the known
filters only (never other query parameters, which may carry tokens or addresses), each
value capped. The file is rotated by size (``zero-results-0`` → ``-1`` → ... up to
``backups`` files, the oldest dropped), like ``logging.handlers.RotatingFileHandler`` but
safe across gunicorn workers: every line is one ``write`` on a fresh ``O_APPEND``
descriptor, and rotation happens under an ``flock`` after re-checking the size.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: Filters recorded with a query (the search route's own parameters).
KNOWN_FILTERS = ("city", "topic", "sdg", "lang", "type", "year_from", "year_to", "sort")
MAX_QUERY_CHARS = 500
MAX_VALUE_CHARS = 100
MAX_VALUES = 20
_BLOCK = 64 * 1024
_NUMBERED = re.compile(r"zero-results-(\d{1,3})\.jsonl")


def file_name(number: int) -> str:
    return f"zero-results-{number}.jsonl"


class ZeroResultLog:
    """Appends zero-result searches to a size-capped, rotated JSON-lines file."""

    def __init__(self, folder: Path, max_bytes: int = 10 * 1024 * 1024, backups: int = 5) -> None:
        self.folder = Path(folder)
        self.max_bytes, self.backups = max(1024, max_bytes), max(1, backups)

    def record_search(self, body: dict[str, Any], args, request_id: str | None) -> None:
        """Log one zero-result search: its query, known filters (capped) and suggestion."""
        filters = {key: [str(v)[:MAX_VALUE_CHARS] for v in args.getlist(key)[:MAX_VALUES]]
                   for key in KNOWN_FILTERS if args.getlist(key)}
        suggestion = body.get("suggestion")
        self.record({"ts": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                     "query": str(body.get("query") or "")[:MAX_QUERY_CHARS], "filters": filters,
                     "relaxed": bool(body.get("relaxed")),
                     "suggestion": str(suggestion)[:MAX_QUERY_CHARS] if suggestion else None,
                     "request_id": request_id})

    def record(self, entry: dict[str, Any]) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
            path = self.folder / file_name(0)
            try:
                if path.stat().st_size + len(line) > self.max_bytes:
                    self._rotate()
            except FileNotFoundError:
                pass
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o640)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)
        except OSError as exc:
            log.warning("cannot write the zero-result log: %s", exc)

    def _rotate(self) -> None:
        lock = os.open(self.folder / ".rotate.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o640)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            current = self.folder / file_name(0)
            if not current.exists() or current.stat().st_size < self.max_bytes // 2:
                return  # another worker rotated it meanwhile
            (self.folder / file_name(self.backups)).unlink(missing_ok=True)
            for number in range(self.backups - 1, -1, -1):
                older = self.folder / file_name(number)
                if older.exists():
                    older.rename(self.folder / file_name(number + 1))
        finally:
            os.close(lock)


def reversed_lines(path: Path) -> Iterator[bytes]:
    """The lines of ``path``, last first, read backwards in blocks (never the whole file)."""
    with path.open("rb") as fh:
        position = fh.seek(0, os.SEEK_END)
        tail = b""
        while position > 0:
            step = min(_BLOCK, position)
            position -= step
            fh.seek(position)
            lines = (fh.read(step) + tail).split(b"\n")
            tail = lines.pop(0)
            yield from (line for line in reversed(lines) if line.strip())
        if tail.strip():
            yield tail


def latest_entries(folder: Path, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` entries, newest first, from the current file and then the rotated ones."""
    entries: list[dict[str, Any]] = []
    numbered = ((int(m.group(1)), path) for path in Path(folder).glob("zero-results-*.jsonl")
                if (m := _NUMBERED.fullmatch(path.name)))
    for _, path in sorted(numbered):
        for line in reversed_lines(path):
            try:
                entry = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError):
                continue
            if isinstance(entry, dict):
                entries.append(entry)
                if len(entries) >= limit:
                    return entries
    return entries
