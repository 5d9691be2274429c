"""Writing records into a Whoosh index folder, serially or with worker processes.

A parallel build (``workers > 1``) forks worker processes that inherit the records
(nothing is pickled to them) and each writes the segments of a contiguous slice; this
process writes the first slice itself and commits all segments in slice order, without
merging them. A writer starts a new segment when its postings arrays are full
(:data:`indexer.index.analyzed.SEGMENT_ARRAYS_BYTES`), so a writer's memory does not grow
with the archive. Workers die with this process (``PR_SET_PDEATHSIG``), even after kill -9.
"""
from __future__ import annotations

import ctypes
import logging
import multiprocessing
import multiprocessing.context
import os
import signal
import sys
import traceback
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Callable, Iterable

from tqdm import tqdm
from whoosh import index as whoosh_index
from whoosh.index import Index
from whoosh.writing import IndexWriter

from indexer.errors import IndexerError
from indexer.index.analyzed import AnalyzedWriter
from indexer.index.schema import make_schema, record_to_document

log = logging.getLogger(__name__)

#: Memory (MB) each Whoosh writer may use before flushing a sorted run to disk. Fewer
#: runs to merge at commit: a 5,000-record build over 2 processes went from 28-29 s
#: at 128 MB to 16-27 s at 512 MB (shared machine); peak memory is about this per process.
LIMIT_MB = 512


def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux to SIGKILL this process when its parent dies (no orphans after kill -9)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os._exit(1)


def parallel_context() -> multiprocessing.context.BaseContext:
    """Fork-based processes: they inherit the parent's loaded modules, dictionaries and records.

    Nothing is pickled to start a worker (the records it indexes are already in its
    memory), and resources loaded in the parent (gazetteer, MeCab's import, the
    analyzers) are not loaded again; the MeCab tagger itself is re-created per process.
    """
    return multiprocessing.get_context("fork")


def forked_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` forked processes (:func:`parallel_context`) that die with this one."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=parallel_context(),
                               initializer=_die_with_parent, initargs=(os.getpid(),))


def part_bounds(records: list[dict[str, Any]], parts: int) -> list[tuple[int, int]]:
    """Split ``records`` into ``parts`` contiguous slices of about equal indexing cost.

    The cost of a record is estimated from its text: a fixed part per record, one unit
    per character and about 16 more per Hangul (or other 3-byte) character, since MeCab
    and the bigram fields make Korean text far costlier than English per character.
    """
    costs = []
    for record in records:
        text = record["title"] + record.get("body", "")
        costs.append(500 + len(text) + 8 * (len(text.encode("utf-8", "surrogatepass")) - len(text)))
    total = sum(costs) or 1
    bounds, start, running = [], 0, 0
    for position, cost in enumerate(costs):
        running += cost
        if len(bounds) < parts - 1 and running >= total * (len(bounds) + 1) / parts:
            bounds.append((start, position + 1))
            start = position + 1
    bounds.append((start, len(records)))
    while len(bounds) < parts:
        bounds.append((len(records), len(records)))
    return bounds


#: A worker's unclaimed records are split with this process only when at least this many remain.
MIN_STEAL = 32


class _Claims:
    """Shared by the build processes: worker ``j`` indexes ``pos[j]`` .. ``end[j] - 1``, in order.

    A worker claims its next record under the lock; this process, once done with its own
    slice, may lower a worker's ``end`` and index the records past it itself (work
    stealing), so a slow or preempted worker does not hold up the build.
    """

    def __init__(self, context: multiprocessing.context.BaseContext, bounds: list[tuple[int, int]]) -> None:
        self.lock = context.Lock()
        self.pos = context.RawArray("q", [lo for lo, _ in bounds])
        self.end = context.RawArray("q", [hi for _, hi in bounds])

    def next(self, worker: int) -> int | None:
        with self.lock:
            position = self.pos[worker]
            if position >= self.end[worker]:
                return None
            self.pos[worker] = position + 1
            return position

    def steal(self, workers: list[int]) -> tuple[int, int] | None:
        """Take the second half of the largest unclaimed rest of ``workers``: (lo, hi) or None."""
        with self.lock:
            worker = max(workers, key=lambda j: self.end[j] - self.pos[j], default=None)
            if worker is None or self.end[worker] - self.pos[worker] < MIN_STEAL:
                return None
            lo = self.pos[worker] + (self.end[worker] - self.pos[worker]) // 2
            hi, self.end[worker] = self.end[worker], lo
            return lo, hi


def _add(writer: AnalyzedWriter, record: dict[str, Any], origins: dict[str, str]) -> None:
    writer.add_document(**record_to_document(record, origins.get(record["id"], "")))


def _write_segments(ix: Index, records: list[dict[str, Any]], origins: dict[str, str], positions: Iterable[int],
                    writer: AnalyzedWriter | None = None,
                    done: Callable[[], Any] | None = None) -> list[tuple[int, Any]]:
    """Index ``records[p]`` for each ``p`` of ``positions`` (ascending) into new segments, a new one
    each time a writer's postings arrays are full (:meth:`AnalyzedWriter.full`); return the
    (first position, segment) of each. ``writer``: the first segment's (default: a new one);
    ``done``: called after each record."""
    segments: list[tuple[int, Any]] = []
    given = writer
    writer = writer if writer is not None else AnalyzedWriter(ix, _lk=False, limitmb=LIMIT_MB)
    first = None
    try:
        for position in positions:
            if first is not None and writer.full():
                segments.append((first, writer._finalize_segment()))
                writer, first = AnalyzedWriter(ix, _lk=False, limitmb=LIMIT_MB), None
            if first is None:
                first = position
            _add(writer, records[position], origins)
            if done is not None:
                done()
        if first is not None:
            segments.append((first, writer._finalize_segment()))
        else:
            writer._close_segment()
    except BaseException:
        if writer is not given:  # the caller cancels its own
            writer.cancel()
        raise
    return segments


def _write_part(ix: Index, records: list[dict[str, Any]], origins: dict[str, str], claims: _Claims,
                worker: int, conn: Connection, parent_pid: int) -> None:
    """Worker process: index the records it claims into segments of its own; send them back."""
    _die_with_parent(parent_pid)
    count = 0

    def counted() -> None:
        nonlocal count
        count += 1

    try:
        segments = _write_segments(ix, records, origins, iter(lambda: claims.next(worker), None), done=counted)
        conn.send(("ok", (segments, count)))
    except BaseException as exc:  # report to the parent, which raises
        conn.send(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
    finally:
        conn.close()


def _stop(processes: list[Any], grace: float = 0.0) -> None:
    """Wait up to ``grace`` seconds for each worker to exit, then kill what is left."""
    for process in processes:
        process.join(grace)
        if process.is_alive():
            process.kill()
            process.join()


def _write_index(ix: Index, records: list[dict[str, Any]], origins: dict[str, str], workers: int,
                     progress: bool | None) -> None:
    """Index ``records`` over ``workers`` processes (this one included; with one, this one alone),
    into segments of at most :data:`indexer.index.analyzed.SEGMENT_ARRAYS_BYTES` of postings.

    The records are split into contiguous slices of similar estimated cost
    (:func:`part_bounds`); this process indexes the first, a forked worker each of the
    others (the workers inherit the records: nothing is pickled but the segments sent
    back). When this process is done first it takes over the second half of the largest
    rest of a worker's slice as one more segment (see :class:`_Claims`). Segments are
    committed in record order, so document numbers are those of a serial build; none
    is merged (a merge would rewrite every posting serially).
    """
    bounds = part_bounds(records, workers)
    writer = AnalyzedWriter(ix, limitmb=LIMIT_MB)  # takes the index's write lock
    context = parallel_context()
    claims = _Claims(context, bounds)
    processes, pipes, children = [], [], []
    steals = 0
    try:
        for worker, (lo, hi) in enumerate(bounds):
            if worker == 0 or lo == hi:
                continue
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_write_part, name="policy-index-writer", daemon=True,
                                      args=(ix, records, origins, claims, worker, send, os.getpid()))
            process.start()
            send.close()
            processes.append(process)
            pipes.append(receive)
            children.append(worker)
        lo, hi = bounds[0]
        with tqdm(total=len(records), desc="indexing", unit="rec", disable=not show_progress(progress),
                  file=sys.stderr) as bar:
            done = _write_segments(ix, records, origins, range(lo, hi), writer=writer, done=bar.update)
            for _ in range(2 * len(children)):
                stolen = claims.steal(children)
                if stolen is None:
                    break
                done += _write_segments(ix, records, origins, range(*stolen), done=bar.update)
                steals += 1
            segments = writer._merge_segments(None, None, False)  # NO_MERGE: existing segments stay
            for receive in pipes:
                try:
                    status, payload = receive.recv()
                except EOFError:
                    raise IndexerError("an index writer process died") from None
                finally:
                    receive.close()
                if status != "ok":
                    raise IndexerError(f"an index writer process failed: {payload}")
                written, count = payload
                done += written
                bar.update(count)
            segments.extend(segment for _, segment in sorted(done, key=lambda item: item[0]))
    except BaseException:
        _stop(processes)
        writer.cancel()
        raise
    _stop(processes, grace=10.0)  # they have sent their segment and are exiting
    log.debug("parallel build: %d segments, %d taken over from workers", len(segments), steals)
    writer._commit_toc(segments)
    writer._finish()


def open_writer(ix: Index, workers: int = 1) -> IndexWriter:
    """A serial writer for ``ix`` (parallel builds go through :func:`create_index`)."""
    return AnalyzedWriter(ix, limitmb=LIMIT_MB)


def show_progress(progress: bool | None) -> bool:
    """Progress bars are shown on a terminal unless asked otherwise."""
    return sys.stderr.isatty() if progress is None else progress


def add_records(writer: IndexWriter, records: Iterable[dict[str, Any]], origins: dict[str, str],
                total: int | None = None, progress: bool | None = None, desc: str = "indexing") -> int:
    """Add every record to ``writer``; return how many were added."""
    count = 0
    bar = tqdm(records, total=total, desc=desc, unit="rec", disable=not show_progress(progress),
               file=sys.stderr)
    for record in bar:
        writer.add_document(**record_to_document(record, origins.get(record["id"], "")))
        count += 1
    return count


def create_index(folder: Path, records: list[dict[str, Any]], origins: dict[str, str],
                 workers: int = 1, progress: bool | None = None) -> int:
    """Create a Whoosh index in ``folder`` holding ``records``; return its document count."""
    ix = whoosh_index.create_in(str(folder), make_schema())
    _write_index(ix, records, origins, max(1, min(workers, len(records))), progress)
    with whoosh_index.open_dir(str(folder)).reader() as reader:
        return reader.doc_count()
