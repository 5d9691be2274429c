"""Facet values of every document of a generation, held in numpy arrays.

Counting facets from these arrays costs a few vectorised operations per query,
where Whoosh's per-query grouping walks every match. Counts are disjunctive: a
facet's counts ignore its own filter and respect the others. The indexer writes the
arrays once per generation (:mod:`indexer.index.facets`); every worker memory-maps them.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from indexer.index.facets import FACETS, FACETS_META, facet_table
from indexer.index.postings import DERIVED

log = logging.getLogger(__name__)

__all__ = ["FACETS", "Facet", "FacetArrays"]


@dataclass
class Facet:
    """One facet: its distinct values and the (document, value) pairs."""

    name: str
    values: list[Any] = field(default_factory=list)
    labels_ko: list[str] = field(default_factory=list)
    index: dict[Any, int] = field(default_factory=dict)
    docs: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    vals: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def mask(self, selected: Iterable[int], size: int) -> np.ndarray:
        """Documents having any of the ``selected`` value ids."""
        mask = np.zeros(size, dtype=bool)
        chosen = np.isin(self.vals, np.fromiter(selected, dtype=np.int64))
        mask[self.docs[chosen]] = True
        return mask

    def counts(self, mask: np.ndarray) -> np.ndarray:
        """Number of documents in ``mask`` per value id."""
        return np.bincount(self.vals[mask[self.docs]], minlength=len(self.values))


class FacetArrays:
    """Per-document facet values, dates and ids of one generation."""

    def __init__(self, arrays: dict[str, np.ndarray], meta: dict[str, Any]):
        self.size: int = meta["size"]
        self.live = arrays["live"]
        self.canonical = arrays["canonical"]
        self.date = arrays["date"]
        self.ids: dict[str, int] = meta["ids"]
        self.facets: dict[str, Facet] = {}
        for name in FACETS:
            values = meta["values"][name]
            self.facets[name] = Facet(name, values, meta["labels_ko"][name], {v: i for i, v in enumerate(values)},
                                      arrays[f"{name}-docs"], arrays[f"{name}-vals"])

    @classmethod
    def load(cls, generation_dir: Path, searcher) -> "FacetArrays":
        """The generation's memory-mapped arrays; built from the stored records when it has none."""
        folder = Path(generation_dir) / DERIVED
        try:
            meta = json.loads((folder / FACETS_META).read_text(encoding="utf-8"))
            if meta["size"] != searcher.doc_count_all():
                raise ValueError(f"facet arrays for {meta['size']} documents, index has {searcher.doc_count_all()}")
            kinds = ["live", "canonical", "date"] + [f"{n}-{k}" for n in FACETS for k in ("docs", "vals")]
            arrays = {kind: np.load(folder / f"facets-{kind}.npy", mmap_mode="r") for kind in kinds}
        except (OSError, ValueError, KeyError) as exc:
            log.warning("no usable facet arrays in %s (%s); reading every stored record", folder, exc)
            return cls.from_searcher(searcher)
        return cls(arrays, meta)

    @classmethod
    def from_searcher(cls, searcher) -> "FacetArrays":
        """Built in memory from every stored record of ``searcher``."""
        arrays, meta = facet_table(searcher.reader())
        return cls(arrays, meta)

    @property
    def year(self) -> np.ndarray:
        return self.date // 10000
