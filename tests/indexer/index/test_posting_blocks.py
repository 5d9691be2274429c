"""Postings kept in arrays and written block by block: what Whoosh's own codec writes, block for block."""
from __future__ import annotations

import io
import pickle
import struct
import zlib
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo

from indexer.extract import extract_sources
from indexer.index import analyzed, posting_blocks
from indexer.index.analyzed import ANALYZED_KEY, AnalyzedWriter
from indexer.index.schema import make_schema, record_to_document
from indexer.index.writing import add_records, create_index
from tests.conftest import SEED_PAGES
from tests.indexer.index.test_analyzed import _postings


@pytest.fixture(scope="module")
def seed_records() -> tuple[list[dict], dict[str, str]]:
    """The seed pages' records, each also under 9 more ids: 170 records, so that common terms
    have more postings than one block holds (128)."""
    result = extract_sources([SEED_PAGES], analyze=True)
    records, origins = [], {}
    for copy in range(10):
        for record in result.records:
            records.append(dict(record, id=f"{record['id']}-{copy}"))
            origins[records[-1]["id"]] = result.origins[record["id"]]
    return records, origins


def _whoosh_build(folder: Path, records: list[dict], origins: dict[str, str]) -> None:
    """The same records through Whoosh's own writer, which analyzes and pools every posting."""
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), make_schema())
    with ix.writer() as writer:
        for record in records:
            doc = record_to_document(record, origins.get(record["id"], ""))
            doc.pop(ANALYZED_KEY)
            writer.add_document(**doc)


def _blocks(folder: Path) -> dict[bytes, tuple[dict, list]]:
    """Every term row (decoded, but for where its postings lie) and its posting blocks (each
    block's header and unpickled data, compression level aside), of a one-segment index."""
    ix = whoosh_index.open_dir(str(folder))
    segment = ix._segments()[0]
    storage = segment.open_compound_file(ix.storage) if segment.is_compound() else ix.storage
    postings = storage.open_file(segment.make_filename(".pst")).read()
    out = {}
    with ix.reader() as reader:
        for key, row in reader._terms._tindex.items():
            info = W3TermInfo.from_bytes(row)
            offset, length = info.extent()
            blob = postings[offset:offset + (length[0] if isinstance(length, tuple) else length)]
            assert blob[:4] == WHOOSH3_HEADER_MAGIC
            at, blocks = 4, []
            while at < len(blob):
                size = abs(struct.unpack("!i", blob[at:at + 4])[0])
                stream = io.BytesIO(blob[at + 4:at + 4 + size])
                header = pickle.load(stream)
                data = stream.read()
                blocks.append((header[:3] + header[4:], pickle.loads(zlib.decompress(data) if header[3] else data)))
                at += 4 + size
            fields = {k: v for k, v in vars(info).items() if k not in ("_offset", "_length")}
            out[key] = (fields, blocks)
    return out


@pytest.mark.parametrize("compress_min", [0, posting_blocks.COMPRESS_MIN_BYTES])
def test_blocks_and_term_rows_are_whooshs_own(tmp_path: Path, seed_records, monkeypatch, compress_min: int):
    records, origins = seed_records
    monkeypatch.setattr(AnalyzedWriter, "compress_min", compress_min)
    monkeypatch.setattr(posting_blocks, "CHUNK_POSTINGS", 97)  # many runs of terms per field
    (tmp_path / "arrays").mkdir()
    create_index(tmp_path / "arrays", records, origins, workers=1, progress=False)
    _whoosh_build(tmp_path / "whoosh", records, origins)
    ours, theirs = _blocks(tmp_path / "arrays"), _blocks(tmp_path / "whoosh")
    assert len(ours) > 1000 and any(len(blocks) > 1 for _, blocks in theirs.values())
    assert ours == theirs


def test_small_blocks_are_left_uncompressed(tmp_path: Path, seed_records):
    records, origins = seed_records
    create_index(tmp_path, records[:len(records) // 10], origins, workers=1, progress=False)  # one copy each
    ix = whoosh_index.open_dir(str(tmp_path))
    levels = set()
    with ix.reader() as reader:
        for fieldname in ("title", "body"):
            for btext in reader.lexicon(fieldname):
                matcher = reader.postings(fieldname, btext)
                levels.add(matcher._compression)
    assert levels == {0, 3}


def test_segments_roll_over_and_the_index_is_the_same(tmp_path: Path, seed_records, monkeypatch):
    records, origins = seed_records
    _whoosh_build(tmp_path / "whoosh", records, origins)
    expected = _postings(tmp_path / "whoosh")
    monkeypatch.setattr(analyzed, "SEGMENT_ARRAYS_BYTES", 60_000)  # a new segment every few records
    spilled = []
    monkeypatch.setattr(AnalyzedWriter, "_to_pool", lambda self: spilled.append(self))  # never here
    for workers in (1, 2):
        folder = tmp_path / f"w{workers}"
        folder.mkdir()
        create_index(folder, records, origins, workers=workers, progress=False)
        assert 10 < len(whoosh_index.open_dir(str(folder))._segments()) < len(records) / 2
        assert _postings(folder) == expected
    assert not spilled


def test_a_writer_never_given_a_new_segment_moves_its_arrays_to_the_pool(tmp_path: Path, seed_records,
                                                                           monkeypatch):
    records, origins = seed_records
    _whoosh_build(tmp_path / "whoosh", records, origins)
    monkeypatch.setattr(analyzed, "SEGMENT_ARRAYS_BYTES", 60_000)
    monkeypatch.setattr(posting_blocks, "CHUNK_POSTINGS", 97)  # the arrays go to the pool in runs
    folder = tmp_path / "spilled"
    folder.mkdir()
    writer = AnalyzedWriter(whoosh_index.create_in(str(folder), make_schema()))
    add_records(writer, records, origins, progress=False)
    assert writer._spilled and writer.postings_bytes() <= 2 * 60_000
    writer.commit()
    assert len(whoosh_index.open_dir(str(folder))._segments()) == 1
    assert _postings(folder) == _postings(tmp_path / "whoosh")


def _csr(reader, saved):
    from indexer.index.postings import POSTING_FIELDS, field_arrays

    return {name: {kind: values.tolist() for kind, values in field_arrays(reader, name, saved).items()}
            for name in POSTING_FIELDS}


def test_the_derived_postings_from_the_saved_arrays_are_those_read_back_from_whoosh(tmp_path: Path, seed_records,
                                                                                    monkeypatch):
    from indexer.index.derived import write_derived

    records, origins = seed_records
    monkeypatch.setattr(analyzed, "SEGMENT_ARRAYS_BYTES", 60_000)  # many segments, merged
    for workers in (1, 2):
        folder = tmp_path / f"w{workers}"
        folder.mkdir()
        create_index(folder, records, origins, workers=workers, progress=False)
        saved = folder / posting_blocks.SEGMENT_ARRAYS
        ix = whoosh_index.open_dir(str(folder))
        assert len(list(saved.iterdir())) == len(ix._segments()) > 10
        with ix.reader() as reader:
            from_whoosh = _csr(reader, None)
            assert _csr(reader, saved) == from_whoosh
            assert sum(len(f["docs"]) for f in from_whoosh.values()) > 10_000
            one = next(iter(saved.iterdir()))  # one segment without its arrays: read through Whoosh
            (one / posting_blocks.SEGMENT_ARRAYS_DONE).unlink()
            assert _csr(reader, saved) == from_whoosh
        write_derived(folder, workers=workers)
        assert not saved.exists()
