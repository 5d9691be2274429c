"""The live index generation, opened once per process and swapped when a new one appears.

Request handling only reads: a :class:`Snapshot` holds one generation's Whoosh
searcher and its memory-mapped derived arrays (postings, passages, facets, suggestion
vocabulary). :class:`IndexHolder` checks the generation pointer at most every
``refresh_interval`` seconds, opens a new snapshot when it changed, and closes the old
one once no request uses it (reference counted), so a switch never fails a request.
"""
from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from whoosh.scoring import BM25F

from indexer.analysis import BM25_PARAMS
from indexer.index.generations import live_name, open_live

from search_api.errors import APIError
from search_api.query.facets import FacetArrays
from search_api.query.lexical import LexicalIndex, attach
from search_api.query.passages import PassageIndex
from search_api.vocabulary import Vocabulary

log = logging.getLogger(__name__)


class Snapshot:
    """One open generation: searcher, metadata, derived arrays, embeddings; closed when unused.

    ``semantic`` False (``POLICY_SEARCH_SEMANTIC=off``) leaves the embeddings unread; a
    generation without them serves words-only search. Embeddings that exist but cannot be
    read fail the opening, so the previous generation keeps serving.
    """

    def __init__(self, index_dir: Path, semantic: bool = True):
        self.index, self.metadata = open_live(index_dir)
        self.generation: str = self.metadata.get("generation") or live_name(index_dir) or "?"
        self.searcher = self.index.searcher(weighting=BM25F(**BM25_PARAMS))
        self.facets = FacetArrays.load(Path(self.index.storage.folder), self.searcher)
        self.lexical = LexicalIndex.open(Path(self.index.storage.folder), self.searcher)
        attach(self.searcher, self.lexical)
        self.passages = PassageIndex.open(Path(self.index.storage.folder), self.lexical)
        self.vocabulary = Vocabulary.open(Path(self.index.storage.folder), self.searcher, self._body_postings())
        self.semantic = None
        if semantic:
            try:
                self.semantic = self._open_semantic(Path(index_dir))
            except BaseException:
                self.searcher.close()
                self.index.close()
                raise
        self._users = 0
        self._retired = False
        self._closed = False
        self._lock = threading.Lock()

    def _body_postings(self) -> dict[str, Any] | None:
        """The body field's postings arrays (its Hangul terms, should the vocabulary be built)."""
        body = self.lexical.fields.get("body")
        if body is None:
            return None
        return {"vocab": body.terms.vocab, "vocabptr": body.terms.ptr, "indptr": body.indptr}

    def _open_semantic(self, index_dir: Path):
        from indexer.index.generations import generations_dir
        from search_api.query.semantic import SemanticIndex

        gen_dir = generations_dir(index_dir) / self.generation
        semantic = SemanticIndex.open(gen_dir, self.metadata.get("files", {}), self.facets)
        if semantic is None:
            log.info("generation %s has no usable embeddings: serving words-only search", self.generation)
        return semantic

    def enter(self) -> bool:
        """Hold the snapshot open for one request; False once it is retired (take the fresh one)."""
        with self._lock:
            if self._retired:
                return False
            self._users += 1
            return True

    def leave(self) -> None:
        with self._lock:
            self._users -= 1
            close = self._retired and self._users == 0
        if close:
            self._close()

    def retire(self) -> None:
        """No new request will use this snapshot; close it when the last one leaves."""
        with self._lock:
            self._retired = True
            close = self._users == 0
        if close:
            self._close()

    def _close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        log.info("closing generation %s", self.generation)
        self.searcher.close()
        self.index.close()

    def stored(self, docnum: int) -> dict[str, Any]:
        return self.searcher.stored_fields(docnum)

    def record(self, docnum: int) -> dict[str, Any]:
        from indexer.index.schema import stored_record

        return stored_record(self.stored(docnum))


class IndexHolder:
    """Hands out the current snapshot and follows generation switches."""

    def __init__(self, index_dir: Path, refresh_interval: float = 0.5, semantic: bool = True):
        self.index_dir = Path(index_dir)
        self.refresh_interval = refresh_interval
        self.semantic = semantic
        self._snapshot: Snapshot | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def _pointer(self) -> str | None:
        return live_name(self.index_dir)

    def _current(self) -> Snapshot:
        now = time.monotonic()
        snapshot = self._snapshot
        if snapshot is not None and now - self._checked < self.refresh_interval:
            return snapshot
        if snapshot is not None and not self._lock.acquire(blocking=False):
            return snapshot  # another thread is checking or opening: keep serving this one
        if snapshot is None:
            self._lock.acquire()
        try:
            snapshot = self._snapshot
            if snapshot is not None and time.monotonic() - self._checked < self.refresh_interval:
                return snapshot
            name = self._pointer()
            if snapshot is None or (name is not None and name != snapshot.generation):
                try:
                    fresh = Snapshot(self.index_dir, self.semantic)
                except Exception as exc:  # keep serving the old generation
                    log.error("cannot open index generation %s in %s: %s", name, self.index_dir, exc)
                    if snapshot is None:
                        raise APIError(503, "index_unavailable", "the search index is not available") from exc
                else:
                    log.info("serving generation %s (%d records)", fresh.generation, fresh.facets.size)
                    old, self._snapshot = snapshot, fresh
                    if old is not None:
                        old.retire()
            self._checked = time.monotonic()  # after a failed open too: retried at the next interval
            return self._snapshot
        finally:
            self._lock.release()

    @contextmanager
    def snapshot(self) -> Iterator[Snapshot]:
        """The current snapshot, held open for the duration of the ``with`` block."""
        snapshot = self._current()
        while not snapshot.enter():  # retired between the two calls: take the fresh one
            snapshot = self._current()
        try:
            yield snapshot
        finally:
            snapshot.leave()

    def close(self) -> None:
        with self._lock:
            if self._snapshot is not None:
                self._snapshot.retire()
                self._snapshot = None
