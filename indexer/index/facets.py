"""Per-generation facet arrays: which documents are live and canonical, dates, facet values.

Written once per generation into ``<generation>/derived/`` (one pass over the stored
records) and memory-mapped by every API worker (``search_api.query.facets``)::

    facets-live.npy, facets-canonical.npy   bool  [N]
    facets-date.npy                         int64 [N]  YYYYMMDD, 0 when undated
    facets-F-docs.npy, facets-F-vals.npy    int64      (document, value id) pairs of facet F
    facets.json                             size, each facet's values and Korean labels, record ids
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import numpy as np
from whoosh.reading import IndexReader

FACETS = ("city", "topic", "sdg", "year", "lang", "type")
FACETS_META = "facets.json"


def facet_values(record: dict[str, Any]) -> Iterator[tuple[str, Any, str | None]]:
    """``(facet, value, Korean label or None)`` of every facet value of ``record``."""
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


def facet_table(reader: IndexReader) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The arrays and the JSON metadata of every live document of ``reader``."""
    size = reader.doc_count_all()
    live = np.zeros(size, dtype=bool)
    date = np.zeros(size, dtype=np.int64)
    ids: dict[str, int] = {}
    duplicate_of: dict[int, str] = {}
    values: dict[str, dict[Any, int]] = {name: {} for name in FACETS}
    labels: dict[str, list[str]] = {name: [] for name in FACETS}
    pairs: dict[str, tuple[list[int], list[int]]] = {name: ([], []) for name in FACETS}
    for docnum, stored in reader.iter_docs():
        record = json.loads(stored["record"])
        live[docnum] = True
        ids[record["id"]] = docnum
        if record.get("duplicate_of"):
            duplicate_of[docnum] = record["duplicate_of"]
        if record.get("date"):
            date[docnum] = int(record["date"].replace("-", ""))
        for name, value, label_ko in facet_values(record):
            if value not in values[name]:
                values[name][value] = len(values[name])
                labels[name].append(label_ko or str(value))
            pairs[name][0].append(docnum)
            pairs[name][1].append(values[name][value])
    canonical = live.copy()
    for docnum, target in duplicate_of.items():
        if target in ids:  # collapse only into a canonical record we hold
            canonical[docnum] = False
    arrays = {"live": live, "canonical": canonical, "date": date}
    for name, (docs, vals) in pairs.items():
        arrays[f"{name}-docs"] = np.asarray(docs, dtype=np.int64)
        arrays[f"{name}-vals"] = np.asarray(vals, dtype=np.int64)
    meta = {"size": size, "values": {name: list(v) for name, v in values.items()}, "labels_ko": labels, "ids": ids}
    return arrays, meta


def write_facets(reader: IndexReader, folder: Path) -> int:
    """Write the facet arrays into ``folder``; return the number of live documents."""
    arrays, meta = facet_table(reader)
    for name, values in arrays.items():
        np.save(folder / f"facets-{name}.npy", values)
    (folder / FACETS_META).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return int(arrays["live"].sum())
