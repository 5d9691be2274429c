"""Fixtures of the operations tests: a fresh index per test (fast: the bundled corpus)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.ops.helpers import build


@pytest.fixture()
def index_dir(tmp_path) -> Path:
    """A fresh index (one generation) of corpus/ in its own folder."""
    index = tmp_path / "index"
    build(index)
    return index


@pytest.fixture(scope="session")
def shared_index(tmp_path_factory) -> Path:
    """One index for read-only tests."""
    index = tmp_path_factory.mktemp("ops-shared") / "index"
    build(index)
    return index
