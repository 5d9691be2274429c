"""Shared fixtures: the repository's corpus and the development data beside the checkout."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS = REPO_ROOT / "corpus"
SEED_PAGES = CORPUS / "pages"
SHARED = REPO_ROOT.parent / "shared"
EVAL_DEV = SHARED / "eval-dev"


@pytest.fixture(scope="session")
def seed_pages() -> Path:
    """The seed pages bundled in corpus/pages."""
    return SEED_PAGES


@pytest.fixture(scope="session")
def eval_dev() -> Path:
    """../shared/eval-dev, or skip: a user's clone has no shared folder."""
    if not EVAL_DEV.is_dir():
        pytest.skip(f"development data not found at {EVAL_DEV} (only beside the project's own checkout)")
    return EVAL_DEV


@pytest.fixture(scope="session")
def seed_records():
    """Records extracted from the bundled seed pages by the real converters."""
    from indexer.extract import extract_sources

    result = extract_sources([SEED_PAGES])
    assert not result.errors, result.errors
    return result.records


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory) -> Path:
    """A real index of corpus/ and the fixture records (tests.search_api.conftest), read-only."""
    from indexer.index.builder import build_index
    from tests.search_api.conftest import write_fixture_export

    root = tmp_path_factory.mktemp("api-index")
    export = write_fixture_export(root / "extra")
    build_index([CORPUS, export], root / "index")
    return root / "index"
