"""Per-generation postings as numpy arrays (CSR), for vectorized scoring at query time.

Whoosh stays the index; these arrays are a second, read-only view of its postings,
written once per generation into ``<generation>/derived/`` and memory-mapped by the
API (``np.load(mmap_mode="r")``), so every worker process shares the same pages.

Per scored field ``F`` (the text fields and the keyword fields queries use)::

    postings-F-vocab.npy      uint8   the field's terms (UTF-8), sorted, concatenated
    postings-F-vocabptr.npy   int64   [T+1] start of each term in ``vocab``
    postings-F-indptr.npy     int64   [T+1] start of each term's postings
    postings-F-docs.npy       int32   [P]   document numbers (ascending within a term)
    postings-F-weights.npy    float32 [P]   Whoosh's posting weights (frequency x field boost)
    postings-F-lengths.npy    float32 [N]   field length per document as Whoosh scores it
                                            (quantized through ``length_to_byte``), 0 if absent

and ``postings.json`` (document count, fields, term and posting counts). Postings of
deleted documents are kept (Whoosh's statistics count them too); callers mask them
with the live-document array.
"""
from __future__ import annotations

import json
import logging
from array import array
from pathlib import Path
from typing import Iterable

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import IndexReader

log = logging.getLogger(__name__)

DERIVED = "derived"
POSTINGS_META = "postings.json"
#: Fields whose postings are exported: what search_api.query.build/expansion query.
POSTING_FIELDS = ("title", "body", "title_bigram", "body_bigram", "city", "city_ko")
FORMAT_VERSION = 1


def _segment_postings(reader: IndexReader, fieldname: str, btext: bytes) -> tuple[array | list, array | list]:
    """Ids (segment-local) and weights of one term in one segment, deleted documents included."""
    matcher = reader.postings(fieldname, btext)
    if isinstance(matcher, FilterMatcher):  # deleted documents: read the unfiltered postings
        matcher = matcher.child
    ids: list = []
    weights: list = []
    if isinstance(matcher, W3LeafMatcher):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids[matcher._i:])
            weights.extend(matcher._weights[matcher._i:])
            matcher._next_block()
        return ids, weights
    while matcher.is_active():  # postings inlined in the term info
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return ids, weights


def _field_lengths(reader: IndexReader, fieldname: str, size: int) -> np.ndarray:
    lengths = np.zeros(size, dtype=np.float32)
    for segment, offset in reader.leaf_readers():
        for docnum in range(segment.doc_count_all()):
            length = segment.doc_field_length(docnum, fieldname, 0)
            lengths[offset + docnum] = length or 0
    return lengths


def field_arrays(reader: IndexReader, fieldname: str) -> dict[str, np.ndarray]:
    """The CSR arrays of one field of an open Whoosh reader."""
    size = reader.doc_count_all()
    leaves = list(reader.leaf_readers())
    vocab = bytearray()
    vocabptr = [0]
    indptr = [0]
    docs_parts: list[np.ndarray] = []
    weight_parts: list[np.ndarray] = []
    total = 0
    if fieldname in reader.schema and reader.schema[fieldname].indexed:
        for btext in reader.lexicon(fieldname):
            for segment, offset in leaves:
                if len(leaves) > 1 and (fieldname, btext) not in segment:
                    continue
                ids, weights = _segment_postings(segment, fieldname, btext)
                if ids:
                    docs_parts.append(np.asarray(ids, dtype=np.int64) + offset)
                    weight_parts.append(np.asarray(weights, dtype=np.float32))
                    total += len(ids)
            vocab += btext
            vocabptr.append(len(vocab))
            indptr.append(total)
    docs = np.concatenate(docs_parts).astype(np.int32) if docs_parts else np.zeros(0, dtype=np.int32)
    weights = np.concatenate(weight_parts) if weight_parts else np.zeros(0, dtype=np.float32)
    scorable = fieldname in reader.schema and reader.schema[fieldname].scorable
    return {
        "vocab": np.frombuffer(bytes(vocab), dtype=np.uint8),
        "vocabptr": np.asarray(vocabptr, dtype=np.int64),
        "indptr": np.asarray(indptr, dtype=np.int64),
        "docs": docs,
        "weights": weights,
        "lengths": _field_lengths(reader, fieldname, size) if scorable else np.zeros(0, dtype=np.float32),
    }


def _write_field(reader: IndexReader, folder: Path, fieldname: str) -> tuple[str, dict[str, int]]:
    arrays = field_arrays(reader, fieldname)
    for kind, values in arrays.items():
        np.save(folder / f"postings-{fieldname}-{kind}.npy", values)
    return fieldname, {"terms": int(len(arrays["indptr"]) - 1), "postings": int(len(arrays["docs"]))}


def _write_field_in_worker(index_dir: str, folder: str, fieldname: str) -> tuple[str, dict[str, int]]:
    from whoosh import index as whoosh_index

    with whoosh_index.open_dir(index_dir).reader() as reader:
        return _write_field(reader, Path(folder), fieldname)


def write_postings(reader: IndexReader, folder: Path, fields: Iterable[str] = POSTING_FIELDS,
                   workers: int = 1, index_dir: Path | None = None) -> dict:
    """Write the CSR arrays of ``fields`` into ``folder``; return the metadata written.

    With ``workers`` > 1 and the index's folder ``index_dir``, the fields are read by that many
    forked processes (each opens its own reader), largest fields first.
    """
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"format": FORMAT_VERSION, "doc_count": reader.doc_count_all(), "fields": {}}
    names = [name for name in fields if name in reader.schema]
    if workers > 1 and index_dir is not None and len(names) > 1:
        from indexer.index.writing import forked_pool

        by_size = sorted(names, key=lambda name: -reader.field_length(name))
        with forked_pool(min(workers, len(names))) as pool:
            done = dict(pool.map(_write_field_in_worker, [str(index_dir)] * len(by_size),
                                 [str(folder)] * len(by_size), by_size))
    else:
        done = dict(_write_field(reader, folder, name) for name in names)
    meta["fields"] = {name: done[name] for name in names}
    (folder / POSTINGS_META).write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return meta
