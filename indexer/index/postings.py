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

Each segment's postings come from the arrays its writer saved while writing it
(:data:`indexer.index.posting_blocks.SEGMENT_ARRAYS`, removed once read) or, for a segment
without them (one merged or copied from an earlier generation), are read back through
Whoosh; the segments' arrays are then merged with one sort.
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

from indexer.index.posting_blocks import SEGMENT_ARRAYS, SEGMENT_ARRAYS_DONE, vocab_arrays

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


def _read_segment(segment: IndexReader, fieldname: str) -> tuple[list[bytes], np.ndarray, np.ndarray, np.ndarray]:
    """One segment's postings of a field, read through Whoosh: (sorted terms, indptr, segment-local
    documents, weights)."""
    terms: list[bytes] = []
    indptr = [0]
    docs: array = array("i")
    weights: array = array("f")
    for btext in segment.lexicon(fieldname):
        ids, found = _segment_postings(segment, fieldname, btext)
        terms.append(btext)
        docs.extend(ids)
        weights.extend(found)
        indptr.append(len(docs))
    return (terms, np.asarray(indptr, dtype=np.int64), np.frombuffer(docs, dtype=np.int32),
            np.frombuffer(weights, dtype=np.float32))


def _saved_segment(folder: Path, fieldname: str) -> tuple[list[bytes], np.ndarray, np.ndarray, np.ndarray] | None:
    """One segment's postings of a field as its writer saved them (see
    :func:`indexer.index.posting_blocks.save_arrays`), or None when it did not save them all."""
    try:
        complete = json.loads((folder / SEGMENT_ARRAYS_DONE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if fieldname not in complete:
        return None
    if not (folder / f"{fieldname}-indptr.npy").exists():  # no posting of this field in the segment
        return [], np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    arrays = {kind: np.load(folder / f"{fieldname}-{kind}.npy")
              for kind in ("vocab", "vocabptr", "indptr", "docs", "weights")}
    vocab, ptr = arrays["vocab"].tobytes(), arrays["vocabptr"].tolist()
    terms = [vocab[ptr[i]:ptr[i + 1]] for i in range(len(ptr) - 1)]
    return terms, arrays["indptr"], arrays["docs"], arrays["weights"]


def _merge_segments(parts: list[tuple[list[bytes], np.ndarray, np.ndarray, np.ndarray]],
                    offsets: list[int]) -> tuple[list[bytes], np.ndarray, np.ndarray, np.ndarray]:
    """The field's CSR arrays over all segments: terms the sorted union, each term's postings
    segment after segment (so documents ascend), documents numbered across segments."""
    if len(parts) == 1:
        terms, indptr, docs, weights = parts[0]
        return terms, indptr, docs.astype(np.int64) + offsets[0], weights
    vocabulary = sorted(set().union(*(terms for terms, _, _, _ in parts)))
    number = {term: i for i, term in enumerate(vocabulary)}
    term_of, docs_of, weights_of = [], [], []
    for (terms, indptr, docs, weights), offset in zip(parts, offsets):
        ids = np.fromiter((number[t] for t in terms), dtype=np.int64, count=len(terms))
        term_of.append(np.repeat(ids, np.diff(indptr)))
        docs_of.append(docs.astype(np.int64) + offset)
        weights_of.append(weights)
    term_of_all = np.concatenate(term_of) if term_of else np.zeros(0, dtype=np.int64)
    order = np.argsort(term_of_all, kind="stable")
    indptr = np.zeros(len(vocabulary) + 1, dtype=np.int64)
    np.cumsum(np.bincount(term_of_all, minlength=len(vocabulary)), out=indptr[1:])
    return vocabulary, indptr, np.concatenate(docs_of)[order], np.concatenate(weights_of)[order]


def field_arrays(reader: IndexReader, fieldname: str, saved: Path | None = None) -> dict[str, np.ndarray]:
    """The CSR arrays of one field of an open Whoosh reader.

    ``saved``: the folder of the segments' postings arrays their writers saved
    (:data:`indexer.index.posting_blocks.SEGMENT_ARRAYS`); a segment without them is read
    through Whoosh."""
    size = reader.doc_count_all()
    parts, offsets = [], []
    if fieldname in reader.schema and reader.schema[fieldname].indexed:
        for segment, offset in reader.leaf_readers():
            part = None
            if saved is not None and segment.segment() is not None:
                part = _saved_segment(saved / segment.segment().segment_id(), fieldname)
            parts.append(part if part is not None else _read_segment(segment, fieldname))
            offsets.append(offset)
    if parts:
        terms, indptr, docs, weights = _merge_segments(parts, offsets)
    else:
        terms, indptr, docs, weights = [], np.zeros(1, dtype=np.int64), np.zeros(0), np.zeros(0)
    vocab, vocabptr = vocab_arrays(terms)
    scorable = fieldname in reader.schema and reader.schema[fieldname].scorable
    return {
        "vocab": vocab,
        "vocabptr": vocabptr,
        "indptr": indptr.astype(np.int64),
        "docs": np.asarray(docs, dtype=np.int32),
        "weights": np.asarray(weights, dtype=np.float32),
        "lengths": _field_lengths(reader, fieldname, size) if scorable else np.zeros(0, dtype=np.float32),
    }


def _write_field(reader: IndexReader, folder: Path, fieldname: str,
                 saved: Path | None = None) -> tuple[str, dict[str, int]]:
    arrays = field_arrays(reader, fieldname, saved)
    for kind, values in arrays.items():
        np.save(folder / f"postings-{fieldname}-{kind}.npy", values)
    return fieldname, {"terms": int(len(arrays["indptr"]) - 1), "postings": int(len(arrays["docs"]))}


def _write_field_in_worker(index_dir: str, folder: str, fieldname: str) -> tuple[str, dict[str, int]]:
    from whoosh import index as whoosh_index

    with whoosh_index.open_dir(index_dir).reader() as reader:
        return _write_field(reader, Path(folder), fieldname, Path(index_dir) / SEGMENT_ARRAYS)


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
        saved = index_dir / SEGMENT_ARRAYS if index_dir is not None else None
        done = dict(_write_field(reader, folder, name, saved) for name in names)
    meta["fields"] = {name: done[name] for name in names}
    (folder / POSTINGS_META).write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return meta
