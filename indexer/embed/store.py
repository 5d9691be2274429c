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
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from indexer.embed.cache import EmbeddingCache, chunk_key
from indexer.embed.chunks import Chunk, record_chunks
from indexer.embed.encoder import encoder_identity, get_encoder
from indexer.errors import IndexerError

log = logging.getLogger(__name__)

EMBEDDINGS_DIR = "embeddings"
VECTORS = "vectors.npy"
CHUNKS = "chunks.npy"
RECORDS = "records.json"
CHUNK_DTYPE = np.dtype([("record", "<i4"), ("kind", "i1"), ("page", "<i4"), ("start", "<i4"), ("end", "<i4")])
#: Texts below which a build embeds in its own process rather than starting a pool.
MIN_PARALLEL = 256


class EmbeddingsError(IndexerError):
    """A generation's embeddings are missing a file or do not fit together."""


def _encode_part(texts: list[str]) -> np.ndarray:
    """Pool worker: the passage vectors of ``texts`` with this process's encoder."""
    from indexer.index.writing import _die_with_parent  # a worker dies with the build

    _die_with_parent(os.getppid())
    return get_encoder().passages(texts)


def encode_texts(texts: list[str], workers: int = 1) -> np.ndarray:
    """Passage vectors of ``texts``: over a pool of ``workers`` processes when it pays."""
    if workers <= 1 or len(texts) < MIN_PARALLEL:
        return get_encoder().passages(texts)
    size = -(-len(texts) // workers)
    parts = [texts[i:i + size] for i in range(0, len(texts), size)]
    with ProcessPoolExecutor(max_workers=len(parts), mp_context=multiprocessing.get_context("fork")) as pool:
        return np.concatenate(list(pool.map(_encode_part, parts)))


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


def write_embeddings(gen_dir: Path, records: Iterable[dict[str, Any]], index_dir: Path,
                     workers: int = 1) -> EmbedStats:
    """Embed the chunks of ``records`` (cached ones reused) into ``gen_dir/embeddings/``."""
    started = time.monotonic()
    encoder_name, dim = encoder_identity()
    ids: list[str] = []
    table: list[tuple[int, Chunk]] = []
    for row, record in enumerate(records):
        ids.append(record["id"])
        table.extend((row, chunk) for chunk in record_chunks(record))
    keys = [chunk_key(encoder_name, chunk.text) for _, chunk in table]
    cache = EmbeddingCache(index_dir, dim)
    try:
        found = cache.get_many(keys)
        missing = list(dict.fromkeys(k for k in keys if k not in found))
        if missing:
            text_of = {key: chunk.text for key, (_, chunk) in zip(keys, table)}
            log.info("embedding %d new chunks of %d (%d workers)", len(missing), len(keys), workers)
            vectors = encode_texts([text_of[k] for k in missing], workers)
            fresh = dict(zip(missing, vectors))
            cache.put_many(fresh.items())
            found.update(fresh)
    finally:
        cache.close()
    matrix = np.zeros((len(table), dim), dtype=np.float32)
    for position, key in enumerate(keys):
        matrix[position] = found[key]
    chunks = np.zeros(len(table), dtype=CHUNK_DTYPE)
    for position, (row, chunk) in enumerate(table):
        chunks[position] = (row, chunk.kind, chunk.page, chunk.start, chunk.end)
    folder = Path(gen_dir) / EMBEDDINGS_DIR
    if folder.exists():
        shutil.rmtree(folder)  # an update's copy of the previous generation's matrix
    folder.mkdir()
    np.save(folder / VECTORS, matrix)
    np.save(folder / CHUNKS, chunks)
    (folder / RECORDS).write_text(json.dumps({"encoder": encoder_name, "dim": dim, "chunks": len(table),
                                              "ids": ids}, ensure_ascii=False), encoding="utf-8")
    stats = EmbedStats(len(ids), len(table), len(missing), len(keys) - len(missing), time.monotonic() - started)
    log.info("embeddings: %d records, %d chunks, %d embedded, %d reused from the cache in %.1f s",
             stats.records, stats.chunks, stats.embedded, stats.reused, stats.seconds)
    return stats


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
