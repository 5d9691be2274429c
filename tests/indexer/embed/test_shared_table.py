"""The encoder's embedding table written once and memory-mapped: the same vectors, no private copy."""
from __future__ import annotations

import numpy as np

from indexer.embed.use_onnx import OnnxUniversalSentenceEncoder, table_file, write_table

TEXTS = ["서울시 대중교통 요금 인상 계획", "Seoul expands protected bike lanes along the Han river",
         "기후 위기 대응을 위한 탄소중립 도시 전략"]


def _anonymous_kb() -> int:
    with open("/proc/self/smaps_rollup", encoding="ascii") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("Anonymous:"))


def test_a_mapped_table_gives_the_same_vectors(tmp_path):
    path = write_table(tmp_path)
    assert path == table_file(tmp_path) and path.stat().st_size > 60 * 2**20
    assert write_table(tmp_path) == path  # written once
    private = OnnxUniversalSentenceEncoder()
    before = _anonymous_kb()
    mapped = OnnxUniversalSentenceEncoder(table=path)
    grown = _anonymous_kb() - before
    assert isinstance(mapped._weights.table, np.memmap)
    assert not isinstance(private._weights.table, np.memmap)
    assert np.array_equal(private.encode(TEXTS), mapped.encode(TEXTS))
    # the second encoder holds no private 65 MB table (its ONNX sessions and head weights remain)
    assert grown < 60 * 1024, grown


def test_a_table_of_another_shape_is_not_used(tmp_path):
    path = table_file(tmp_path)
    np.save(path, np.zeros((10, 512), dtype=np.uint8))
    encoder = OnnxUniversalSentenceEncoder(table=path)
    assert not isinstance(encoder._weights.table, np.memmap)
    assert np.linalg.norm(encoder.encode(TEXTS[:1])) > 0.99
