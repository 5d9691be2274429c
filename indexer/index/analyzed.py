"""Text fields analyzed once per record, where it is enriched, and replayed by the index writer.

Analysis (MeCab morphemes, English stems, Hangul bigrams) is most of what indexing a record
costs. The extraction workers analyze each record's title and body for the four text fields
(:data:`ANALYZED_FIELDS`) while they enrich it (the glossary's concepts then re-use the
segmenters' results for the same text, see :mod:`indexer.analysis.shared`), and leave the
terms in the record under :data:`ANALYZED_KEY`, packed: per field, the terms (UTF-8, NUL
separated), how often each occurs and, for a field with positions, where. The writer
(:class:`AnalyzedWriter`) turns them into exactly the postings ``field.index(value)`` would
give, without analyzing again. A record without them (``build_records`` of given records, or
the changed records of an update, which are few) is analyzed by the writer as before.

Packed terms take about twice the bytes of the text they come from (2.3 KB for 1 KB of
text); a build drops them once the segments are written, and they never reach stored fields.
"""
from __future__ import annotations

import json
from array import array
from functools import lru_cache
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any, Iterator

from whoosh.fields import FieldType, Schema
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.util.text import utf8encode
from whoosh.writing import SegmentWriter

from indexer.analysis.pipeline import direct_terms
from indexer.index.posting_blocks import (COMPRESS_MIN_BYTES, SEGMENT_ARRAYS, SEGMENT_ARRAYS_DONE,
                                          FieldPostings, write_field)

#: Record key (and ``add_document`` keyword) of a record's packed terms; never stored.
ANALYZED_KEY = "_analyzed"
#: The analyzed text fields, and the record field each is made from.
ANALYZED_FIELDS = {"title": "title", "body": "body", "title_bigram": "title", "body_bigram": "body"}

#: A build starts a new segment once a writer's postings arrays hold this many bytes (a writer
#: holding twice this moves them into Whoosh's pool, which spills to disk: slower, bounded).
SEGMENT_ARRAYS_BYTES = 256 << 20

#: (terms joined by NUL in UTF-8, uint32 count per term, uint32 positions of every term in
#: turn, or None for a field without positions)
Packed = tuple[bytes, bytes, bytes | None]


@lru_cache(maxsize=1)
def _schema() -> Schema:
    from indexer.index.schema import make_schema

    return make_schema()


def _packable(field: FieldType) -> bool:
    return type(field.format) in (Positions, Frequency)


#: id(analyzer) -> (analyzer, its direct term function or None): see ``direct_terms``.
_DIRECT: dict[int, tuple[Any, Any]] = {}


def _direct_terms(analyzer: Any) -> Any:
    found = _DIRECT.get(id(analyzer))
    if found is None or found[0] is not analyzer:
        found = _DIRECT[id(analyzer)] = (analyzer, direct_terms(analyzer))
    return found[1]


def _streamed_terms(field: FieldType, value: str, positions: bool) -> Iterator[tuple[str, int]]:
    """(term, position) of ``value`` from ``field``'s token stream (any analyzer; position 0
    for a field without positions)."""
    for token in field.analyzer(value, positions=positions, boosts=True, mode="index"):
        if token.stopped:
            continue
        if token.boost != 1.0:  # the replay assumes unit token boosts (ours are)
            raise ValueError(f"token boost {token.boost} of {token.text!r}: cannot pack")
        yield token.text, token.pos if positions else 0


def pack(field: FieldType, value: str) -> Packed:
    """The terms of ``value`` in ``field``, as ``field.format.word_values`` counts them."""
    positions = type(field.format) is Positions
    direct = _direct_terms(field.analyzer)  # our own analyzers: the same terms without a token stream
    where: dict[str, list[int]] = {}
    for term, position in (direct(value) if direct is not None else _streamed_terms(field, value, positions)):
        found = where.get(term)
        if found is None:
            where[term] = [position]
        else:
            found.append(position)
    counts = array("I", map(len, where.values()))
    flat = array("I", (p for poslist in where.values() for p in poslist)) if positions else None
    return "\x00".join(where).encode("utf-8"), counts.tobytes(), flat.tobytes() if flat is not None else None


def analyze_record(record: dict[str, Any], schema: Schema | None = None) -> dict[str, Packed]:
    """The packed terms of a record's text fields (those of ``schema``, default: the index's)."""
    schema = schema or _schema()
    out: dict[str, Packed] = {}
    for name, source in ANALYZED_FIELDS.items():
        value = record.get(source)
        if name in schema and isinstance(value, str) and value and _packable(schema[name]):
            out[name] = pack(schema[name], value)
    return out


def replay(field: FieldType, packed: Packed) -> Iterator[tuple[bytes, int, float, bytes]]:
    """``field.index(value)``'s items (UTF-8 term, frequency, weight, encoded value) from ``packed``."""
    blob, count_bytes, position_bytes = packed
    if not blob and not count_bytes:
        return
    terms = blob.split(b"\x00")
    counts = array("I")
    counts.frombytes(count_bytes)
    boost = field.format.field_boost
    if position_bytes is None:
        for term, count in zip(terms, counts):
            yield term, count, count * boost, pack_uint(count)
        return
    positions = array("I")
    positions.frombytes(position_bytes)
    encode = field.format.encode
    start = 0
    for term, count in zip(terms, counts):
        yield term, count, count * boost, encode(positions[start:start + count])
        start += count


class _Lengths:
    """The field lengths of a segment being written, as its per-document reader would give them."""

    def __init__(self, quantized: dict[str, dict[int, int]]) -> None:
        self._quantized = quantized

    def doc_field_length(self, docnum: int, fieldname: str, default: int | None = 0) -> int | None:
        byte = self._quantized.get(fieldname, {}).get(docnum)
        return byte_to_length(byte) if byte else None  # None for 0, as Whoosh's W3 reader

    def close(self) -> None:
        pass


class AnalyzedWriter(SegmentWriter):
    """A Whoosh segment writer that takes a document's packed terms (keyword :data:`ANALYZED_KEY`)
    instead of analyzing its text fields again; fields not packed are analyzed as usual.

    ``add_document`` is Whoosh 2.7.4's, but for where the items come from (Whoosh ignores
    keywords that start with ``_``, so the stock writer would simply analyze) and where they go:
    the text fields' postings are kept in arrays (:mod:`indexer.index.posting_blocks`), written
    whole at the flush and saved for the derived postings; the other fields' go through Whoosh's
    pool. It also keeps each document's quantized field lengths, which the commit reads once per
    posting: from memory here, rather than from the lengths column on disk.
    """

    #: Posting blocks of fewer pickled bytes are not compressed (0: all are, as Whoosh does).
    compress_min = COMPRESS_MIN_BYTES

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._byte_lengths: dict[str, dict[int, int]] = {}
        self._columns: dict[str, FieldPostings] = {}  # the text fields' postings, in arrays
        self._merged = False  # a reader's postings were added: their lengths are not in _byte_lengths
        self._spilled = False  # arrays were moved to the pool mid-segment (see add_document)
        self._keep: Path | None = None  # where the flush saves the segment's postings arrays

    def _columns_of(self, fieldname: str, field: FieldType) -> FieldPostings | None:
        """The arrays of a text field's postings (None: the field goes through Whoosh's pool)."""
        columns = self._columns.get(fieldname)
        if columns is None and not self._merged and fieldname in ANALYZED_FIELDS and _packable(field):
            columns = self._columns[fieldname] = FieldPostings(field)
        return columns

    def postings_bytes(self) -> int:
        """Memory held by the postings kept in arrays so far."""
        return sum(columns.nbytes() for columns in self._columns.values())

    def full(self) -> bool:
        """Whether the postings kept in arrays reached :data:`SEGMENT_ARRAYS_BYTES` (a build then
        finishes this segment and starts another, see :mod:`indexer.index.writing`)."""
        return self.postings_bytes() >= SEGMENT_ARRAYS_BYTES

    def _to_pool(self) -> None:
        """Move the postings kept in arrays into Whoosh's pool (which spills to disk past its limit)."""
        for fieldname, columns in self._columns.items():
            for item in columns.items(fieldname):
                self.pool.add(item)
        self._columns = {}

    def add_reader(self, reader: Any) -> None:
        """Whoosh's (a merge at commit): the postings kept in arrays join the pool first."""
        self._merged = True
        self._to_pool()
        super().add_reader(reader)

    def add_document(self, **fields: Any) -> None:  # noqa: C901 - mirrors SegmentWriter.add_document
        packed: dict[str, Packed] = fields.get(ANALYZED_KEY) or {}
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        add_post = self.pool.add
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        for fieldname in fieldnames:
            value = fields.get(fieldname)
            if value is None:
                continue
            field = schema[fieldname]
            length = 0
            if field.indexed:
                fieldboost = self._field_boost(fields, fieldname, docboost)
                columns = self._columns_of(fieldname, field)
                if columns is not None:  # kept in arrays, written whole at the flush
                    blob, counts, positions = packed[fieldname] if fieldname in packed else pack(field, value)
                    terms = blob.split(b"\x00") if blob or counts else []
                    length = columns.add(docnum, terms, counts, positions, fieldboost)
                    if not field.scorable:
                        length = 0
                else:
                    items = replay(field, packed[fieldname]) if fieldname in packed else field.index(value)
                    scorable = field.scorable
                    for tbytes, freq, weight, vbytes in items:
                        if scorable:
                            length += freq
                        add_post((fieldname, tbytes, docnum, weight * fieldboost, vbytes))
                if length:
                    self._byte_lengths.setdefault(fieldname, {})[docnum] = length_to_byte(length)
            if field.separate_spelling():
                spellfield = field.spelling_fieldname(fieldname)
                for word in field.spellable_words(value):
                    add_post((spellfield, utf8encode(word)[0], 0, 1, None))
            if field.vector:
                vitems = sorted((text, weight, vbytes) for text, _, weight, vbytes
                                in field.vector.word_values(value, field.analyzer, mode="index"))
                perdocwriter.add_vector_items(fieldname, field, vitems)
            customval = fields.get(f"_stored_{fieldname}", value)
            perdocwriter.add_field(fieldname, field, customval if field.stored else None, length)
            column = field.column_type
            if column and customval is not None:
                perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1
        if self._columns and self.postings_bytes() > 2 * SEGMENT_ARRAYS_BYTES:
            self._to_pool()  # a caller that never starts a new segment: memory stays bounded
            self._spilled = True

    def _flush_segment(self) -> None:
        """Whoosh's, with the field lengths kept by ``add_document`` (unless a reader was merged)."""
        if self._merged:
            return super()._flush_segment()
        self.perdocwriter.close()
        lengths = _Lengths(self._byte_lengths) if self.codec.length_stats else None
        if self._spilled:  # some of the text fields' postings are in the pool: all go that way
            self._to_pool()
        fieldwriter = self.fieldwriter
        in_arrays = sorted(self._columns)
        folder = getattr(self.storage, "folder", None)
        self._keep = None if folder is None or self._spilled else \
            Path(folder) / SEGMENT_ARRAYS / self.newsegment.segment_id()
        for fieldname, items in groupby(self.pool.iter_postings(), key=itemgetter(0)):  # fields in order
            while in_arrays and in_arrays[0] < fieldname:
                self._write_columns(in_arrays.pop(0))
            fieldwriter.add_postings(self.schema, lengths, items)
        for fieldname in in_arrays:
            self._write_columns(fieldname)
        self._columns = {}
        fieldwriter.close()
        if self._keep is not None:  # every text field of this segment went through the arrays
            self._keep.mkdir(parents=True, exist_ok=True)
            written = sorted(name for name in ANALYZED_FIELDS if name in self.schema and _packable(self.schema[name]))
            (self._keep / SEGMENT_ARRAYS_DONE).write_text(json.dumps(written), encoding="utf-8")

    def _write_columns(self, fieldname: str) -> None:
        write_field(self.fieldwriter, fieldname, self._columns[fieldname], self._byte_lengths.get(fieldname, {}),
                    blocklimit=self.codec._blocklimit, compression=self.codec._compression,
                    compress_min=self.compress_min, keep=self._keep)
