"""The index lock: one writer (build, update, delete, rollback) at a time.

The lock is a kernel lock on ``DIR/LOCK`` taken without waiting, so the kernel
releases it when its holder dies (even by ``kill -9``) and a stale lock file is
simply taken over. The holder's pid is written inside for the busy message.

``fcntl.lockf`` (a POSIX record lock) is used rather than ``flock``: both are
released by the kernel on death, but an ``flock`` lock is shared with forked
children (extraction or Whoosh's writer processes), which would keep a killed
build's lock alive as long as an orphaned child lives; a POSIX lock belongs to
the process alone. Because a POSIX lock does not exclude its own process (and
closing any descriptor of the file drops it), the locks held by this process are
also tracked in :data:`_HELD`, and a second attempt from the same process is busy.
"""
from __future__ import annotations

import fcntl
import logging
import os
import threading
from pathlib import Path
from types import TracebackType

from indexer.errors import IndexBusyError

log = logging.getLogger(__name__)

LOCK_NAME = "LOCK"
_HELD: set[str] = set()
_HELD_GUARD = threading.Lock()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class IndexLock:
    """Context manager holding the exclusive lock of ``index_dir``; raises IndexBusyError at once if taken."""

    def __init__(self, index_dir: Path, operation: str = "build") -> None:
        self.path = Path(index_dir) / LOCK_NAME
        self.operation = operation
        self._fd: int | None = None
        self._key = ""

    def acquire(self) -> None:
        """Take the lock or raise IndexBusyError naming the holder."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        key = str(self.path.resolve())
        with _HELD_GUARD:
            if key in _HELD:
                raise IndexBusyError(f"index {self.path.parent} is busy: this process (pid {os.getpid()}) "
                                     "already holds its lock")
            _HELD.add(key)
        try:
            self._take(key)
        except BaseException:
            with _HELD_GUARD:
                _HELD.discard(key)
            raise

    def _take(self, key: str) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _read_holder(fd)
            os.close(fd)
            raise IndexBusyError(
                f"index {self.path.parent} is busy: {holder} holds {self.path}; try again when it has finished"
            ) from None
        previous = _read_holder(fd)
        if previous != "another process":
            log.info("lock %s taken over from %s (no longer running)", self.path, previous)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {self.operation}\n".encode(), 0)
        self._fd = fd
        self._key = key

    def release(self) -> None:
        """Release the lock (the file stays; its pid is cleared)."""
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)
            fcntl.lockf(self._fd, fcntl.LOCK_UN)
        finally:
            os.close(self._fd)
            self._fd = None
            with _HELD_GUARD:
                _HELD.discard(self._key)

    def __enter__(self) -> "IndexLock":
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()


def _read_holder(fd: int) -> str:
    try:
        parts = os.pread(fd, 200, 0).decode("ascii", "replace").split()
        pid = int(parts[0])
    except (OSError, ValueError, IndexError):
        return "another process"
    operation = parts[1] if len(parts) > 1 else "build"
    state = "" if _pid_alive(pid) else ", not running"
    return f"a {operation} (pid {pid}{state})"
