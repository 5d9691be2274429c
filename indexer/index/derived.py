"""Arrays derived from a generation's Whoosh index, written once beside it (``<generation>/derived/``).

They are a read-only second view of the committed index, made for request handling:
postings as CSR arrays (:mod:`indexer.index.postings`), the per-page term counts of
PDF records (:mod:`indexer.index.page_terms`) and the facet arrays (:mod:`indexer.index.facets`). Written into the temporary
generation after the Whoosh commit and before its files are hashed, so ``verify``
covers them; a failure here fails the build and leaves the live generation serving.
"""
from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

from whoosh import index as whoosh_index

import numpy as np

from indexer.index.facets import write_facets
from indexer.index.page_terms import write_page_terms
from indexer.index.postings import DERIVED, write_postings

log = logging.getLogger(__name__)


def write_derived(generation_dir: Path) -> Path:
    """(Re)write the derived arrays of the Whoosh index in ``generation_dir``; return their folder."""
    started = time.monotonic()
    folder = Path(generation_dir) / DERIVED
    shutil.rmtree(folder, ignore_errors=True)  # an update copies the live generation's
    ix = whoosh_index.open_dir(str(generation_dir))
    try:
        with ix.reader() as reader:
            meta = write_postings(reader, folder)
            vocab = np.load(folder / "postings-body-vocab.npy")
            vocabptr = np.load(folder / "postings-body-vocabptr.npy")
            paged = write_page_terms(reader, folder, vocab, vocabptr)
            write_facets(reader, folder)
    finally:
        ix.close()
    log.info("derived arrays of %s: %s postings, %d records with pages, in %.1f s", Path(generation_dir).name,
             sum(f["postings"] for f in meta["fields"].values()), paged, time.monotonic() - started)
    return folder
