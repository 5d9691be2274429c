"""A segment's postings of the analyzed text fields, kept in arrays and written block by block.

Whoosh's segment writer puts every posting in a pool of tuples, sorts the pool and hands the
postings one at a time to its codec, a few Python calls each: at about 180 postings a record,
that was most of what writing a record cost. For the four analyzed text fields (most of an
index's postings), :class:`FieldPostings` keeps a segment's postings in flat arrays (term
number, document, frequency, positions), about 2 KB a record against about 35 KB of tuples,
and :func:`write_field` orders them with one numpy sort and writes each term's W3 blocks whole.

The bytes are those of Whoosh 2.7.4's W3 codec (``W3PostingsWriter``), with one exception:
a block whose pickled data is under :data:`COMPRESS_MIN_BYTES` is stored uncompressed (its
block header says so, and Whoosh's reader honours it). zlib only makes such tiny blocks
bigger, and compressing them was a fifth of the write. With ``compress_min=0`` the files are
byte for byte Whoosh's own (``tests/indexer/index/test_posting_blocks.py``).
"""
from __future__ import annotations

import zlib
from array import array
from itertools import repeat
from pathlib import Path
from pickle import dumps
from typing import Any, Iterator

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.fields import FieldType
from whoosh.formats import Positions
from whoosh.system import pack_int, pack_long, pack_uint, pack_ushort

#: Blocks whose pickled data is shorter than this are not compressed (Whoosh compresses all).
COMPRESS_MIN_BYTES = 96

_TERMINFO = W3TermInfo._struct
_NO_BOOSTS: dict[int, float] = {}


class FieldPostings:
    """The postings of one text field of the segment being written, in the order documents came."""

    def __init__(self, field: FieldType) -> None:
        self.field = field
        self.with_positions = type(field.format) is Positions
        self.term_ids: dict[bytes, int] = {}
        self.terms = array("I")  # term number of each posting
        self.docs = array("I")
        self.counts = array("I")
        self.positions = array("I")  # every posting's positions in turn (fields with positions)
        self.boosts: dict[int, float] = {}  # docnum -> field boost, where not 1.0
        self._deltas: tuple[np.ndarray, np.ndarray] | None = None

    def add(self, docnum: int, terms: list[bytes], counts: bytes, positions: bytes | None,
            boost: float = 1.0) -> int:
        """Add one document's terms (as :func:`indexer.index.analyzed.pack` packs them); return
        the field length (the sum of the frequencies)."""
        table = self.term_ids
        setdefault = table.setdefault
        self.terms.extend([setdefault(term, len(table)) for term in terms])
        self.docs.extend(repeat(docnum, len(terms)))
        start = len(self.counts)
        self.counts.frombytes(counts)
        if self.with_positions and positions is not None:
            self.positions.frombytes(positions)
        if boost != 1.0:
            self.boosts[docnum] = boost
        return sum(self.counts[start:])

    def nbytes(self) -> int:
        """Memory held by the arrays (the term table counted at about 80 bytes a term)."""
        return 4 * (3 * len(self.docs) + len(self.positions)) + 80 * len(self.term_ids)

    def __len__(self) -> int:
        return len(self.docs)

    def _weights(self, docs: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """Whoosh's posting weights (frequency x field boost x document field boost), as doubles."""
        weights = counts.astype(np.float64) * self.field.format.field_boost
        if self.boosts:
            per_doc = np.ones(int(docs.max()) + 1)
            per_doc[list(self.boosts)] = list(self.boosts.values())
            weights *= per_doc[docs]
        return weights

    def _position_deltas(self) -> tuple[np.ndarray, np.ndarray]:
        """Where each posting's positions start (order added), and every position as a delta from
        the one before it in the same posting (the first from 0), as ``Positions.encode`` stores them."""
        counts = np.frombuffer(self.counts, dtype=np.uint32)
        positions = np.frombuffer(self.positions, dtype=np.uint32).astype(np.int64)
        starts = np.zeros(len(counts), dtype=np.int64)
        np.cumsum(counts[:-1], out=starts[1:])
        deltas = positions.copy()
        deltas[1:] -= positions[:-1]
        deltas[starts[counts > 0]] = positions[starts[counts > 0]]
        return starts, deltas

    def _values(self, postings: np.ndarray, counts: np.ndarray) -> list[bytes] | bytes:
        """The encoded values of ``postings`` (numbers in the order added) with frequencies ``counts``:
        Whoosh's ``Positions.encode`` of each (a list), or, for a field without positions, the
        big-endian frequencies joined (``Frequency``, a fixed size)."""
        if not self.with_positions:
            return counts.astype(">u4").tobytes()
        if self._deltas is None:
            self._deltas = self._position_deltas()
        starts, deltas = self._deltas
        counts64 = counts.astype(np.int64)
        ends = np.cumsum(counts64)
        gather = np.repeat(starts[postings] - (ends - counts64), counts64) + np.arange(int(ends[-1]) if len(ends) else 0)
        flat = deltas[gather].tolist()
        singles: dict[int, bytes] = {}
        out = []
        at = 0
        for count in counts.tolist():
            if count == 1:
                value = singles.get(flat[at])
                if value is None:
                    value = singles[flat[at]] = pack_uint(1) + dumps([flat[at]], 2)
            else:
                value = pack_uint(count) + dumps(flat[at:at + count], 2)
            out.append(value)
            at += count
        return out

    def items(self, fieldname: str) -> Iterator[tuple[str, bytes, int, float, bytes]]:
        """The postings as Whoosh's pool takes them (for a writer that merges a reader), made
        :data:`CHUNK_POSTINGS` at a time."""
        names = {number: term for term, number in self.term_ids.items()}
        all_docs = np.frombuffer(self.docs, dtype=np.uint32)
        all_counts = np.frombuffer(self.counts, dtype=np.uint32)
        for lo in range(0, len(self), CHUNK_POSTINGS):
            hi = min(lo + CHUNK_POSTINGS, len(self))
            docs, counts = all_docs[lo:hi].astype(np.int64), all_counts[lo:hi]
            values = self._values(np.arange(lo, hi), counts)
            if isinstance(values, bytes):
                values = [values[4 * i:4 * i + 4] for i in range(hi - lo)]
            for term, doc, weight, value in zip(self.terms[lo:hi], docs.tolist(),
                                                self._weights(docs, counts).tolist(), values):
                yield fieldname, names[term], doc, weight, value
        self._deltas = None


def _length_bytes(quantized: dict[int, int], size: int) -> np.ndarray:
    out = np.zeros(size, dtype=np.uint8)
    if quantized:
        out[np.fromiter(quantized.keys(), dtype=np.int64, count=len(quantized))] = \
            np.fromiter(quantized.values(), dtype=np.uint8, count=len(quantized))
    return out


#: Folder (inside the index folder) of each new segment's postings arrays, read by the derived
#: postings (:func:`indexer.index.postings.write_postings`) and removed once they are written.
SEGMENT_ARRAYS = "segment-arrays"
#: Written last into a segment's folder: the fields whose arrays are complete there.
SEGMENT_ARRAYS_DONE = "fields.json"


def vocab_arrays(texts: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Sorted terms as the derived arrays hold them: their bytes concatenated, and where each starts."""
    vocabptr = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)), out=vocabptr[1:])
    return np.frombuffer(b"".join(texts), dtype=np.uint8), vocabptr


def save_arrays(folder: Path, fieldname: str, texts: list[bytes], term_start: np.ndarray, docs: np.ndarray,
                weights: np.ndarray) -> None:
    """A field's postings of one segment as the derived CSR arrays hold them (segment-local
    documents; :mod:`indexer.index.postings`), for the derived postings to merge."""
    folder.mkdir(parents=True, exist_ok=True)
    vocab, vocabptr = vocab_arrays(texts)
    arrays = {"vocab": vocab, "vocabptr": vocabptr, "indptr": term_start.astype(np.int64),
              "docs": docs.astype(np.int32), "weights": weights.astype(np.float32)}
    for kind, values in arrays.items():
        np.save(folder / f"{fieldname}-{kind}.npy", values)


def write_field(fieldwriter: Any, fieldname: str, postings: FieldPostings, quantized: dict[int, int],
                blocklimit: int = 128, compression: int = 3, compress_min: int = COMPRESS_MIN_BYTES,
                keep: Path | None = None) -> None:
    """Write one field's postings through ``fieldwriter`` (a ``W3FieldWriter``): its terms table
    rows and its postings file, as Whoosh's codec would; ``quantized``: docnum -> length byte.
    ``keep``: also save them there as CSR arrays (:func:`save_arrays`).

    The postings are ordered by term then document with one sort; Python objects are made for
    :data:`CHUNK_POSTINGS` postings at a time, so the memory this takes stays a small multiple
    of the arrays'."""
    if not len(postings):
        return
    texts = sorted(postings.term_ids)
    rank = np.empty(len(texts), dtype=np.int64)
    rank[np.fromiter((postings.term_ids[t] for t in texts), dtype=np.int64, count=len(texts))] = \
        np.arange(len(texts))
    term_rank = rank[np.frombuffer(postings.terms, dtype=np.uint32)]
    del rank
    order = np.argsort(term_rank, kind="stable")  # by term, then document (documents came in order)
    term_start = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.bincount(term_rank, minlength=len(texts)), out=term_start[1:])
    del term_rank
    docs = np.frombuffer(postings.docs, dtype=np.uint32)[order].astype(np.int64)
    counts = np.frombuffer(postings.counts, dtype=np.uint32)[order]
    weights = postings._weights(docs, counts)
    lengths = _length_bytes(quantized, int(docs.max()) + 1)
    if keep is not None:
        save_arrays(keep, fieldname, texts, term_start, docs, weights)
    fieldwriter.start_field(fieldname, postings.field)
    prefix = pack_ushort(fieldwriter._fieldid)
    postfile = fieldwriter._postfile
    add_row = fieldwriter._tindex.add
    offset = postfile.tell()
    t = 0
    while t < len(texts):  # a run of whole terms of about CHUNK_POSTINGS postings
        end = max(t + 1, int(np.searchsorted(term_start, term_start[t] + CHUNK_POSTINGS, side="right")) - 1)
        lo, hi = int(term_start[t]), int(term_start[end])
        offset = _write_terms(postfile, add_row, prefix, offset, texts[t:end], term_start[t:end + 1] - lo,
                              postings, order[lo:hi], docs[lo:hi], counts[lo:hi], weights[lo:hi], lengths,
                              blocklimit, compression, compress_min)
        t = end
    postings._deltas = None
    fieldwriter.finish_field()


#: Postings turned into Python objects at a time while a field is written.
CHUNK_POSTINGS = 1 << 18


def _write_terms(postfile: Any, add_row: Any, prefix: bytes, offset: int, texts: list[bytes],
                 term_start: np.ndarray, postings: FieldPostings, added: np.ndarray, docs: np.ndarray,
                 counts: np.ndarray, weights: np.ndarray, lengths: np.ndarray, blocklimit: int,
                 compression: int, compress_min: int) -> int:
    """Write the blocks and term rows of ``texts`` (postings ``term_start[i]`` .. ``term_start[i+1]``
    of the arrays given, which hold their numbers ``added`` in the order added); return the offset
    in the postings file after them."""
    weights32 = weights.astype(np.float32)
    values = postings._values(added, counts)
    fixed = isinstance(values, bytes)  # fixed size: a block's values are joined bytes
    per_term = np.diff(term_start)
    blocks_per_term = (per_term + blocklimit - 1) // blocklimit
    first_block = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(blocks_per_term, out=first_block[1:])
    block_term = np.repeat(np.arange(len(texts)), blocks_per_term)
    block_start = term_start[block_term] + (np.arange(first_block[-1]) - first_block[block_term]) * blocklimit
    block_end = np.minimum(block_start + blocklimit, term_start[block_term + 1])
    deltas = docs.copy()
    deltas[1:] -= docs[:-1]
    deltas[block_start] = docs[block_start]  # each block's ids are delta-encoded from 0
    doc_lengths = lengths[docs]
    block_min_len = np.minimum.reduceat(doc_lengths, block_start).tolist()
    block_max_len = np.maximum.reduceat(doc_lengths, block_start).tolist()
    block_max_weight = np.maximum.reduceat(weights, block_start).tolist()
    low = np.minimum.reduceat(weights32, block_start)
    high = np.maximum.reduceat(weights32, block_start)
    same = (low == high).tolist()
    ones = ((low == 1.0) & (high == 1.0)).tolist()
    delta_list = deltas.tolist()
    doc_list = docs.tolist()
    weight_list = weights32.tolist()
    starts, ends = block_start.tolist(), block_end.tolist()
    first, term_starts = first_block.tolist(), term_start.tolist()
    for t, text in enumerate(texts):
        parts = [WHOOSH3_HEADER_MAGIC]
        total_weight = 0
        last_block = first[t + 1] - 1
        for b in range(first[t], last_block + 1):
            lo, hi = starts[b], ends[b]
            if ones[b]:
                block_weights = None
            elif same[b]:
                block_weights = weight_list[lo]
            else:
                block_weights = tuple(weight_list[lo:hi])
            block_values = values[4 * lo:4 * hi] if fixed else tuple(values[lo:hi])
            data = dumps((tuple(delta_list[lo:hi]), block_weights, block_values), 2)
            level = compression if len(data) >= compress_min else 0
            if level:
                data = zlib.compress(data, level)
            info = dumps((hi - lo, doc_list[hi - 1], block_max_weight[b], level,
                          block_min_len[b], block_max_len[b]), 2)
            size = len(info) + len(data)
            parts += (pack_int(-size if b == last_block else size), info, data)
            total_weight += sum(weight_list[lo:hi])
        blob = b"".join(parts)
        postfile.write(blob)
        lo, hi = term_starts[t], term_starts[t + 1]
        row = _TERMINFO.pack(False, total_weight, hi - lo, min(block_min_len[first[t]:last_block + 1]),
                             max(block_max_len[first[t]:last_block + 1]),
                             max(block_max_weight[first[t]:last_block + 1]), doc_list[lo], doc_list[hi - 1])
        add_row(prefix + text, row + pack_long(offset) + pack_int(len(blob)))
        offset += len(blob)
    return offset
