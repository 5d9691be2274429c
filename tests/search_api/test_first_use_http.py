"""What a first-time user meets over HTTP (issue 20), against a real index of the bundled corpus."""
from __future__ import annotations

import csv
import io
import re

import pytest

from search_api import create_app


def _all(client, **params) -> dict:
    response = client.get("/api/search", query_string={"size": 100, **params})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_healthz_counts_the_documents_a_search_totals_and_the_near_duplicates_folded_in(client):
    health = client.get("/healthz").get_json()
    assert health["documents"] == _all(client, q="")["total"]
    assert health["records"] == health["documents"] + health["near_duplicates"]
    assert health["near_duplicates"] >= 1  # the bundled corpus holds one copy under another name


@pytest.mark.parametrize("given", ["Transport", "TRANSPORT", "transport", "교통"])
def test_a_topic_filter_takes_its_label_in_any_case_as_a_city_does(client, given):
    by_id = _all(client, topic="transport")
    assert by_id["total"] > 0
    found = _all(client, topic=given)
    assert [r["id"] for r in found["results"]] == [r["id"] for r in by_id["results"]]


def test_type_and_language_filters_take_their_labels_too(client):
    assert _all(client, type="Brochure")["total"] == _all(client, type="brochure")["total"] > 0
    assert _all(client, lang="Korean & English")["total"] == _all(client, lang="mixed")["total"] > 0


def test_the_language_facet_and_the_cards_say_korean_and_english_alike(client):
    labels = {e["value"]: e["label"] for e in _all(client, q="")["facets"]["lang"]}
    assert labels["mixed"] == "Korean & English"
    ko = {e["value"]: e["label"] for e in _all(client, q="", ui_lang="ko")["facets"]["lang"]}
    assert ko["mixed"] == "한국어·영어"


def test_the_csv_export_has_topic_labels_and_urls_a_spreadsheet_opens(client):
    response = client.get("/api/search/export", query_string={"q": "", "format": "csv"},
                          base_url="http://search.example.org")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    topic_ids = {e["value"] for e in _all(client, q="")["facets"]["topic"]}
    topics = [t for row in rows for t in row["topics"].split("; ") if t]
    assert topics and not set(topics) & topic_ids, "topic ids in the CSV"
    assert "International cooperation" in topics
    assert all(re.match(r"https?://", row["url"]) for row in rows), [r["url"] for r in rows[:3]]
    assert any(row["url"].startswith("http://search.example.org/api/documents/") for row in rows)


def test_the_jsonl_export_keeps_ids_for_programs(client):
    response = client.get("/api/search/export", query_string={"q": "", "format": "jsonl", "topic": "transport"})
    assert "transport" in response.get_data(as_text=True)


def test_a_digit_group_of_a_longer_number_is_not_highlighted(client):
    snippets = [r["snippet"] for r in _all(client, q="1")["results"]]
    joined = " ".join(snippets)
    assert "1,171" in joined or "1.05" in joined, joined[:300]
    assert not re.search(r"<mark>1</mark>[,.]\d|\d[,.]<mark>1</mark>", joined), joined


def test_snippets_of_the_pdf_have_no_glued_korean_words_and_no_running_footer(client):
    body = _all(client, q="메트로폴리스 설립")
    pdf = [r for r in body["results"] if "seoul-policy-sharing-brochure" in r["id"]]
    assert pdf, [r["id"] for r in body["results"]]
    text = re.sub(r"</?mark>", "", pdf[0]["snippet"])
    assert "설립된메트로폴리스의" not in text and "설립된 메트로폴리스의" in text, text
    for query in ("solar panels", "Seoul Policy Sharing", "sharing city"):
        for r in _all(client, q=query)["results"]:
            assert not re.search(r"Seoul Policy Sharing · \d", re.sub(r"</?mark>", "", r["snippet"])), r


def test_the_pdf_pages_keep_their_words_apart(client):
    body = _all(client, q="설치되어 낮에는")
    texts = [re.sub(r"</?mark>", "", r["snippet"]) for r in body["results"]]
    assert any("설치되어 낮에는" in t for t in texts), texts


def test_the_admin_page_says_when_no_admin_token_is_configured(client, index_dir):
    page = client.get("/admin").get_data(as_text=True)
    assert "POLICY_SEARCH_ADMIN_TOKEN" in page and 'id="token-form"' not in page
    configured = create_app({"index": str(index_dir), "admin_token": "s3cret-token"}).test_client()
    page = configured.get("/admin").get_data(as_text=True)
    assert 'id="token-form"' in page and 'id="not-configured"' not in page


def test_the_widget_demo_snippet_is_complete_without_an_endpoint(client):
    page = client.get("/embed-demo").get_data(as_text=True)
    assert 'data-endpoint=""' not in page and 'src="/widget.js' not in page.split("<pre")[1].split("</pre>")[0]
    snippet = page.split('<pre id="embed-snippet">')[1].split("</pre>")[0]
    assert snippet.index("data-policy-search") < snippet.index("widget.js"), "the container comes first"
    assert re.search(r'data-endpoint="https://[^"]+"', snippet.replace("&#34;", '"')), snippet
    assert 'rel="icon"' in page
    assert "at  across" not in page and "at <code" not in page


def test_the_warm_up_searches_both_languages_and_records_nothing(index_dir):
    from search_api.warmup import QUERIES, warm_up

    app = create_app({"index": str(index_dir), "analytics_db": "off"})
    done = warm_up(app)
    assert [d["query"] for d in done] == list(QUERIES)
    assert all(d["total"] > 0 for d in done), done


def test_serve_warms_up_each_worker_before_it_answers():
    import inspect

    from search_api import cli

    assert "warm_up(app)" in inspect.getsource(cli.serve.callback)
