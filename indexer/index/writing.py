"""Writing records into a Whoosh index folder, serially or with worker processes."""
from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any, Iterable

from tqdm import tqdm
from whoosh import index as whoosh_index
from whoosh.index import Index
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.writing import IndexWriter

from indexer.index.schema import make_schema, record_to_document

log = logging.getLogger(__name__)

#: Memory (MB) each Whoosh writer may use before flushing a run to disk.
LIMIT_MB = 128


def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux to SIGKILL this process when its parent dies (no orphans after kill -9)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os._exit(1)


class _Task(SubWriterTask):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._parent_pid = os.getpid()

    def run(self) -> None:
        _die_with_parent(self._parent_pid)
        super().run()


class _MpWriter(MpWriter):
    """Whoosh's multi-process writer whose sub-writers die with the parent."""

    def _new_task(self) -> SubWriterTask:
        task = _Task(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                     self.subargs, self.multisegment)
        self.tasks.append(task)
        task.start()
        return task


def open_writer(ix: Index, workers: int = 1) -> IndexWriter:
    """A writer for ``ix``: Whoosh's multi-process writer (one segment per process) when workers > 1."""
    if workers > 1:
        return _MpWriter(ix, procs=workers, multisegment=True, limitmb=LIMIT_MB)
    return ix.writer(limitmb=LIMIT_MB)


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
    writer = open_writer(ix, workers)
    try:
        add_records(writer, records, origins, total=len(records), progress=progress)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    with whoosh_index.open_dir(str(folder)).reader() as reader:
        return reader.doc_count()
