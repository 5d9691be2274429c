"""The embeddable widget on another origin: autocomplete by keyboard, sort, words-only switch, clicks."""
from __future__ import annotations

import json
import urllib.parse

SHADOW = "document.querySelector('[data-policy-search]').shadowRoot"


def open_widget(page, demo_server, api_server, lang="en"):
    page.goto(f"{demo_server.url}/embed-demo?endpoint={urllib.parse.quote(api_server.url)}&lang={lang}")
    widget = page.locator("[data-policy-search]")
    widget.locator("li.item").first.wait_for()
    return widget


def idle(page):
    page.wait_for_function(f"() => !{SHADOW}.querySelector('.ps').hasAttribute('aria-busy')")


def search(page, widget, q):
    """Type ``q`` in the widget's box, press Enter and wait for the results; return the box."""
    box = widget.get_by_role("combobox", name="Search city policies")
    box.fill(q)
    with page.expect_response(lambda r: "/api/search?" in r.url
                              and urllib.parse.parse_qs(urllib.parse.urlsplit(r.url).query).get("q") == [q]):
        box.press("Enter")
    idle(page)
    return box


def test_widget_autocomplete_answers_arrow_keys_and_enter(page, demo_server, api_server):
    widget = open_widget(page, demo_server, api_server)
    assert page.locator("script[src*='widget.js']").count() == 1  # still one script tag
    assert page.evaluate(f"!!{SHADOW}")
    box = widget.get_by_role("combobox", name="Search city policies")
    box.click()
    box.type("sha", delay=40)
    listbox = widget.get_by_role("listbox")
    listbox.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    options = listbox.get_by_role("option")
    assert options.count() >= 2
    suggested = [t.split("\n")[0] for t in options.all_inner_texts()]
    api = page.request.get(f"{api_server.url}/api/suggest?q=sha").json()
    assert suggested == [s["text"] for s in api["suggestions"][:6]]  # the same /api/suggest
    box.press("ArrowDown")
    box.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    assert active.endswith("-opt-1")
    assert widget.locator(f"#{active}").get_attribute("aria-selected") == "true"
    box.press("ArrowUp")
    assert box.get_attribute("aria-activedescendant").endswith("-opt-0")
    box.press("Escape")
    assert listbox.is_hidden() and box.get_attribute("aria-expanded") == "false"
    box.press("ArrowDown")  # reopens on the first option
    assert listbox.is_visible() and box.get_attribute("aria-activedescendant").endswith("-opt-0")
    with page.expect_request(lambda r: "/api/search?" in r.url and
                             urllib.parse.parse_qs(urllib.parse.urlsplit(r.url).query).get("q") == [suggested[0]]):
        box.press("Enter")
    idle(page)
    assert box.input_value() == suggested[0]
    assert listbox.is_hidden()
    assert widget.locator("li.item").count() >= 1


def test_widget_sort_and_words_only(page, demo_server, api_server):
    widget = open_widget(page, demo_server, api_server)
    search(page, widget, "seoul")
    assert widget.locator(".mean").count() == 0  # words hits carry no meaning mark
    with page.expect_request(lambda r: "/api/search?" in r.url and "sort=oldest" in r.url):
        widget.get_by_label("Sort").select_option("oldest")
    idle(page)
    dates = [m.split(" · ")[0] for m in widget.locator("li.item .meta").all_inner_texts()]
    dated = [d for d in dates if d[:1].isdigit()]
    assert dated == sorted(dated) and dated
    with page.expect_request(lambda r: "/api/search?" in r.url and "mode=lexical" in r.url and "sort=oldest" in r.url):
        widget.get_by_role("button", name="Words only").click()
    idle(page)
    assert widget.get_by_role("button", name="Words only").get_attribute("aria-pressed") == "true"
    assert widget.locator(".mean").count() == 0
    assert widget.locator("li.item").count() >= 1


def test_widget_reports_a_click_across_origins(page, demo_server, api_server):
    widget = open_widget(page, demo_server, api_server)
    search(page, widget, "rainwater")
    item = widget.locator("li.item").first
    result_id = item.get_attribute("data-id")
    with page.context.expect_page() as opened, \
            page.expect_request(lambda r: r.url == f"{api_server.url}/api/events" and r.method == "POST") as sent:
        item.locator("a.title").click()
    opened.value.close()
    event = json.loads(sent.value.post_data)
    assert event.pop("query_id")  # the search's token, sent back
    assert event == {"query": "rainwater", "id": result_id, "position": 1}


def test_widget_marks_meaning_hits(page, demo_server, api_server):
    """The widget marks exactly the hits the API found by meaning, as the staff page does."""
    api = page.request.get(f"{api_server.url}/api/search?q=bike+lanes&size=5").json()
    meaning = [r["id"] for r in api["results"] if r["match"] == "meaning"]
    assert meaning, "the fixture index should find a record by meaning for this query"
    widget = open_widget(page, demo_server, api_server)
    search(page, widget, "bike lanes")
    assert widget.locator("li.item:has(.mean)").count() == len(meaning)
    assert widget.locator("li.item .mean").first.text_content() == "Similar in meaning"
