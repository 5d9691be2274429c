"""Vectors kept across builds by content hash, in ``<index>/embed-cache/vectors.sqlite``.

The key of a vector is the sha256 of the encoder's name and the chunk's text, so a rebuild or
an ``update`` embeds only texts it has not embedded before, and a new encoder never reuses
another's vectors. Only the process holding the index's write lock opens the cache for
writing (a build, update or delete); entries no generation used for :data:`KEEP_BUILDS`
builds are removed.
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Iterable

import numpy as np

log = logging.getLogger(__name__)

CACHE_DIR = "embed-cache"
CACHE_FILE = "vectors.sqlite"
#: Builds after which an entry that no build used is removed.
KEEP_BUILDS = 4


#: SQLite result codes (the primary code, the low byte of an extended one).
_SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_NOTADB = 10, 11, 13, 26


def _primary_code(exc: sqlite3.Error) -> int:
    return (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF


#: Free bytes under which an I/O error is taken for the full disk it most likely is.
_NEARLY_FULL_BYTES = 4 << 20


def _disk_nearly_full(path: Path) -> bool:
    try:
        return shutil.disk_usage(path.parent).free < _NEARLY_FULL_BYTES
    except OSError:
        return False


@contextlib.contextmanager
def _disk_errors(path: Path) -> Iterator[None]:
    """SQLite's "database or disk is full" and I/O errors raised as the OSError they are."""
    try:
        yield
    except sqlite3.Error as exc:
        code = _primary_code(exc)
        if code == _SQLITE_FULL:
            raise OSError(errno.ENOSPC, "No space left on device (embedding cache)", str(path)) from exc
        if code == _SQLITE_IOERR and _disk_nearly_full(path):
            # SQLite reports a write that ran out of room as IOERR as often as FULL
            raise OSError(errno.ENOSPC, f"No space left on device (embedding cache: {exc})", str(path)) from exc
        if code == _SQLITE_IOERR:
            raise OSError(errno.EIO, f"I/O error in the embedding cache ({exc})", str(path)) from exc
        raise


def chunk_key(encoder_name: str, text: str) -> bytes:
    """The cache key of ``text`` embedded by ``encoder_name``."""
    return hashlib.sha256(f"{encoder_name}\x1f{text}".encode("utf-8", "surrogatepass")).digest()


class EmbeddingCache:
    """A SQLite table ``key -> float32 vector`` with the build that last used each entry."""

    def __init__(self, index_dir: Path, dim: int) -> None:
        folder = Path(index_dir) / CACHE_DIR
        folder.mkdir(parents=True, exist_ok=True)
        self.dim = dim
        self.path = folder / CACHE_FILE
        self.closed = False
        with _disk_errors(self.path):
            self._db = self._open()
            row = self._db.execute("SELECT value FROM meta WHERE name = 'build'").fetchone()
        self.build = (int(row[0]) if row else 0) + 1

    def _open(self) -> sqlite3.Connection:
        try:
            db = self._connect()
        except sqlite3.DatabaseError as exc:
            if _primary_code(exc) not in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
                raise  # a full disk or a locked file is not damage: the cache is kept
            # a damaged cache is only lost time: start again
            log.warning("embedding cache %s unreadable (%s); starting a new one", self.path, exc)
            self.path.unlink(missing_ok=True)
            db = self._connect()
        return db

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL, "
                   "used INTEGER NOT NULL)")
        db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
        db.execute("SELECT count(*) FROM vectors").fetchone()
        return db

    def get_many(self, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        """The cached vectors among ``keys`` (marked as used by this build)."""
        found: dict[bytes, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        with _disk_errors(self.path):
            for start in range(0, len(unique), 500):
                part = unique[start:start + 500]
                marks = ",".join("?" * len(part))
                for key, blob in self._db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", part):
                    vector = np.frombuffer(blob, dtype=np.float32)
                    if vector.shape == (self.dim,):
                        found[key] = vector
                self._db.execute(f"UPDATE vectors SET used = ? WHERE key IN ({marks})", [self.build, *part])
        return found

    def put_many(self, items: Iterable[tuple[bytes, np.ndarray]]) -> None:
        with _disk_errors(self.path):
            self._db.executemany("INSERT OR REPLACE INTO vectors (key, vector, used) VALUES (?, ?, ?)",
                                 ((key, np.asarray(v, dtype=np.float32).tobytes(), self.build) for key, v in items))

    def close(self, commit: bool = True) -> None:
        """Record this build, drop entries unused for ``KEEP_BUILDS`` builds and commit; with
        ``commit`` False (a failed build), close without writing anything."""
        if self.closed:
            return
        self.closed = True  # whatever happens below, the connection is not used again
        try:
            if commit:
                with _disk_errors(self.path):
                    self._commit()
        finally:
            self._db.close()

    def _commit(self) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('build', ?)", (str(self.build),))
        removed = self._db.execute("DELETE FROM vectors WHERE used <= ?", (self.build - KEEP_BUILDS,)).rowcount
        if removed:
            log.info("embedding cache: %d entries unused for %d builds removed", removed, KEEP_BUILDS)
        self._db.commit()
