"""Query analytics: searches and result clicks in one SQLite file, and the operators' report of them.

Stored per search: the query (whitespace collapsed, lower-cased), its total and its time; per
click: the query, the result id and its position. Nothing else: no address, no cookie, no
session. The file (``<index>/analytics.sqlite3`` unless ``POLICY_SEARCH_ANALYTICS_DB`` says
otherwise) is in WAL mode: readers never block the writer. Searches never wait for it: each
process queues its events and one background thread writes them in short batched
transactions, and writes what it still holds when the process exits; several processes
(gunicorn workers) write to the same file, each waiting its turn through SQLite's lock
(``busy_timeout``). Rows older than the retention are deleted at
start and hourly.
"""
from __future__ import annotations

import atexit
import logging
import os
import queue
import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FILENAME = "analytics.sqlite3"
#: Longest query kept, in characters.
MAX_QUERY = 200
MAX_RESULT_ID = 300
MAX_POSITION = 10_000
#: Events waiting in one process; past it new ones are dropped rather than slow a search.
QUEUE_SIZE = 10_000
#: Events written per transaction at most.
WRITE_BATCH = 500
#: Seconds the writer waits after an event for more, so that one transaction takes many.
GATHER_SECONDS = 0.25
PRUNE_EVERY = 3600.0
#: Largest analytics file by default (``POLICY_SEARCH_ANALYTICS_MAX_MB``); past it the oldest
#: quarter of the rows is dropped (their pages are reused: the file stops growing).
MAX_MB = 256
BUSY_TIMEOUT_MS = 5000
#: Mode of the analytics files, as the zero-result log's.
FILE_MODE = 0o640

SCHEMA = """
CREATE TABLE IF NOT EXISTS searches (
    ts REAL NOT NULL, day TEXT NOT NULL, query TEXT NOT NULL, total INTEGER NOT NULL, took_ms REAL NOT NULL);
CREATE INDEX IF NOT EXISTS searches_ts ON searches (ts);
CREATE TABLE IF NOT EXISTS clicks (
    ts REAL NOT NULL, day TEXT NOT NULL, query TEXT NOT NULL, result_id TEXT NOT NULL, position INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS clicks_ts ON clicks (ts);
CREATE INDEX IF NOT EXISTS searches_query ON searches (query, ts, total);
CREATE INDEX IF NOT EXISTS searches_day ON searches (day, ts, total);
CREATE INDEX IF NOT EXISTS searches_zero ON searches (total, query, ts);
CREATE INDEX IF NOT EXISTS searches_took ON searches (took_ms);
CREATE INDEX IF NOT EXISTS clicks_query ON clicks (query, result_id, ts, position);
"""
#: The report's GROUP BY query and GROUP BY day read these covering indexes, never the table.


def normalize_query(q: str) -> str:
    """The form a query is counted under: whitespace collapsed, lower-cased, capped."""
    return " ".join(str(q).split()).lower()[:MAX_QUERY]


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d")


def connect(path: Path) -> sqlite3.Connection:
    """A connection in WAL mode with a busy timeout; the tables created when missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _private(path)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                           check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.executescript(SCHEMA)
    return conn


def _private(path: Path) -> None:
    """Create the file as 0640 (staff queries are not for every local user), or narrow it to that;
    SQLite gives its ``-wal`` and ``-shm`` files the database file's mode."""
    os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, FILE_MODE))
    for member in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            mode = member.stat().st_mode & 0o7777
            if mode & ~FILE_MODE:
                os.chmod(member, mode & FILE_MODE)
        except OSError:
            pass


class AnalyticsStore:
    """Queued writes and the report of one analytics file (one instance per process)."""

    def __init__(self, path: Path, retention_days: int = 90, max_mb: int = MAX_MB):
        self.path = Path(path)
        self.max_bytes = max(1, int(max_mb)) * 1024 * 1024
        self.retention_days = max(1, int(retention_days))
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._queue: queue.Queue | None = None
        self._dropped = 0

    # --- writing -------------------------------------------------------------------------------
    def record_search(self, q: str, total: int, took_ms: float) -> None:
        """Queue one search (never blocks)."""
        query = normalize_query(q)
        if query:
            self._put(("search", time.time(), query, int(total), float(took_ms)))

    def record_click(self, q: str, result_id: str, position: int) -> None:
        """Queue one click on a result (never blocks)."""
        self._put(("click", time.time(), normalize_query(q), str(result_id)[:MAX_RESULT_ID], int(position)))

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until this process's queued events are written; False on timeout."""
        events = self._queue
        if events is None or self._pid != os.getpid():
            return True
        end = time.monotonic() + timeout
        while events.unfinished_tasks:
            if time.monotonic() > end:
                return False
            time.sleep(0.01)
        return True

    def _flush_at_exit(self, pid: int) -> None:
        """A worker stopping (gunicorn's graceful exit) writes what it still holds first."""
        if os.getpid() == pid and not self.flush(5.0):
            log.warning("analytics: events still queued at exit were not written")

    def _put(self, event: tuple) -> None:
        try:
            self._writer_queue().put_nowait(event)
        except queue.Full:
            self._dropped += 1
            if self._dropped == 1 or self._dropped % 1000 == 0:
                log.warning("analytics queue full: %d events dropped", self._dropped)

    def _writer_queue(self) -> queue.Queue:
        """This process's queue, its writer thread started on first use (after a fork too)."""
        pid = os.getpid()
        if self._pid != pid:
            with self._lock:
                if self._pid != pid:
                    self._queue = queue.Queue(QUEUE_SIZE)
                    threading.Thread(target=self._write_loop, args=(self._queue,), name="analytics-writer",
                                     daemon=True).start()
                    atexit.register(self._flush_at_exit, pid)
                    self._pid = pid
        return self._queue

    def _write_loop(self, events: queue.Queue) -> None:
        conn: sqlite3.Connection | None = None
        pruned: float | None = None  # monotonic time of the last prune; None: not yet
        while True:
            batch = [events.get()]
            time.sleep(GATHER_SECONDS)
            while len(batch) < WRITE_BATCH:
                try:
                    batch.append(events.get_nowait())
                except queue.Empty:
                    break
            try:
                if conn is None:
                    conn = connect(self.path)
                self._write(conn, batch)
                self.rotate(conn)
                if pruned is None or time.monotonic() - pruned > PRUNE_EVERY:
                    self.prune(conn)
                    pruned = time.monotonic()
            except sqlite3.Error as exc:
                log.warning("analytics: %d events not written: %s", len(batch), exc)
                if conn is not None:
                    conn.close()
                conn = None
            finally:
                for _ in batch:
                    events.task_done()

    @staticmethod
    def _write(conn: sqlite3.Connection, batch: list[tuple]) -> None:
        searches = [(ts, _day(ts), q, total, took) for kind, ts, q, total, took in batch if kind == "search"]
        clicks = [(ts, _day(ts), q, rid, pos) for kind, ts, q, rid, pos in batch if kind == "click"]
        with conn:  # one short transaction per batch
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("INSERT INTO searches VALUES (?, ?, ?, ?, ?)", searches)
            conn.executemany("INSERT INTO clicks VALUES (?, ?, ?, ?, ?)", clicks)

    def rotate(self, conn: sqlite3.Connection) -> int:
        """Past :attr:`max_bytes`, delete the oldest quarter of the searches and of the clicks;
        the number of rows deleted."""
        pages, size = conn.execute("PRAGMA page_count").fetchone()[0], conn.execute("PRAGMA page_size").fetchone()[0]
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
        if (pages - free) * size <= self.max_bytes:
            return 0
        deleted = 0
        with conn:
            conn.execute("BEGIN IMMEDIATE")
            for table in ("searches", "clicks"):
                cut = conn.execute(f"SELECT ts FROM {table} ORDER BY ts LIMIT 1 OFFSET "
                                   f"(SELECT COUNT(*) / 4 FROM {table})").fetchone()
                if cut is not None:
                    deleted += conn.execute(f"DELETE FROM {table} WHERE ts <= ?", (cut[0],)).rowcount
        log.warning("analytics: %s is over %d MB; the oldest %d rows were dropped",
                    self.path, self.max_bytes // (1024 * 1024), deleted)
        return deleted

    def prune(self, conn: sqlite3.Connection | None = None) -> int:
        """Delete rows older than the retention; the number deleted."""
        own = conn is None
        conn = conn or connect(self.path)
        cutoff = time.time() - self.retention_days * 86400
        try:
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                deleted = conn.execute("DELETE FROM searches WHERE ts < ?", (cutoff,)).rowcount
                deleted += conn.execute("DELETE FROM clicks WHERE ts < ?", (cutoff,)).rowcount
        finally:
            if own:
                conn.close()
        return deleted

    # --- reading -------------------------------------------------------------------------------
    def report(self, days: int = 30, limit: int = 20) -> dict[str, Any]:
        """Top queries, zero-result queries and their daily trend, slowest queries, click-through."""
        if not self.path.exists():
            return empty_report(days)
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            return _report(conn, days, limit)
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):  # the file is being created by a writer right now
                return empty_report(days)
            raise
        finally:
            conn.close()


def _days(days: int, now: float) -> list[str]:
    today = datetime.fromtimestamp(now, timezone.utc).date()
    return [(today - timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)]


def empty_report(days: int) -> dict[str, Any]:
    return _shape(days, time.time(), (0, 0), 0, [], [], {}, [], [])


def _report(conn: sqlite3.Connection, days: int, limit: int) -> dict[str, Any]:
    now = time.time()
    since = datetime.fromisoformat(_days(days, now)[0]).replace(tzinfo=timezone.utc).timestamp()
    clicks = conn.execute("SELECT COUNT(*) FROM clicks WHERE ts >= ?", (since,)).fetchone()[0]
    top = conn.execute(
        "SELECT s.query, s.n, s.zero, s.avg_total, COALESCE(c.n, 0) FROM "
        "(SELECT query, COUNT(*) AS n, SUM(total = 0) AS zero, AVG(total) AS avg_total FROM searches "
        " WHERE ts >= ? GROUP BY query) s "
        "LEFT JOIN (SELECT query, COUNT(*) AS n FROM clicks WHERE ts >= ? GROUP BY query) c ON c.query = s.query "
        "ORDER BY s.n DESC, s.query LIMIT ?", (since, since, limit)).fetchall()
    zero = conn.execute(
        "SELECT query, COUNT(*), MAX(ts) FROM searches WHERE ts >= ? AND total = 0 "
        "GROUP BY query ORDER BY COUNT(*) DESC, MAX(ts) DESC LIMIT ?", (since, limit)).fetchall()
    trend = {day: (n, z) for day, n, z in conn.execute(
        "SELECT day, COUNT(*), SUM(total = 0) FROM searches WHERE ts >= ? GROUP BY day", (since,))}
    totals = (sum(n for n, _ in trend.values()), sum(z or 0 for _, z in trend.values()))
    slowest = conn.execute(
        "SELECT query, took_ms, total, ts FROM searches WHERE ts >= ? ORDER BY took_ms DESC LIMIT ?",
        (since, limit)).fetchall()
    clicked = conn.execute(
        "SELECT query, result_id, COUNT(*), AVG(position) FROM clicks WHERE ts >= ? "
        "GROUP BY query, result_id ORDER BY COUNT(*) DESC, query LIMIT ?", (since, limit)).fetchall()
    return _shape(days, now, totals, clicks, top, zero, trend, slowest, clicked)


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds")


def _shape(days, now, totals, clicks, top, zero, trend, slowest, clicked) -> dict[str, Any]:
    searches = int(totals[0] or 0)
    return {
        "days": days,
        "totals": {"searches": searches, "zero_results": int(totals[1] or 0), "clicks": int(clicks),
                   "clicks_per_search": round(clicks / searches, 3) if searches else None},
        "top_queries": [{"query": q, "searches": n, "zero_results": int(z or 0), "mean_total": round(t or 0, 1),
                         "clicks": c, "clicks_per_search": round(c / n, 3)} for q, n, z, t, c in top],
        "zero_result_queries": [{"query": q, "searches": n, "last_seen": _iso(ts)} for q, n, ts in zero],
        "zero_result_trend": [{"day": d, "searches": trend.get(d, (0, 0))[0], "zero_results": int(trend.get(d, (0, 0))[1] or 0)}
                              for d in _days(days, now)],
        "slowest_queries": [{"query": q, "took_ms": round(ms, 2), "total": total, "at": _iso(ts)}
                            for q, ms, total, ts in slowest],
        "clicked_results": [{"query": q, "id": rid, "clicks": n, "mean_position": round(pos, 2)}
                            for q, rid, n, pos in clicked],
    }


def store_for(settings) -> AnalyticsStore | None:
    """The store the settings describe, or None when analytics are off."""
    configured = settings.analytics_db
    if configured and configured.strip().lower() in ("off", "0", "false", "no"):
        return None
    path = Path(configured) if configured else Path(settings.index) / FILENAME
    return AnalyticsStore(path, settings.analytics_retention_days, settings.analytics_max_mb)
