"""A served generation reads its Whoosh segment files through memory maps, not private copies."""
from __future__ import annotations

import gc
import mmap
import tracemalloc
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.filedb.structfile import BufferFile
from whoosh.qparser import MultifieldParser, OrGroup

from indexer.index.generations import live_path, open_live
from indexer.index.mapped import MappedFile, MappedStorage

QUERIES = ["seoul", "housing policy", "서울 주택", "bike OR water", '"air quality"', "hous*", "시민 -seoul",
           "title:plan", "topic:housing", "lang:ko"]


@pytest.fixture(scope="module")
def generation(corpus_index: Path) -> Path:
    return live_path(corpus_index)


def segment_parts(storage) -> dict[str, dict[str, object]]:
    """Every part of every compound segment of the index in ``storage``, opened through ``storage``."""
    ix = whoosh_index.FileIndex(storage)
    out = {}
    for segment in ix._segments():
        assert segment.is_compound()
        compound = segment.open_compound_file(storage)
        out[segment.segment_id()] = {name: compound.open_file(name) for name in compound.list()}
    return out


def test_segment_parts_are_mapped_and_byte_identical(generation: Path) -> None:
    plain = segment_parts(whoosh_index.open_dir(str(generation), readonly=True).storage)
    mapped = segment_parts(MappedStorage(generation))
    assert mapped.keys() == plain.keys() and mapped
    for segid, parts in mapped.items():
        assert parts.keys() == plain[segid].keys()
        assert any(name.endswith(".pst") for name in parts) and any(name.endswith(".trm") for name in parts)
        for name, part in parts.items():
            copy = plain[segid][name]
            assert isinstance(copy, BufferFile)  # what Whoosh does: a BytesIO copy of the part
            length = len(copy._buf)
            if length:
                assert isinstance(part, MappedFile) and isinstance(part.file, mmap.mmap), name
            assert part.get(0, length) == copy.get(0, length), name
            part.seek(length // 2)
            copy.seek(length // 2)
            assert part.read(64) == copy.read(64) and part.tell() == copy.tell()


def test_mapped_file_reads_like_a_buffer_file(tmp_path: Path) -> None:
    """A range at an offset not on a page boundary: every way Whoosh reads it gives the same bytes."""
    data = bytes(range(256)) * 64 + b"line one\nline two\n" + bytes(range(255, -1, -1)) * 32
    path = tmp_path / "blob"
    path.write_bytes(data)
    offset, length = 5003, len(data) - 5003 - 101
    reference = BufferFile(memoryview(data)[offset:offset + length])
    root = MappedFile.open(path)
    part = root.subset(offset, length, name="part")
    assert isinstance(part, MappedFile)
    for f in (part, reference):
        f.seek(256 * 64 - offset)
    assert part.readline() == reference.readline() == b"line one\n"
    assert part.tell() == reference.tell()
    assert part.read_int() == reference.read_int()
    part.seek(-8, 2)
    reference.seek(-8, 2)
    assert part.read() == reference.read() and part.tell() == reference.tell() == length
    assert part.get(100, 37) == reference.get(100, 37)
    assert part.get_array(1000, "i", 50) == reference.get_array(1000, "i", 50)
    assert part.get_long(4000) == reference.get_long(4000)
    assert part.subset(10, 20).get(0, 20) == data[offset + 10:offset + 30]
    assert isinstance(part.subset(10, 0), BufferFile)
    part.close()
    root.close()
    assert part.is_closed and root.is_closed and part.file.closed


def open_cost(opener) -> int:
    """Bytes still allocated (tracemalloc) after opening a reader with ``opener``."""
    opener().reader().close()  # imports and caches out of the count
    gc.collect()
    tracemalloc.start()
    try:
        reader = opener().reader()
        allocated, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    reader.close()
    return allocated


def test_opening_the_live_generation_copies_no_postings(corpus_index: Path, generation: Path) -> None:
    storage = MappedStorage(generation)
    compounds = [segment.open_compound_file(storage) for segment in whoosh_index.FileIndex(storage)._segments()]
    postings_and_terms = sum(compound.file_length(name) for compound in compounds for name in compound.list()
                             if name.endswith((".pst", ".trm")))
    plain = open_cost(lambda: whoosh_index.open_dir(str(generation), readonly=True))
    served = open_cost(lambda: open_live(corpus_index)[0])
    assert plain >= postings_and_terms  # the measurement sees Whoosh's copy
    assert served < postings_and_terms / 4


def hits(searcher, query) -> list[tuple[int, float, dict]]:
    return [(hit.docnum, hit.score, hit.fields()) for hit in searcher.search(query, limit=None)]


def test_search_results_identical_to_open_dir(corpus_index: Path, generation: Path) -> None:
    served, _ = open_live(corpus_index)
    assert isinstance(served.storage, MappedStorage)
    plain = whoosh_index.open_dir(str(generation), readonly=True)
    with served.searcher() as mine, plain.searcher() as theirs:
        parser = MultifieldParser(["title", "body", "body_bigram"], plain.schema, group=OrGroup)
        for text in QUERIES:
            query = parser.parse(text)
            assert hits(mine, query) == hits(theirs, query), text
        assert [mine.stored_fields(n) for n in range(mine.doc_count_all())] == \
            [theirs.stored_fields(n) for n in range(theirs.doc_count_all())]
        a, b = mine.reader(), theirs.reader()
        terms = list(b.all_terms())
        assert list(a.all_terms()) == terms and terms
        for field, text in terms:  # every posting, with its weight and stored value
            if plain.schema[field].format is None:
                continue
            assert list(a.postings(field, text).items_as("weight")) == \
                list(b.postings(field, text).items_as("weight")), (field, text)
