"""The embedding cache on real SQLite: damage restarts it, a full disk is reported and keeps it."""
from __future__ import annotations

import errno
import shutil
import subprocess

import numpy as np
import pytest

from indexer.embed.cache import CACHE_DIR, CACHE_FILE, EmbeddingCache, chunk_key
from tests.ops.helpers import mount_tmpfs


def _fill(cache: EmbeddingCache, count: int, dim: int) -> list[bytes]:
    keys = [chunk_key("test-encoder", f"text {n}") for n in range(count)]
    cache.put_many((key, np.full(dim, n, dtype=np.float32)) for n, key in enumerate(keys))
    return keys


def test_vectors_survive_a_reopen(tmp_path):
    cache = EmbeddingCache(tmp_path, 8)
    keys = _fill(cache, 20, 8)
    cache.close()
    again = EmbeddingCache(tmp_path, 8)
    found = again.get_many(keys)
    again.close()
    assert len(found) == 20 and float(found[keys[7]][0]) == 7.0


def test_a_damaged_cache_is_started_again(tmp_path):
    path = tmp_path / CACHE_DIR / CACHE_FILE
    path.parent.mkdir()
    path.write_bytes(b"not a database at all " * 200)
    cache = EmbeddingCache(tmp_path, 8)
    assert cache.get_many([chunk_key("test-encoder", "x")]) == {}
    cache.close()
    assert path.read_bytes()[:16] == b"SQLite format 3\0"


def test_a_full_disk_is_an_oserror_and_the_cache_is_kept(tmp_path):
    disk = tmp_path / "disk"
    if not mount_tmpfs(disk, "4m"):
        pytest.skip("needs root and permission to mount a tmpfs")
    try:
        cache = EmbeddingCache(disk, 64)
        keys = _fill(cache, 200, 64)
        cache.close()
        path = disk / CACHE_DIR / CACHE_FILE
        kept = path.read_bytes()
        with (disk / "filler").open("wb") as handle:  # the whole disk, to the last block
            try:
                while True:
                    handle.write(b"\0" * 65536)
                    handle.flush()
            except OSError:
                pass
        with pytest.raises(OSError) as raised:
            cache = EmbeddingCache(disk, 64)
            cache.put_many((chunk_key("test-encoder", f"more {n}"), np.ones(64, np.float32)) for n in range(2000))
            cache.close()
        assert raised.value.errno in (errno.ENOSPC, errno.EIO), raised.value
        assert path.read_bytes() == kept  # not deleted as "damaged", not half-written
        (disk / "filler").unlink()
        cache = EmbeddingCache(disk, 64)
        assert len(cache.get_many(keys)) == 200
        cache.close()
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)
        shutil.rmtree(disk, ignore_errors=True)
