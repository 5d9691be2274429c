"""The embeddings of one generation: written in a parallel step of a build, memory-mapped by the API.

Layout, in ``<generation>/embeddings/`` (every file is listed with its sha256 in
``generation.json``, so ``policy-index verify`` reports a damaged one)::

    vectors.npy   float32 (chunks, dim), L2-normalized, row i is chunk i
    chunks.npy    structured (chunks,): record (row in records.json ids), kind (title/body/page),
                  page (0 when none), start, end (the chunk's span in its title, body or page text)
    records.json  {"encoder", "dim", "chunks", "ids": [record id of each row]}

The vectors are float32: numpy has no half-precision matrix product, and scoring 100,000
float16 chunks took 80 ms per query against 6 ms for float32 here. The
files are memory-mapped read-only (``np.load(mmap_mode="r")``), so every API worker shares
one copy in the page cache.
"""
from __future__ import annotations

import json
import logging
import multiprocessing
import multiprocessing.connection
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from indexer.embed.cache import CACHE_DIR, EmbeddingCache, chunk_key
from indexer.embed.chunks import Chunk, record_chunks
from indexer.embed.encoder import encoder_identity, get_encoder, use_table_dir
from indexer.errors import IndexerError

log = logging.getLogger(__name__)

EMBEDDINGS_DIR = "embeddings"
VECTORS = "vectors.npy"
CHUNKS = "chunks.npy"
RECORDS = "records.json"
CHUNK_DTYPE = np.dtype([("record", "<i4"), ("kind", "i1"), ("page", "<i4"), ("start", "<i4"), ("end", "<i4")])
#: New texts below which a build embeds them in its own process rather than forking workers.
MIN_PARALLEL = 256
#: New texts per part: the unit of work an embedding process takes from the queue (a fraction
#: of a second), so the processes finish within a part of each other.
PART_TEXTS = 256
#: Where worker processes leave their vectors, inside the generation being built.
PARTS_DIR = ".embedding-parts"
#: How much nicer than the build an embedding process is (19: only the CPU nothing else wants).
NICENESS = 19


class EmbeddingsError(IndexerError):
    """A generation's embeddings are missing a file or do not fit together."""


def _part_path(folder: Path, number: int) -> Path:
    return folder / f"part-{number}.npy"


def _encode_parts(texts: list[str], claimed: Any, folder: Path, parent: int) -> None:
    """Worker process: take the next unclaimed part of ``texts`` (a shared counter) until none is
    left, saving the vectors of part ``n`` to ``folder/part-n.npy``."""
    from indexer.index.writing import _die_with_parent  # a worker dies with the build

    _die_with_parent(parent)
    os.nice(NICENESS)  # the build's writers first: this process takes the CPU they leave idle
    while True:
        with claimed.get_lock():
            number = claimed.value
            claimed.value += 1
        first = number * PART_TEXTS
        if first >= len(texts):
            return
        path = _part_path(folder, number)
        partial = path.with_suffix(".partial.npy")
        np.save(partial, get_encoder().passages(texts[first:first + PART_TEXTS]))
        os.replace(partial, path)


@dataclass
class EmbedStats:
    """What one embedding step did."""

    records: int = 0
    chunks: int = 0
    embedded: int = 0
    reused: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__, seconds=round(self.seconds, 3))


class EmbeddingRun:
    """The embedding of one generation's chunks, in processes of its own.

    :meth:`start` looks every chunk up in the cache and forks ``workers`` processes that
    embed the missing texts (each distinct text once) while this process goes on (a build
    writes the Whoosh index and the generation's derived arrays meanwhile); :meth:`finish`
    waits for them and writes ``gen_dir/embeddings/``. The workers are plain forked
    processes, each with its own encoder, taking parts of :data:`PART_TEXTS` texts from a
    shared counter and writing each part's vectors to a file in the generation's folder, so
    whichever is faster (or less starved) takes more parts and both finish together. They run
    at the lowest priority (:data:`NICENESS`), so they take the cores the index writers leave
    idle rather than competing with them (at equal priority they cost more CPU time than
    they saved: 67 s against 63 s at 20,000 records).
    """

    def __init__(self, gen_dir: Path, records: Iterable[dict[str, Any]], index_dir: Path) -> None:
        self.started = time.monotonic()
        self.gen_dir = Path(gen_dir)
        self.encoder_name, self.dim = encoder_identity()
        self.ids: list[str] = []
        self.table: list[tuple[int, Chunk]] = []
        for row, record in enumerate(records):
            self.ids.append(record["id"])
            self.table.extend((row, chunk) for chunk in record_chunks(record))
        self.keys = [chunk_key(self.encoder_name, chunk.text) for _, chunk in self.table]
        self.cache = EmbeddingCache(index_dir, self.dim)
        try:
            self.found = self.cache.get_many(self.keys)
        except BaseException:
            self.cache.close(commit=False)
            raise
        self.missing = list(dict.fromkeys(k for k in self.keys if k not in self.found))
        if self.missing:  # the encoder will be loaded: every process maps one table
            use_table_dir(Path(index_dir) / CACHE_DIR, write=True)
        self.parts_dir = self.gen_dir / PARTS_DIR
        self.processes: list[Any] = []
        self.parts = 0  # of the missing texts, when worker processes embed them
        self._claimed: Any = None  # the shared counter of parts taken

    @classmethod
    def start(cls, gen_dir: Path, records: Iterable[dict[str, Any]], index_dir: Path,
              workers: int = 1) -> "EmbeddingRun":
        """Look the chunks up and, when ``workers`` > 1 and enough are new, start embedding them."""
        run = cls(gen_dir, records, index_dir)
        try:
            if workers > 1 and len(run.missing) >= MIN_PARALLEL:
                run._fork(workers)
        except BaseException:
            run.cancel()
            raise
        return run

    def _fork(self, workers: int) -> None:
        texts = self._missing_texts()
        self.parts_dir.mkdir()
        self.parts = -(-len(texts) // PART_TEXTS)
        context = multiprocessing.get_context("fork")
        # held here for the whole run: Process.start drops its arguments in this process, and a
        # counter freed here would hand its shared memory to the next one made (the parallel
        # index writer's claims), which would then overwrite the workers' count
        self._claimed = claimed = context.Value("i", 0)
        log.info("embedding %d new chunks of %d in %d parts (%d processes)", len(texts), len(self.keys),
                 self.parts, workers)
        for _ in range(min(workers, self.parts)):
            process = context.Process(target=_encode_parts, name="policy-index-embedder", daemon=True,
                                      args=(texts, claimed, self.parts_dir, os.getpid()))
            process.start()
            self.processes.append(process)

    def _missing_texts(self) -> list[str]:
        text_of = {key: chunk.text for key, (_, chunk) in zip(self.keys, self.table)}
        return [text_of[key] for key in self.missing]

    def _vectors(self) -> np.ndarray:
        """The vectors of the missing texts: from the worker processes, else embedded here."""
        if not self.missing:
            return np.zeros((0, self.dim), dtype=np.float32)  # nothing new: the encoder is not loaded
        if not self.processes:
            log.info("embedding %d new chunks of %d", len(self.missing), len(self.keys))
            return get_encoder().passages(self._missing_texts())
        waiting = {process.sentinel: process for process in self.processes}
        while waiting:  # the first worker to fail fails the run, whichever it is
            for sentinel in multiprocessing.connection.wait(list(waiting)):
                process = waiting.pop(sentinel)
                process.join()
                if process.exitcode != 0:
                    raise EmbeddingsError(f"an embedding process failed (exit code {process.exitcode})")
        paths = [_part_path(self.parts_dir, number) for number in range(self.parts)]
        missing = [path for path in paths if not path.is_file()]
        if missing:
            raise EmbeddingsError(f"an embedding process left no vectors ({missing[0].name})")
        return np.concatenate([np.load(path) for path in paths])

    def finish(self) -> EmbedStats:
        """Wait for the vectors, cache the new ones and write ``gen_dir/embeddings/``."""
        try:
            vectors = self._vectors()
            fresh = dict(zip(self.missing, vectors))
            self.cache.put_many(fresh.items())
            self.found.update(fresh)
        except BaseException:
            self.cancel()
            raise
        self.cache.close()
        shutil.rmtree(self.parts_dir, ignore_errors=True)
        self._write()
        stats = EmbedStats(len(self.ids), len(self.table), len(self.missing), len(self.keys) - len(self.missing),
                           time.monotonic() - self.started)
        log.info("embeddings: %d records, %d chunks, %d embedded, %d reused from the cache in %.1f s",
                 stats.records, stats.chunks, stats.embedded, stats.reused, stats.seconds)
        return stats

    def cancel(self) -> None:
        """Stop the worker processes and close the cache (what they embedded is lost)."""
        for process in self.processes:
            if process.is_alive():
                process.kill()
            process.join()
        self.processes = []
        self.cache.close(commit=False)  # a no-op once closed
        shutil.rmtree(self.parts_dir, ignore_errors=True)

    def _write(self) -> None:
        matrix = np.zeros((len(self.table), self.dim), dtype=np.float32)
        for position, key in enumerate(self.keys):
            matrix[position] = self.found[key]
        chunks = np.zeros(len(self.table), dtype=CHUNK_DTYPE)
        for position, (row, chunk) in enumerate(self.table):
            chunks[position] = (row, chunk.kind, chunk.page, chunk.start, chunk.end)
        folder = self.gen_dir / EMBEDDINGS_DIR
        if folder.exists():
            shutil.rmtree(folder)  # an update's copy of the previous generation's matrix
        folder.mkdir()
        np.save(folder / VECTORS, matrix)
        np.save(folder / CHUNKS, chunks)
        (folder / RECORDS).write_text(json.dumps({"encoder": self.encoder_name, "dim": self.dim,
                                                  "chunks": len(self.table), "ids": self.ids},
                                                 ensure_ascii=False), encoding="utf-8")


def write_embeddings(gen_dir: Path, records: Iterable[dict[str, Any]], index_dir: Path,
                     workers: int = 1) -> EmbedStats:
    """Embed the chunks of ``records`` (cached ones reused) into ``gen_dir/embeddings/``."""
    return EmbeddingRun.start(gen_dir, records, index_dir, workers).finish()


class Embeddings:
    """A generation's embeddings, memory-mapped read-only."""

    def __init__(self, gen_dir: Path, expected_sizes: dict[str, int] | None = None) -> None:
        folder = Path(gen_dir) / EMBEDDINGS_DIR
        for name in (VECTORS, CHUNKS, RECORDS):
            path = folder / name
            if not path.is_file():
                raise EmbeddingsError(f"{EMBEDDINGS_DIR}/{name} is missing")
            want = (expected_sizes or {}).get(f"{EMBEDDINGS_DIR}/{name}")
            if want is not None and path.stat().st_size != want:
                raise EmbeddingsError(f"{EMBEDDINGS_DIR}/{name} has {path.stat().st_size} bytes, "
                                      f"{want} when written (damaged)")
        try:
            meta = json.loads((folder / RECORDS).read_text(encoding="utf-8"))
            self.vectors: np.ndarray = np.load(folder / VECTORS, mmap_mode="r")
            self.chunks: np.ndarray = np.load(folder / CHUNKS, mmap_mode="r")
        except (ValueError, OSError) as exc:
            raise EmbeddingsError(f"cannot read {folder}: {exc}") from exc
        self.encoder: str = meta["encoder"]
        self.dim: int = int(meta["dim"])
        self.ids: list[str] = meta["ids"]
        if (self.vectors.dtype != np.float32 or self.vectors.shape != (meta["chunks"], self.dim)
                or self.chunks.dtype != CHUNK_DTYPE or self.chunks.shape != (meta["chunks"],)):
            raise EmbeddingsError(f"{folder}: vectors {self.vectors.shape} {self.vectors.dtype} and chunks "
                                  f"{self.chunks.shape} do not match {meta['chunks']} chunks of {self.dim}")
        if len(self.chunks) and not 0 <= int(self.chunks["record"].max()) < len(self.ids):
            raise EmbeddingsError(f"{folder}: a chunk points past the {len(self.ids)} records")

    @staticmethod
    def present(gen_dir: Path) -> bool:
        return (Path(gen_dir) / EMBEDDINGS_DIR).is_dir()
