"""Cross-lingual search on the real index of corpus/ (+ fixtures): glossary, cities, more like this."""
from __future__ import annotations

from urllib.parse import quote

from whoosh import query as Q

from indexer.crosslingual.glossary import glossary
from search_api.query.build import QueryBuilder
from search_api.query.parse import parse_query

MASK = "Introduction of the App Report System for Mandatory Mask Wearing on Public Transportation"
SOLAR = "Sunlight Brightens up the Parks and Bicycle Lanes of Seoul"
SHARING_KO = "공유도시(Sharing City) 서울은?"


def _search(client, q, **params):
    response = client.get("/api/search", query_string={"q": q, "size": 10, **params})
    assert response.status_code == 200
    return response.get_json()


def _titles(body):
    return [r["title"] for r in body["results"]]


def test_glossary_has_hundreds_of_entries_both_ways():
    g = glossary()
    assert len(g.entries) >= 300
    assert {m.translations()[0] for m in g.find(g.terms("마스크"))} == {"mask"}
    assert [m.translations() for m in g.find(g.terms("public transportation"))] == [("대중교통",)]
    assert [m.entry.en[0] for m in g.find(g.terms("기후 변화"))] == ["climate change"]  # spaced Korean term


def test_korean_city_name_finds_the_kathmandu_articles(client):
    results = _search(client, "카트만두")["results"]
    assert results and all(any(c["name"] == "Kathmandu" for c in r["cities"]) for r in results)
    assert len(results) >= 2


def test_city_names_across_scripts(client):
    assert any(any(c["name"] == "Mexico City" for c in r["cities"])
               for r in _search(client, "멕시코시티")["results"])
    titles = _titles(_search(client, "Seoul"))
    assert SHARING_KO in titles or "서울시 자전거 정책" in titles  # Korean records that say 서울


def test_mask_subway_finds_the_english_mask_article_among_the_first(client):
    body = _search(client, "마스크 지하철")
    titles = _titles(body)
    assert MASK in titles[:2]  # beside the bilingual brochure's page on it, which says it in Korean too
    assert not body["relaxed"]
    for hit in body["results"][:2]:
        assert "<mark>" in hit["snippet"]  # translated terms are highlighted
        if hit["page"] is not None:  # the brochure links to its page on masks in the subway
            assert "마스크" in hit["snippet"] and hit["url"].endswith(f"#page={hit['page']}")


def test_solar_in_korean_finds_the_solar_article(client):
    assert SOLAR in _titles(_search(client, "태양광"))


def test_sharing_city_finds_the_korean_record(client):
    assert SHARING_KO in _titles(_search(client, "sharing city"))


def test_same_language_matches_rank_first(client):
    titles = _titles(_search(client, "자전거"))
    assert titles[0] == "서울시 자전거 정책"  # the Korean record above the English bicycle ones
    assert any("Bicycle" in t or "Bike" in t for t in titles[1:])


def test_translations_weigh_less_and_multiword_terms_are_units(app):
    from search_api.query.expansion import TRANSLATION_BOOST

    assert 0 < TRANSLATION_BOOST < 1
    holder = app.extensions["policy_search.index"]
    with holder.snapshot() as snapshot:
        builder = QueryBuilder(snapshot.searcher.schema)
        query = builder.build(parse_query("public transportation"))
        unexpanded = QueryBuilder(snapshot.searcher.schema, expand=False).build(parse_query("public transportation"))
    text = repr(query)
    assert "대중교통" in text and "대중교통" not in repr(unexpanded)
    found = []

    def walk(q):
        if isinstance(q, Q.DisjunctionMax):
            found.append(q)
        for child in getattr(q, "children", lambda: [])():
            walk(child)
    walk(query)
    assert len(found) == 1  # one unit for the two words
    assert any(getattr(sub, "boost", 1.0) == TRANSLATION_BOOST for sub in found[0].subqueries)


def test_expansion_off_finds_no_english_record_for_korean(app):
    from search_api.query.search import SearchParams, run_search

    holder = app.extensions["policy_search.index"]
    with holder.snapshot() as snapshot:
        body = run_search(snapshot, SearchParams(q="카트만두", expand=False, mode="lexical"))
    assert body["total"] == 0


def test_results_carry_translations(client):
    for result in _search(client, "Seoul")["results"]:
        assert isinstance(result["translations"], list)


def _id_of(client, title, q):
    return next(r["id"] for r in _search(client, q)["results"] if r["title"] == title)


def test_more_like_this_crosses_languages(client):
    doc_id = _id_of(client, SHARING_KO, "공유도시")
    response = client.get(f"/api/documents/{quote(doc_id, safe='')}/similar")
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == doc_id
    ids = [r["id"] for r in body["results"]]
    assert doc_id not in ids
    assert any(r["lang"] == "en" for r in body["results"])
    assert set(body["results"][0]) >= {"id", "title", "snippet", "url", "lang", "score", "translations"}


def test_more_like_this_excludes_duplicates(client):
    body = _search(client, "Online Platform Urban Challenges")
    first = body["results"][0]
    response = client.get(f"/api/documents/{quote(first['id'], safe='')}/similar", query_string={"size": 20})
    ids = {r["id"] for r in response.get_json()["results"]}
    assert first["id"] not in ids and not ids & set(first["duplicates"])


def test_more_like_this_of_an_unknown_id_is_a_404(client):
    response = client.get("/api/documents/no-such-record/similar")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_more_like_this_over_http(live_server):
    response = live_server.get("/api/documents/fixture-korean/similar?size=3")
    assert response.status_code == 200
    assert len(response.json()["results"]) <= 3
