"""/api/search against a real index of the corpus: matching, facets, snippets, pages, collapse."""
from __future__ import annotations

import re


def search(client, **params):
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def titles(body):
    return [r["title"] for r in body["results"]]


def test_response_shape(client):
    body = search(client, q="transportation")
    assert set(body) >= {"query", "total", "page", "size", "took_ms", "relaxed", "results", "facets", "suggestion"}
    assert set(body["facets"]) == {"city", "topic", "sdg", "year", "lang", "type"}
    hit = body["results"][0]
    for key in ("id", "title", "snippet", "url", "date", "lang", "type", "cities", "topics", "sdgs", "page",
                "score", "duplicates"):
        assert key in hit


def test_korean_query_finds_the_korean_sharing_city_record(client):
    body = search(client, q="공유도시")
    assert "공유도시(Sharing City) 서울은?" in titles(body)


def test_korean_particles_and_compounds(client):
    # matching, not cross-lingual ranking: English records found through 도시 -> city stay out
    assert "서울시 자전거 정책" in titles(search(client, q="서울", lang="ko"))       # 서울 finds 서울시는
    assert "서울시 자전거 정책" in titles(search(client, q="공유도시를", lang="ko"))  # particle ignored
    assert "서울시 자전거 정책" in titles(search(client, q="도시", lang="ko"))        # part of 공유도시


def test_all_words_must_match_then_relaxed(client):
    strict = search(client, q="mask subway")
    assert not strict["relaxed"] and strict["total"] >= 1
    assert all("mask" in (r["title"] + r["snippet"]).lower() for r in strict["results"])
    relaxed = search(client, q="mask zzyzxqv")
    assert relaxed["relaxed"] is True and relaxed["total"] >= 1


def test_phrase_exclusion_or_and_prefix(client):
    phrase = search(client, q='"Big Data"')
    assert any("Buenos Aires" in t for t in titles(phrase))
    without = search(client, q="Seoul -Buenos")
    assert not any("Buenos Aires" in t for t in titles(without)) and without["total"] > 0
    either = search(client, q="Arisu OR Kathmandu")
    assert either["total"] >= search(client, q="Kathmandu")["total"] + 1
    prefix = search(client, q="transp*")
    assert prefix["total"] >= search(client, q="transportation")["total"]


def test_lenient_syntax_never_errors(client):
    for q in ['"unbalanced', "(Seoul", "-", "title:Seoul", "*oul", "Seoul)", "a OR", "OR", '""', "-\"x"]:
        body = search(client, q=q)
        assert isinstance(body["total"], int)
    assert search(client, q="title:Seoul")["total"] == search(client, q="title Seoul")["total"]


def test_facet_counts_are_disjunctive(client):
    all_hits = search(client, q="Seoul", size=100)
    seoul_city = next(v for v in all_hits["facets"]["city"] if v["value"] == "Seoul")
    filtered = search(client, q="Seoul", city="Seoul", size=100)
    assert filtered["total"] == seoul_city["count"]
    # the city facet ignores its own filter...
    assert filtered["facets"]["city"] == [dict(v, selected=v["value"] == "Seoul") for v in all_hits["facets"]["city"]]
    # ...and the others respect it: counts equal to what the filtered results hold
    lang_counts = {v["value"]: v["count"] for v in filtered["facets"]["lang"]}
    expected = {}
    for r in filtered["results"]:
        expected[r["lang"]] = expected.get(r["lang"], 0) + 1
    assert lang_counts == expected


def test_filters_or_within_and_across(client):
    kathmandu = search(client, city="Kathmandu")["total"]
    cairo = search(client, city="Cairo")["total"]
    both = search(client, city=["Kathmandu", "Cairo"])["total"]
    assert max(kathmandu, cairo) <= both <= kathmandu + cairo
    across = search(client, city="Cairo", type="about")
    assert all(r["type"] == "about" and any(c["name"] == "Cairo" for c in r["cities"]) for r in across["results"])


def test_korean_city_name_filter(client):
    assert search(client, city="서울")["total"] == search(client, city="Seoul")["total"] > 0


def test_year_range_and_browse_by_date(client):
    body = search(client, year_from=2020, year_to=2020, size=100)
    assert body["total"] > 0 and all(r["date"].startswith("2020") for r in body["results"])
    dates = [r["date"] for r in body["results"]]
    assert dates == sorted(dates, reverse=True)  # empty q browses newest first


def test_sort_newest_puts_undated_last(client):
    body = search(client, q="Seoul", sort="newest", size=100)
    dates = [r["date"] for r in body["results"]]
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True)
    assert dates.index(None) > len(dated) - 1 if None in dates else True
    assert all(d is None for d in dates[len(dated):])
    oldest = [r["date"] for r in search(client, q="Seoul", sort="oldest", size=100)["results"] if r["date"]]
    assert oldest == sorted(oldest)


def test_paging(client):
    first = search(client, q="Seoul", size=3, page=1)
    second = search(client, q="Seoul", size=3, page=2)
    assert first["total"] == second["total"] > 6
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


def test_snippets_escape_document_markup_and_mark_matches(client):
    body = search(client, q="bicycle parks")
    hit = next(r for r in body["results"] if r["id"] == "fixture-markup")
    assert "<img" not in hit["snippet"] and "&lt;img" in hit["snippet"]
    assert "<mark>" in hit["snippet"]
    stripped = re.sub(r"</?mark>", "", hit["snippet"])
    assert "<" not in stripped and ">" not in stripped


def test_query_markup_is_inert(client):
    body = search(client, q="<script>alert(1)</script> bicycle")
    assert body["query"] == "<script>alert(1)</script> bicycle"  # JSON string, not HTML
    for hit in body["results"]:
        assert "<script" not in re.sub(r"</?mark>", "", hit["snippet"])


def test_pdf_hit_knows_its_page(client):
    body = search(client, q="태양광")
    brochure = next(r for r in body["results"] if r["type"] == "brochure")
    assert brochure["page"] is not None
    assert brochure["url"].endswith(f"#page={brochure['page']}")
    record = client.get(f"/api/documents/{brochure['id']}").get_json()
    page_text = next(p["text"] for p in record["pages"] if p["number"] == brochure["page"])
    assert "태양광" in page_text
    other_pages = [p for p in record["pages"] if p["number"] != brochure["page"]]
    assert all(p["text"].count("태양광") <= page_text.count("태양광") for p in other_pages)


def test_near_duplicates_collapse_into_canonical(client):
    body = search(client, q="Urban SDG Knowledge Platform", size=100)
    platform = [r for r in body["results"] if r["title"].startswith("Seoul Opens an Online Platform")]
    assert len(platform) == 1
    assert platform[0]["duplicates"] and platform[0]["date"] == "2017-01-12"


def test_did_you_mean(client):
    body = search(client, q="transportaton")
    assert body["suggestion"] == "transportation"
    assert search(client, q="transportation")["suggestion"] is None


def test_ui_lang_labels(client):
    ko = search(client, q="Seoul", ui_lang="ko")
    seoul = next(v for v in ko["facets"]["city"] if v["value"] == "Seoul")
    assert seoul["label"] == "서울"
    topic = ko["facets"]["topic"][0]
    assert re.search(r"[\uac00-\ud7a3]", topic["label"])


def test_documents_and_source(client):
    body = search(client, q="태양광")
    brochure = next(r for r in body["results"] if r["type"] == "brochure")
    source = client.get(brochure["url"].split("#")[0])
    assert source.status_code == 200 and source.mimetype == "application/pdf"
    assert source.data.startswith(b"%PDF")
    assert client.get("/api/documents/no-such-id").status_code == 404
    assert client.get("/api/documents/..%2F..%2Fetc%2Fpasswd/source").status_code == 404


def test_suggest_korean_and_english(client):
    ko = client.get("/api/suggest", query_string={"q": "서울"}).get_json()
    assert any(s["text"] == "서울시" for s in ko["suggestions"])
    en = client.get("/api/suggest", query_string={"q": "Kath"}).get_json()
    assert {"text": "Kathmandu", "kind": "city"} in en["suggestions"]


def test_facets_route_and_health(client):
    facets = client.get("/api/facets").get_json()
    assert facets["total"] > 0 and facets["facets"]["lang"]
    health = client.get("/healthz").get_json()
    assert health["status"] == "ok" and health["records"] >= facets["total"] and health["generation"]


def test_a_search_over_its_time_budget_returns_what_was_ranked(index_dir):
    from search_api import create_app

    app = create_app({"index": str(index_dir), "search_time_limit": "0.000001"})
    body = app.test_client().get("/api/search", query_string={"q": "Seoul city policy"}).get_json()
    assert body["timed_out"] is True
    assert body["total"] > 0 and body["results"]  # what was scored in time is counted and ranked
    full = app.test_client().get("/api/search", query_string={"q": "Seoul city policy"}).get_json()
    assert body["total"] <= full["total"]


def test_did_you_mean_respects_the_filters(client):
    assert search(client, q="bicyle")["suggestion"] == "bicycle"
    # no record from 2023 or later says bicycle: a respelling would still find nothing
    assert search(client, q="bicyle", year_from=2023)["suggestion"] is None


def test_the_speller_files_only_the_most_frequent_words(monkeypatch):
    """Its deletion index stays bounded: past ``MAX_WORDS`` the rarer words are left out."""
    from collections import Counter

    from search_api.suggest import Speller

    counts = Counter({"transport": 9, "transit": 5, "tramway": 3, "typo": 1})
    assert Speller(counts).correct("trasport") == "transport"
    assert Speller(counts).correct("tramwya") == "tramway"
    monkeypatch.setattr(Speller, "MAX_WORDS", 2)
    small = Speller(counts)
    assert small.correct("trasport") == "transport"
    assert small.correct("tramwya") is None  # the third most frequent word is not filed
    assert "tramway" not in small.index and "typo" not in small.index
