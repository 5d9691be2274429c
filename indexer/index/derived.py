"""Arrays derived from a generation's Whoosh index, written once beside it (``<generation>/derived/``).

They are a read-only second view of the committed index, made for request handling:
postings as CSR arrays (:mod:`indexer.index.postings`), the passages of every record and
their postings (:mod:`indexer.index.passages`), the facet arrays (:mod:`indexer.index.facets`)
and the suggestion vocabulary: word counts, the speller's deletion index, titles
(:mod:`indexer.index.vocabulary`). Written into the temporary generation after the Whoosh
commit and before its files are hashed, so ``verify`` covers them; a failure here fails the
build and leaves the live generation serving.
"""
from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

from whoosh import index as whoosh_index

import numpy as np

from indexer.index.facets import write_facets
from indexer.index.passages import write_passages
from indexer.index.posting_blocks import SEGMENT_ARRAYS
from indexer.index.postings import DERIVED, write_postings
from indexer.index.vocabulary import write_vocabulary

log = logging.getLogger(__name__)


def write_derived(generation_dir: Path, workers: int = 1) -> Path:
    """(Re)write the derived arrays of the Whoosh index in ``generation_dir``; return their folder.

    ``workers``: processes that read the postings of the fields and analyze the passages of
    long records."""
    started = time.monotonic()
    folder = Path(generation_dir) / DERIVED
    shutil.rmtree(folder, ignore_errors=True)  # an update copies the live generation's
    ix = whoosh_index.open_dir(str(generation_dir))
    try:
        with ix.reader() as reader:
            meta = write_postings(reader, folder, workers=workers, index_dir=Path(generation_dir))
            shutil.rmtree(Path(generation_dir) / SEGMENT_ARRAYS, ignore_errors=True)  # read: not kept
            postings = {name: {kind: np.load(folder / f"postings-{name}-{kind}.npy", mmap_mode="r")
                               for kind in ("vocab", "vocabptr", "indptr", "docs", "weights", "lengths")}
                        for name in meta["fields"]}
            passages = write_passages(reader, folder, postings, workers)
            write_facets(reader, folder)
            vocabulary = write_vocabulary(reader, folder, postings.get("body"))
    finally:
        ix.close()
    log.info("derived arrays of %s: %s postings, %d passages (%d records analyzed again), %d vocabulary terms, "
             "in %.1f s", Path(generation_dir).name, sum(f["postings"] for f in meta["fields"].values()),
             passages["passages"], passages["analyzed_records"], vocabulary["terms"], time.monotonic() - started)
    return folder
