"""What a first-time user meets in the staff page and the widget demo (issue 20), in Chromium."""
from __future__ import annotations

import urllib.parse

from tests.search_api.browser.test_ui import wait_results

PARAGRAPH = ("Seoul shares its policies with partner cities through training programmes for public officials. " * 6
             ).strip() + " final-word-kept"


def test_the_page_searches_a_pasted_paragraph_whole_and_quotes_it_short(page, api_server):
    assert len(PARAGRAPH) > 540
    page.goto(api_server.url + "/?ui_lang=en")
    wait_results(page)
    page.fill("#q", PARAGRAPH)
    assert page.input_value("#q") == PARAGRAPH, "the search box cut the paragraph"
    page.press("#q", "Enter")
    wait_results(page)
    assert urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)["q"][0] == PARAGRAPH
    status = page.text_content("#status .status-count")
    assert "final-word-kept" not in status and "…" in status and len(status) < 120, status
    toolbar = page.locator(".results-toolbar").bounding_box()
    assert toolbar["height"] < 160, f"the toolbar grew into a column {toolbar}"


def test_a_page_past_the_end_shows_the_last_page_not_a_contradiction(page, api_server):
    page.goto(api_server.url + "/?q=seoul&page=999&ui_lang=en")
    wait_results(page)
    page.wait_for_function("() => document.querySelectorAll('#results .result').length > 0")
    assert page.locator("#empty").is_hidden()
    page_of = page.text_content(".page-of")
    n, total = [int(x) for x in page_of.replace("Page", "").split("of")]
    assert n == total, page_of
    assert f"page={total}" in page.url or total == 1


def test_one_year_is_one_slim_bar_not_the_whole_chart(page, api_server):
    page.goto(api_server.url + "/?q=market+analysis+buenos&ui_lang=en")  # one article, of 2017
    wait_results(page)
    bars = page.locator("#timeline .timeline-rect")
    assert bars.count() == 1
    chart = page.locator("#timeline svg.timeline-chart").bounding_box()
    bar = bars.first.bounding_box()
    assert bar["width"] < chart["width"] / 3, (bar, chart)


def test_no_separator_dot_before_a_badge(page, api_server):
    page.goto(api_server.url + "/?q=seoul&ui_lang=en")
    wait_results(page)
    dots = page.evaluate("""() => Array.from(document.querySelectorAll('.result-meta > .badge')).map(
        b => getComputedStyle(b, '::before').content)""")
    assert dots and all(d in ("none", "normal", '""') for d in dots), dots


def test_cards_and_the_facet_name_a_bilingual_document_alike(page, api_server):
    page.goto(api_server.url + "/?q=sharing+city&ui_lang=en")
    wait_results(page)
    facet = page.locator("[data-facet=lang] .facet-name").all_text_contents()
    cards = page.locator(".meta-lang").all_text_contents()
    assert "Korean & English" in facet and "Korean & English" in cards and "Mixed" not in facet


def test_a_title_only_listing_says_so_under_its_title(page, api_server):
    page.goto(api_server.url + "/?q=" + urllib.parse.quote("Seoul Public Transportation Brochure") + "&ui_lang=en")
    wait_results(page)
    card = page.locator(".result", has=page.locator(".result-title", has_text="Seoul Public Transportation"))
    assert card.count() >= 1
    assert card.first.locator(".result-snippet").text_content().strip(), "nothing under the title"


def test_the_widget_demo_without_endpoint_has_a_usable_snippet_favicon_and_fits_390px(browser, api_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ko-KR")
    try:
        page = context.new_page()
        missing = []
        page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
        page.goto(api_server.url + "/embed-demo")
        page.wait_for_function("() => document.querySelector('[data-policy-search]').shadowRoot")
        snippet = page.text_content("#embed-snippet")
        assert 'data-endpoint=""' not in snippet and snippet.index("data-policy-search") < snippet.index("<script")
        assert "  across" not in page.text_content("article p")
        assert not missing, missing
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"the demo page is {width} px wide at 390 px"
        box = page.locator("[data-policy-search]").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    finally:
        context.close()
