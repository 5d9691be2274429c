"""Text analyzed once where a record is enriched, replayed by the writer: the same index as analyzing twice."""
from __future__ import annotations

import json
from pathlib import Path

from whoosh import index as whoosh_index

from indexer.analysis.korean import parse_morphs
from indexer.analysis.shared import shared_analysis
from indexer.extract import extract_sources
from indexer.index.analyzed import ANALYZED_KEY, analyze_record, replay
from indexer.index.schema import make_schema, record_to_document
from indexer.index.writing import create_index
from tests.conftest import SEED_PAGES

KOREAN = ("서울시 공유도시 정책은 주차장 공유와 공구 도서관을 늘렸다. 청년 주택 공급이 늘어났다고 했다. "
          "국토교통부는 2026년 스마트시티 사업을 발표했다.")


def _postings(folder: Path) -> tuple[dict, dict, list]:
    """Every posting (docnum, weight, value bytes) by field and term, every field length, every stored document."""
    ix = whoosh_index.open_dir(str(folder))
    postings: dict = {}
    lengths: dict = {}
    with ix.reader() as reader:
        for fieldname in reader.indexed_field_names():
            for btext in reader.lexicon(fieldname):
                matcher = reader.postings(fieldname, btext)
                found = []
                while matcher.is_active():
                    found.append((matcher.id(), matcher.weight(), matcher.value()))
                    matcher.next()
                postings[fieldname, btext] = found
            for docnum in range(reader.doc_count_all()):
                lengths[fieldname, docnum] = reader.doc_field_length(docnum, fieldname) or 0
        stored = [fields for _, fields in reader.iter_docs()]
    return postings, lengths, stored


def test_replayed_terms_are_what_the_field_analyzes():
    schema = make_schema()
    record = {"title": "서울시 공유도시 Seoul sharing city 2026", "body": KOREAN + " Seoul's bikes, 共有都市."}
    packed = analyze_record(record, schema)
    assert set(packed) == {"title", "body", "title_bigram", "body_bigram"}
    for name, terms in packed.items():
        text = record["title" if name.startswith("title") else "body"]
        assert sorted(replay(schema[name], terms)) == sorted(schema[name].index(text))


def test_a_build_from_analyzed_records_equals_one_that_analyzes(tmp_path: Path):
    result = extract_sources([SEED_PAGES], analyze=True)
    records = result.records
    assert records and all(ANALYZED_KEY in r for r in records)
    assert any(r["lang"] == "ko" for r in records) and any(r["lang"] == "en" for r in records)
    replayed, analyzed = tmp_path / "replayed", tmp_path / "analyzed"
    replayed.mkdir()
    analyzed.mkdir()
    for workers in (1, 2):
        create_index(replayed, records, result.origins, workers=workers, progress=False)
        ix = whoosh_index.create_in(str(analyzed), make_schema())  # Whoosh's own writer, which analyzes
        with ix.writer() as writer:
            for record in records:
                doc = record_to_document(record, result.origins.get(record["id"], ""))
                doc.pop(ANALYZED_KEY)
                writer.add_document(**doc)
        if workers == 1:
            assert _postings(replayed) == _postings(analyzed)
        else:  # segments differ; the documents, terms and lengths do not
            ours, theirs = _postings(replayed), _postings(analyzed)
            assert ours[1] == theirs[1] and ours[2] == theirs[2]
            assert {k: [(w, v) for _, w, v in p] for k, p in ours[0].items()} == \
                   {k: [(w, v) for _, w, v in p] for k, p in theirs[0].items()}


def test_terms_never_reach_the_stored_record_and_plain_extraction_has_none():
    result = extract_sources([SEED_PAGES], analyze=True)
    doc = record_to_document(result.records[0], "x")
    assert ANALYZED_KEY in doc and ANALYZED_KEY not in json.loads(doc["record"])
    plain = extract_sources([SEED_PAGES])
    assert all(ANALYZED_KEY not in r for r in plain.records)
    json.dumps(plain.records, ensure_ascii=False)  # what `policy-index extract --json` prints


def test_mecab_parses_a_text_once_inside_the_shared_block():
    assert parse_morphs(KOREAN) is not parse_morphs(KOREAN)
    with shared_analysis():
        first = parse_morphs(KOREAN)
        assert parse_morphs(KOREAN) is first
        assert parse_morphs(KOREAN[:20]) is not first
    assert parse_morphs(KOREAN) == first and parse_morphs(KOREAN) is not first
