"""Long pasted queries keep their most significant words (tf-idf over the real index)."""
from __future__ import annotations

from indexer.index.builder import build_records
from search_api.index_reader import Snapshot
from search_api.query.build import QueryBuilder
from search_api.query.parse import parse_query
from search_api.query.long_query import keep_significant
from tests.search_api.meaning_records import MEANING_RECORDS


def test_keeps_at_most_the_budget_of_indexed_words_rarest_first(tmp_path):
    build_records(MEANING_RECORDS, {}, tmp_path / "index", embed=False)
    snapshot = Snapshot(tmp_path / "index", semantic=False)
    unknown = [f"qqq{i}" for i in range(30)]  # in no record
    text = " ".join(["city"] + unknown + ["rainwater", "tunnels", "the", "commuters", "river", "river"])
    parsed = parse_query(text, 10_000, None)
    assert parsed.terms > 32
    kept = keep_significant(parsed, QueryBuilder(snapshot.searcher.schema), snapshot.searcher, 3)
    words = [item.text for group in kept.groups for item in group]
    assert kept.terms <= 3 and len(words) == 3
    # "river" (twice in the text) outweighs the words found once; among the rare words found once
    # (one record each) the first in the text win; "city" (in many records) weighs least
    assert set(words) == {"river", "rainwater", "tunnels"}
    assert words == sorted(words, key=text.split().index)  # in the order of the text
    snapshot.searcher.close()
