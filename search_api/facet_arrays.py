"""Facet values of every document of a generation, held in numpy arrays.

Counting facets from these arrays costs a few vectorised operations per query,
where Whoosh's per-query grouping walks every match. Counts are disjunctive: a
facet's counts ignore its own filter and respect the others.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np

FACETS = ("city", "topic", "sdg", "year", "lang", "type")


@dataclass
class Facet:
    """One facet: its distinct values and the (document, value) pairs."""

    name: str
    values: list[Any] = field(default_factory=list)
    labels_ko: list[str] = field(default_factory=list)
    index: dict[Any, int] = field(default_factory=dict)
    docs: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    vals: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def value_id(self, value: Any, label_ko: str | None = None) -> int:
        if value not in self.index:
            self.index[value] = len(self.values)
            self.values.append(value)
            self.labels_ko.append(label_ko or str(value))
        return self.index[value]

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

    def __init__(self, size: int):
        self.size = size
        self.live = np.zeros(size, dtype=bool)
        self.canonical = np.zeros(size, dtype=bool)
        self.date = np.zeros(size, dtype=np.int64)
        self.facets = {name: Facet(name) for name in FACETS}
        self.ids: dict[str, int] = {}

    @classmethod
    def from_searcher(cls, searcher) -> "FacetArrays":
        reader = searcher.reader()
        arrays = cls(reader.doc_count_all())
        pairs: dict[str, tuple[list[int], list[int]]] = {name: ([], []) for name in FACETS}
        duplicate_of: dict[int, str] = {}
        for docnum, stored in reader.iter_docs():
            record = json.loads(stored["record"])
            arrays.live[docnum] = True
            arrays.ids[record["id"]] = docnum
            if record.get("duplicate_of"):
                duplicate_of[docnum] = record["duplicate_of"]
            date = record.get("date")
            arrays.date[docnum] = int(date.replace("-", "")) if date else 0
            for name, value, label_ko in _facet_values(record):
                value_id = arrays.facets[name].value_id(value, label_ko)
                pairs[name][0].append(docnum)
                pairs[name][1].append(value_id)
        arrays.canonical[:] = arrays.live
        for docnum, target in duplicate_of.items():
            if target in arrays.ids:  # collapse only into a canonical record we hold
                arrays.canonical[docnum] = False
        for name, (docs, vals) in pairs.items():
            arrays.facets[name].docs = np.asarray(docs, dtype=np.int64)
            arrays.facets[name].vals = np.asarray(vals, dtype=np.int64)
        return arrays

    @property
    def year(self) -> np.ndarray:
        return self.date // 10000


def _facet_values(record: dict[str, Any]):
    for city in record.get("cities", []):
        yield "city", city["name"], city.get("name_ko")
    for topic in record.get("topics", []):
        yield "topic", topic, None
    for sdg in record.get("sdgs", []):
        yield "sdg", int(sdg), None
    if record.get("date"):
        yield "year", int(record["date"][:4]), None
    yield "lang", record["lang"], None
    yield "type", record["type"], None
