"""Short-lived signed tokens that tie a click event to a search the service answered.

Each search answered with analytics on carries a ``query_id`` (as Algolia's ``queryID``):
``<issued, hex seconds>.<HMAC-SHA256 of issued and the normalized query, 32 hex>``. A click
(``POST /api/events``) is taken only with a token of its query issued within :data:`TTL`
seconds, so clicks cannot be made up for queries nobody searched. The key is one file
beside the analytics store (mode 0600, created once, shared by every worker and restart).
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time
from pathlib import Path

from search_api.ops.analytics import normalize_query

#: Seconds a query_id stays valid.
TTL = 1800


class EventTokens:
    """Issues and checks the query_id of searches."""

    def __init__(self, key: bytes | Path, ttl: float = TTL, clock=time.time):
        """``key``: the key, or the file that holds it (read, or created, on first use)."""
        self._key, self.ttl, self.clock = key, ttl, clock
        self._lock = threading.Lock()

    @property
    def key(self) -> bytes:
        if not isinstance(self._key, bytes):
            with self._lock:
                if not isinstance(self._key, bytes):
                    self._key = load_key(self._key)
        return self._key

    def _mac(self, issued: int, query: str) -> str:
        message = f"{issued:x}\n{normalize_query(query)}".encode("utf-8")
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()[:32]

    def issue(self, query: str) -> str:
        issued = int(self.clock())
        return f"{issued:x}.{self._mac(issued, query)}"

    def valid(self, token: object, query: str) -> bool:
        """Whether ``token`` was issued for ``query`` by this key less than :attr:`ttl` ago."""
        if not isinstance(token, str) or len(token) > 64 or token.count(".") != 1:
            return False
        stamp, mac = token.split(".")
        try:
            issued = int(stamp, 16)
        except ValueError:
            return False
        if not 0 <= self.clock() - issued <= self.ttl:
            return False
        return hmac.compare_digest(mac, self._mac(issued, query))


def load_key(path: Path) -> bytes:
    """The key in ``path``, created (atomically, mode 0600) when missing."""
    path = Path(path)
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (FileNotFoundError, ValueError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32))
    try:
        os.link(tmp, path)  # the first worker's key wins; the others read it
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return bytes.fromhex(path.read_text(encoding="ascii").strip())
