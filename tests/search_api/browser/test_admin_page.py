"""The query analytics page (/admin) and click reporting, in Chromium against a real server."""
from __future__ import annotations

import json
import time
import urllib.request

import pytest

from tests.search_api.browser.conftest import Server

TOKEN = "admin-page-test-token"


@pytest.fixture()
def analytics_server(ui_index, tmp_path):
    """The app with an admin token and its own analytics file."""
    from search_api import create_app

    app = create_app({"index": str(ui_index), "admin_token": TOKEN, "analytics_db": str(tmp_path / "a.sqlite3")})
    with Server(app) as server:
        yield server


def report(server, expect, timeout: float = 10.0) -> dict:
    end = time.monotonic() + timeout
    while True:
        request = urllib.request.Request(f"{server.url}/api/admin/analytics",
                                         headers={"Authorization": f"Bearer {TOKEN}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = json.load(response)
        if expect(body) or time.monotonic() > end:
            return body
        time.sleep(0.05)


def wait_results(page):
    page.wait_for_function("() => !document.body.classList.contains('is-loading') && "
                           "document.querySelector('#status').textContent.length > 0")


def test_without_the_token_the_page_shows_only_the_token_form(page, analytics_server):
    calls: list[str] = []
    page.on("request", lambda r: "/api/" in r.url and calls.append(r.url))
    page.goto(f"{analytics_server.url}/admin")
    page.locator("#token").wait_for()
    assert page.locator("#token-form").is_visible()
    assert page.locator("#report").is_hidden()
    assert page.locator("#report table, #report svg").count() == 0
    assert calls == []  # nothing is asked of the API without a token
    page.locator("#token").fill("wrong-token")
    page.locator("#token-form button[type=submit]").click()
    page.locator("#token-error").wait_for()
    assert "not accepted" in page.locator("#token-error").inner_text()
    assert page.locator("#report").is_hidden() and page.locator("#report table").count() == 0
    assert page.evaluate("sessionStorage.length") == 0  # a refused token is not kept


def test_the_page_shows_searches_zero_results_and_clicks(page, analytics_server, screenshot):
    # a person searches twice on the staff page and clicks a result
    page.goto(f"{analytics_server.url}/?q=rainwater&ui_lang=en")
    wait_results(page)
    page.goto(f"{analytics_server.url}/?q=qqnothingqq&ui_lang=en")
    wait_results(page)
    page.goto(f"{analytics_server.url}/?q=rainwater&ui_lang=en")
    wait_results(page)
    link = page.locator("#results .result-title-link").first
    clicked_id = page.locator("#results .result").first.get_attribute("data-id")
    with page.expect_request(lambda r: r.url.endswith("/api/events") and r.method == "POST") as sent:
        link.click()
    event = json.loads(sent.value.post_data)
    assert event.pop("query_id")  # the search's token, sent back
    assert event == {"query": "rainwater", "id": clicked_id, "position": 1}
    assert "cookie" not in {k.lower() for k in sent.value.headers}
    report(analytics_server, lambda r: r["totals"]["clicks"] == 1 and r["totals"]["searches"] == 3)
    # the operator enters the token once
    page.goto(f"{analytics_server.url}/admin")
    page.locator("#token").fill(TOKEN)
    page.locator("#token-form button[type=submit]").click()
    page.locator("#report").wait_for()
    assert TOKEN not in page.url
    top = page.locator("#top tbody tr").evaluate_all("rows => rows.map(r => [...r.cells].map(c => c.textContent))")
    assert ["rainwater", "2", "0", "1"] in top and ["qqnothingqq", "1", "1", "0"] in top
    assert page.locator("#zero tbody th").all_inner_texts() == ["qqnothingqq"]
    assert page.locator("#clicks tbody tr").first.inner_text().split("\t")[:3] == ["rainwater", clicked_id, "1"]
    assert page.locator("#slow tbody tr").count() == 3
    assert page.locator("#trend svg rect.trend-zero").count() == 1
    screenshot(page, "admin-analytics")
    # kept for the tab's session: a reload shows the report without asking again
    page.reload()
    page.locator("#report").wait_for()
    assert page.locator("#token-form").is_hidden()
    assert page.evaluate("sessionStorage.getItem('policy-search.admin-token')") == TOKEN
    page.locator("#sign-out").click()
    assert page.locator("#token-form").is_visible() and page.locator("#report").is_hidden()
    assert page.evaluate("sessionStorage.length") == 0
