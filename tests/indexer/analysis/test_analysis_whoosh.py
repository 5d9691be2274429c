"""The analyzers inside a real Whoosh index: pickling, search, phrases, highlighting."""
from __future__ import annotations

import os
import re
import pickle
from pathlib import Path

import pytest
from whoosh import fields, highlight, index, query
from whoosh.qparser import OrGroup, QueryParser

from indexer.analysis import build_query, policy_analyzer, schema_fields
from indexer.analysis.korean import get_tagger
from indexer.analysis.search import weighting

DOCS = {
    "seoul": "서울시는 시민과 함께 정책을 만듭니다.",
    "share": "우리 구는 공유도시를 목표로 합니다.",
    "judo": "유도 선수들이 훈련했다.",
    "oda": "Korea's ODA budget for SDGs grew in 2024.",
}


@pytest.fixture()
def ix(tmp_path: Path):
    schema = fields.Schema(id=fields.ID(stored=True, unique=True), **schema_fields())
    ix = index.create_in(str(tmp_path), schema)
    with ix.writer() as w:
        for doc_id, text in DOCS.items():
            w.add_document(id=doc_id, title="", body=text, title_bigram="", body_bigram=text)
    return index.open_dir(str(tmp_path))  # re-open: the schema (and analyzers) come from a pickle


def _ids(ix, q) -> list[str]:
    with ix.searcher(weighting=weighting()) as s:
        return [h["id"] for h in s.search(q, limit=10)]


def test_pickle_round_trip_without_tagger():
    ana = policy_analyzer()
    before = [t.text for t in ana("서울시는 공유도시를")]
    get_tagger()
    data = pickle.dumps(ana)
    assert b"Tagger" not in data and b"MeCab" not in data
    again = pickle.loads(data)
    assert [t.text for t in again("서울시는 공유도시를")] == before
    assert again == ana


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_tagger_recreated_after_fork():
    parent = get_tagger()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        ok = get_tagger() is not parent and "서울" in [t.text for t in policy_analyzer()("서울시")]
        os.write(w, b"1" if ok else b"0")
        os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(r, 1) == b"1"


@pytest.mark.parametrize("q, doc", [("서울", "seoul"), ("도시", "share"), ("공유도시", "share"),
                                    ("ODA", "oda"), ("oda", "oda"), ("SDG", "oda")])
def test_search_finds(ix, q: str, doc: str):
    assert _ids(ix, query.Term("body", next(iter(policy_analyzer()(q, mode="query"))).text)) == [doc]
    assert _ids(ix, build_query(q, ix.schema))[0] == doc


def test_queryparser_and_phrase(ix):
    with ix.searcher(weighting=weighting()) as s:
        qp = QueryParser("body", ix.schema, group=OrGroup)
        assert [h["id"] for h in s.search(qp.parse("공유도시"))] == ["share"]
        assert [h["id"] for h in s.search(qp.parse('"공유도시 목표"'))] == ["share"]
        assert [h["id"] for h in s.search(qp.parse('"시민 함께 정책"'))] == ["seoul"]


def test_morphemes_rank_real_match_above_bigram_nonsense(ix):
    # 유도 is a bigram inside 공유도시; the morpheme field only matches the judo doc
    assert _ids(ix, build_query("유도", ix.schema))[0] == "judo"


def test_highlight_marks_exact_span(ix):
    fmt = highlight.HtmlFormatter(tagname="b", classname="m", between="")
    with ix.searcher(weighting=weighting()) as s:
        for term, marked in (("도시", "우리 구는 공유<b>도시</b>를 목표로 합니다."),
                             ("공유도시", "우리 구는 <b>공유도시</b>를 목표로 합니다."),
                             ("서울", "<b>서울</b>시는 시민과 함께 정책을 만듭니다.")):
            res = s.search(query.Term("body", term), terms=True)
            res.formatter, res.fragmenter = fmt, highlight.WholeFragmenter()
            assert re.sub(r' class="[^"]*"', "", res[0].highlights("body")) == marked
    out = highlight.highlight(DOCS["share"], {"도시"}, policy_analyzer(), highlight.WholeFragmenter(),
                              fmt, mode="index")
    assert "공유<b" in out and ">도시</b>를" in out


def test_highlight_with_nfd_text_offsets():
    import unicodedata

    text = unicodedata.normalize("NFD", "우리 구는 공유도시를 목표로")
    ana = policy_analyzer()
    spans = [(t.startchar, t.endchar) for t in ana(text, chars=True, mode="index") if t.text == "공유도시"]
    assert len(spans) == 1
    s, e = spans[0]
    assert unicodedata.normalize("NFC", text[s:e]) == "공유도시"
