"""The semantic leg: the query's vector against every chunk of a generation, the best chunk per record.

A :class:`SemanticIndex` wraps a generation's memory-mapped embeddings
(:class:`indexer.embed.store.Embeddings`) with each chunk's document number in the
Whoosh index. :meth:`SemanticIndex.score` embeds nothing: the query is embedded once by
:func:`embed_query` and scored against all chunks in one matrix product.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexer.embed.encoder import encoder_identity, get_encoder, vector_space
from indexer.embed.store import Embeddings
from search_api.query.facets import FacetArrays

log = logging.getLogger(__name__)

#: Query characters embedded (a pasted text longer than this is cut at a space).
MAX_QUERY_CHARS = 2000


@dataclass
class SemanticScores:
    """Per document number: best chunk cosine (``-1`` where none) and that chunk's row (``-1``)."""

    scores: np.ndarray
    best_chunk: np.ndarray


class SemanticIndex:
    """Chunk vectors of one generation and the document number of each chunk."""

    def __init__(self, embeddings: Embeddings, arrays: FacetArrays) -> None:
        self.embeddings = embeddings
        self.size = size = arrays.size
        ids = arrays.ids
        lang = arrays.facets["lang"]
        #: Each document's language (``ko``, ``en``, ``mixed``; empty where none).
        self.doc_lang = np.full(size, "", dtype=object)
        if len(lang.docs):
            self.doc_lang[lang.docs] = np.asarray(lang.values, dtype=object)[lang.vals]
        rows = np.asarray([ids.get(record_id, -1) for record_id in embeddings.ids], dtype=np.int64)
        chunk_rows = np.asarray(embeddings.chunks["record"], dtype=np.int64)
        self.chunk_doc = rows[chunk_rows] if len(chunk_rows) else np.zeros(0, dtype=np.int64)
        # chunks are written record by record: one contiguous group per record row
        starts = np.flatnonzero(np.r_[True, chunk_rows[1:] != chunk_rows[:-1]]) if len(chunk_rows) else \
            np.zeros(0, dtype=np.int64)
        self.group_start = starts
        self.group_doc = self.chunk_doc[starts] if len(starts) else np.zeros(0, dtype=np.int64)
        if not np.all(np.diff(chunk_rows) >= 0):
            raise ValueError("embedding chunks are not grouped by record")
        unknown = int((rows < 0).sum())
        if unknown:
            log.warning("%d embedded records are not in the index; their chunks are ignored", unknown)

    @classmethod
    def open(cls, gen_dir: Path, files: dict[str, dict], arrays: FacetArrays) -> "SemanticIndex | None":
        """The generation's semantic index, or None when it was built without embeddings or
        by an encoder of another model than the one that embeds queries."""
        if not Embeddings.present(gen_dir):
            return None
        sizes = {name: info.get("size") for name, info in files.items()}
        embeddings = Embeddings(gen_dir, sizes)
        serving, _ = encoder_identity()
        if vector_space(embeddings.encoder) != vector_space(serving):
            log.warning("generation %s was embedded by %s, queries are by %s: serving words-only search "
                        "until a rebuild", Path(gen_dir).name, embeddings.encoder, serving)
            return None
        return cls(embeddings, arrays)

    @property
    def encoder(self) -> str:
        return self.embeddings.encoder

    def score(self, vector: np.ndarray) -> SemanticScores:
        """Best chunk cosine per document for the query ``vector``."""
        scores = np.full(self.size, -1.0, dtype=np.float32)
        best = np.full(self.size, -1, dtype=np.int64)
        if not len(self.group_start):
            return SemanticScores(scores, best)
        sims = np.asarray(self.embeddings.vectors @ vector.astype(np.float32), dtype=np.float32)
        group_max = np.maximum.reduceat(sims, self.group_start)
        counts = np.diff(np.r_[self.group_start, len(sims)])
        hits = np.flatnonzero(sims == np.repeat(group_max, counts))
        groups = np.searchsorted(self.group_start, hits, side="right") - 1
        first_group, first_at = np.unique(groups, return_index=True)
        known = self.group_doc >= 0
        scores[self.group_doc[known]] = group_max[known]
        best_rows = np.full(len(self.group_start), -1, dtype=np.int64)
        best_rows[first_group] = hits[first_at]
        best[self.group_doc[known]] = best_rows[known]
        return SemanticScores(scores, best)

    def record_vector(self, docnum: int) -> np.ndarray | None:
        """The mean of a record's chunk vectors (normalized), or None when it has none."""
        rows = np.flatnonzero(self.chunk_doc == docnum)
        if not len(rows):
            return None
        vector = np.asarray(self.embeddings.vectors[rows], dtype=np.float32).mean(axis=0)
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else None

    def chunk(self, row: int) -> tuple[int, int, int, int]:
        """``(kind, page, start, end)`` of chunk ``row``."""
        entry = self.embeddings.chunks[row]
        return int(entry["kind"]), int(entry["page"]), int(entry["start"]), int(entry["end"])


def embed_query(text: str) -> np.ndarray:
    """The query's vector (the first ``MAX_QUERY_CHARS`` characters of a pasted text)."""
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS].rsplit(" ", 1)[0]
    return get_encoder().queries([text])[0]
