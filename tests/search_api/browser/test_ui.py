"""The staff search page and the embeddable widget, in a real browser against a real server."""
from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request

import pytest

KOREAN_TITLE = "공유도시(Sharing City) 서울은?"
XSS = "<img src=x onerror=window.__xss=1>"


def api(server, path: str, **params) -> dict:
    query = urllib.parse.urlencode(params, doseq=True)
    with urllib.request.urlopen(f"{server.url}{path}?{query}", timeout=10) as response:
        return json.load(response)


def facet_count(body: dict, facet: str, value) -> int:
    return next(e["count"] for e in body["facets"][facet] if e["value"] == value)


def wait_results(page):
    """Wait until the page has drawn the answer to its latest request."""
    page.wait_for_function("() => !document.body.classList.contains('is-loading') && "
                           "document.querySelector('#status').textContent.length > 0")


def result_titles(page) -> list[str]:
    return page.locator("#results .result-title").all_inner_texts()


def shown_total(page) -> int:
    count = page.locator("#status .status-count")
    text = count.inner_text()
    total = int(count.get_attribute("data-total"))
    assert f"{total:,}" in text  # the number a person reads
    return total


def test_korean_query_finds_the_korean_record(page, api_server, screenshot):
    page.goto(f"{api_server.url}/?ui_lang=ko")
    wait_results(page)
    box = page.get_by_role("combobox", name="정책 문서 검색")
    box.click()
    box.type("공유도시", delay=30)
    box.press("Enter")
    page.wait_for_url(re.compile(r"q=%EA%B3%B5%EC%9C%A0%EB%8F%84%EC%8B%9C"))
    wait_results(page)
    assert KOREAN_TITLE in result_titles(page)
    assert page.locator("#results mark", has_text="공유도시").count() >= 1
    assert page.locator("html").get_attribute("lang") == "ko"
    assert "검색 결과" in page.locator("#status").inner_text()
    screenshot(page, "staff-korean-query")


def test_ime_composition_searches_only_when_committed(page, api_server):
    """Composing 공유 jamo by jamo through Chromium's IME must not fire a search per jamo."""
    page.goto(f"{api_server.url}/?ui_lang=ko")
    wait_results(page)
    searches: list[str] = []
    page.on("request", lambda r: "/api/search" in r.url and searches.append(r.url))
    page.locator("#q").click()
    cdp = page.context.new_cdp_session(page)
    for partial in ["ㄱ", "고", "공", "공ㅇ", "공유"]:
        cdp.send("Input.imeSetComposition", {"text": partial, "selectionStart": len(partial), "selectionEnd": len(partial)})
        page.wait_for_timeout(120)
    page.wait_for_timeout(500)  # longer than the debounce: still composing, so nothing was sent
    assert searches == []
    cdp.send("Input.insertText", {"text": "공유"})  # the IME commits
    page.wait_for_url(re.compile(r"q=%EA%B3%B5%EC%9C%A0"))
    wait_results(page)
    assert len(searches) == 1 and "q=%EA%B3%B5%EC%9C%A0" in searches[0]


def test_english_query_and_seoul_facet_matches_the_api(page, api_server, screenshot):
    page.goto(f"{api_server.url}/?ui_lang=en")
    wait_results(page)
    page.get_by_role("combobox", name="Search policy documents").fill("city")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r"q=city"))
    wait_results(page)
    expected = api(api_server, "/api/search", q="city")
    seoul = facet_count(expected, "city", "Seoul")
    assert shown_total(page) == expected["total"]
    label = page.locator("[data-facet=city] .facet-item", has=page.locator("[data-value=Seoul]"))
    assert label.locator(".facet-count").inner_text() == str(seoul)
    screenshot(page, "staff-english-query")
    label.locator("label").click()
    page.wait_for_url(re.compile(r"city=Seoul"))
    wait_results(page)
    filtered = api(api_server, "/api/search", q="city", city="Seoul")
    assert shown_total(page) == seoul == filtered["total"]
    assert filtered["total"] < expected["total"]  # the facet narrowed the results
    assert page.locator("#chips .chip", has_text="Seoul").is_visible()
    assert page.locator("[data-value=Seoul]").is_checked()
    # the other facets' counts are now those of the filtered search
    for entry in filtered["facets"]["topic"][:3]:
        item = page.locator("[data-facet=topic] .facet-item", has=page.locator(f"[data-value='{entry['value']}']"))
        assert item.locator(".facet-count").inner_text() == str(entry["count"])
    screenshot(page, "staff-english-seoul-filter")


def test_seoul_facet_changes_counts_and_results(page, api_server):
    """With Cairo chosen, adding Seoul (OR within the city facet) widens the results to its count."""
    page.goto(f"{api_server.url}/?size=100&city=Cairo")
    wait_results(page)
    cairo = api(api_server, "/api/search", size=100, city="Cairo")
    assert page.locator("#results > li").count() == cairo["total"]
    seoul = facet_count(cairo, "city", "Seoul")  # disjunctive: as if Seoul were added
    assert seoul != cairo["total"]
    seoul_item = page.locator("[data-facet=city] .facet-item", has=page.locator("[data-value=Seoul]"))
    assert seoul_item.locator(".facet-count").inner_text() == str(seoul)
    topic_before = page.locator("[data-facet=topic] .facet-count").all_inner_texts()
    seoul_item.locator("label").click()
    page.wait_for_url(re.compile(r"city=Cairo&city=Seoul"))
    wait_results(page)
    both = api(api_server, "/api/search", size=100, city=["Cairo", "Seoul"])
    assert shown_total(page) == seoul == both["total"]
    assert page.locator("#results > li").count() == seoul
    assert page.locator("[data-facet=topic] .facet-count").all_inner_texts() != topic_before
    assert page.locator("#chips .chip").count() == 2
    # removing the Seoul chip goes back to Cairo's results
    page.locator("#chips .chip", has_text="Seoul").click()
    page.wait_for_function("() => !location.search.includes('city=Seoul')")
    wait_results(page)
    assert page.locator("#results > li").count() == cairo["total"]


def test_paging_sort_and_history(page, api_server, screenshot):
    page.goto(f"{api_server.url}/?size=3&sort=newest")
    wait_results(page)
    total = api(api_server, "/api/search", size=3)["total"]
    pages = -(-total // 3)
    assert pages >= 3
    first = result_titles(page)
    assert len(first) == 3
    assert page.locator("#sort").input_value() == "newest"
    page.get_by_role("link", name="Next").click()
    page.wait_for_url(re.compile(r"page=2"))
    wait_results(page)
    second = result_titles(page)
    assert second and second != first
    assert page.locator("#pagination [aria-current=page]").inner_text() == "2"
    expected = [r["title"] for r in api(api_server, "/api/search", size=3, page=2, sort="newest")["results"]]
    assert second == expected
    page.get_by_role("link", name=f"Page {pages}").click()
    page.wait_for_url(re.compile(rf"page={pages}"))
    wait_results(page)
    screenshot(page, "staff-last-page")
    page.go_back()
    page.wait_for_url(re.compile(r"page=2"))
    wait_results(page)
    assert result_titles(page) == second
    page.go_back()
    wait_results(page)
    assert "page=" not in page.url
    assert result_titles(page) == first
    page.go_forward()
    page.wait_for_url(re.compile(r"page=2"))
    wait_results(page)
    assert result_titles(page) == second
    # a bookmarked URL restores the same search in a fresh page
    fresh = page.context.new_page()
    fresh.goto(page.url)
    wait_results(fresh)
    assert result_titles(fresh) == second
    # sort: oldest first reorders
    page.select_option("#sort", "oldest")
    page.wait_for_url(re.compile(r"sort=oldest"))
    wait_results(page)
    oldest = [r["title"] for r in api(api_server, "/api/search", size=3, sort="oldest")["results"]]
    assert result_titles(page) == oldest


def test_pdf_result_opens_the_source_at_its_page(page, api_server):
    page.goto(f"{api_server.url}/?q=climate&type=brochure")
    wait_results(page)
    link = page.locator("#results a.source-link.is-pdf").first
    href = link.get_attribute("href")
    assert href.endswith("/source#page=2"), href  # the brochure's page that matches
    assert "PDF" in link.inner_text() and "2" in link.inner_text()
    response = page.context.request.get(href)
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.body()[:5] == b"%PDF-"
    # a text source link opens in the browser as plain text
    page.goto(f"{api_server.url}/?q=sharing")
    wait_results(page)
    text_link = page.locator("#results a.source-link:not(.is-pdf)").first
    with page.expect_navigation():
        text_link.click()
    assert page.evaluate("document.contentType") == "text/plain"


def test_a_long_documents_further_matching_pages_link_to_their_pages(page, api_server):
    # "Seoul" is on every page of the five-page brochure: the hit links to its best page and
    # lists the other matching pages (the API's passages), each linking to its own page
    body = api(api_server, "/api/search", q="Seoul", type="brochure", mode="lexical")
    hit = body["results"][0]
    further = [p for p in hit.get("passages", []) if p.get("page")]
    assert further, hit  # the brochure has more than one matching page
    page.goto(f"{api_server.url}/?q=Seoul&type=brochure&mode=lexical")
    wait_results(page)
    first = page.locator("#results > li").first
    links = first.locator(".inner-hits a.inner-hit-link")
    assert links.count() == len(further)
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs == [urllib.parse.urljoin(api_server.url, p["url"]) for p in further]
    shown = [int(n) for n in first.locator(".inner-hit").evaluate_all("els => els.map(e => e.dataset.page)")]
    assert shown == [p["page"] for p in further]
    for i, (href, number) in enumerate(zip(hrefs, shown)):
        assert href.endswith(f"/source#page={number}"), href
        assert str(number) in links.nth(i).inner_text()
    assert hit["page"] not in shown  # the main link's page is not listed again
    assert first.locator(".inner-hit-snippet mark").count() >= 1  # each page's own highlighted words
    response = page.context.request.get(hrefs[0])
    assert response.ok and response.body()[:5] == b"%PDF-"


def test_did_you_mean_and_empty_state(page, api_server, screenshot):
    # a typo no record has a word or a close meaning for: the empty state and the respelling
    page.goto(f"{api_server.url}/?q=sharng")
    wait_results(page)
    assert page.locator("#empty").is_visible()
    assert "closest in meaning" not in page.locator("#notice").inner_text()
    link = page.locator("#notice a.dym-link")
    assert link.inner_text() == "sharing"
    screenshot(page, "staff-did-you-mean")
    link.click()
    page.wait_for_url(re.compile(r"q=sharing"))
    wait_results(page)
    assert len(result_titles(page)) > 0
    assert page.locator("#empty").is_hidden()


def test_error_state(page, api_server, screenshot):
    page.route("**/api/search?*", lambda route: route.fulfill(status=503, content_type="application/json",
               body='{"error": {"code": "unavailable", "message": "index is reloading"}}'))
    page.goto(f"{api_server.url}/?q=seoul")
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "index is reloading" in alert.inner_text()
    screenshot(page, "staff-error")
    page.unroute("**/api/search?*")
    alert.get_by_role("button").click()
    wait_results(page)
    assert page.locator("#error").is_hidden()
    assert len(result_titles(page)) > 0


def test_autocomplete_keyboard(page, api_server, screenshot):
    page.goto(f"{api_server.url}/?ui_lang=en")
    wait_results(page)
    box = page.locator("#q")
    box.click()
    box.type("sha", delay=40)
    listbox = page.get_by_role("listbox")
    listbox.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    options = listbox.get_by_role("option")
    assert options.count() >= 2
    screenshot(page, "staff-autocomplete", full_page=False)
    box.press("ArrowDown")
    box.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    assert active == "suggestion-1"
    assert page.locator("#suggestion-1").get_attribute("aria-selected") == "true"
    box.press("ArrowUp")
    assert box.get_attribute("aria-activedescendant") == "suggestion-0"
    picked = page.locator("#suggestion-0 .suggestion-text").inner_text()
    box.press("Escape")
    assert listbox.is_hidden() and box.get_attribute("aria-expanded") == "false"
    box.press("ArrowDown")  # reopens
    assert listbox.is_visible()
    box.press("Enter")
    page.wait_for_url(re.compile("q=" + re.escape(urllib.parse.quote_plus(picked))))
    wait_results(page)
    assert box.input_value() == picked
    assert listbox.is_hidden()


def test_interface_language_switch(page, api_server, screenshot):
    page.goto(f"{api_server.url}/?q=seoul&ui_lang=en")
    wait_results(page)
    assert page.locator("#filters-heading").inner_text() == "Filters"
    page.get_by_role("button", name="한국어").click()
    page.wait_for_url(re.compile(r"ui_lang=ko"))
    wait_results(page)
    assert page.locator("#filters-heading").inner_text() == "필터"
    assert page.locator("[data-facet=city] .facet-title").inner_text() == "도시"
    assert page.evaluate("localStorage.getItem('policy-search.ui_lang')") == "ko"
    assert page.get_by_role("button", name="한국어").get_attribute("aria-pressed") == "true"
    # the stored choice is the default of a URL without ui_lang
    page.goto(f"{api_server.url}/?q=seoul")
    wait_results(page)
    assert page.locator("html").get_attribute("lang") == "ko"
    screenshot(page, "staff-korean-ui")


def test_default_language_follows_the_browser(browser, api_server):
    context = browser.new_context(locale="ko-KR")
    try:
        page = context.new_page()
        page.goto(api_server.url)
        wait_results(page)
        assert page.locator("html").get_attribute("lang") == "ko"
        assert page.locator("#filters-heading").inner_text() == "필터"
    finally:
        context.close()


def test_markup_in_queries_never_runs(page, api_server):
    page.goto(api_server.url)
    wait_results(page)
    page.locator("#q").fill(XSS)
    page.locator("#q").press("Enter")
    page.wait_for_url(re.compile(r"q=%3Cimg"))
    wait_results(page)
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
    assert page.locator("main img").count() == 0
    assert XSS in page.locator("#status").inner_text()  # shown as text
    # straight from a shared URL too
    page.goto(f"{api_server.url}/?q={urllib.parse.quote(XSS)}&city={urllib.parse.quote('<b>x</b>')}")
    wait_results(page)
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
    assert page.locator("main img, main b").count() == 0


def test_accessibility_basics(page, api_server):
    page.goto(f"{api_server.url}/?q=seoul")
    wait_results(page)
    for role in ("banner", "search", "main", "complementary", "contentinfo"):
        assert page.get_by_role(role).count() >= 1, role
    assert page.locator("#status").get_attribute("aria-live") == "polite"
    assert page.get_by_label("Sort by").count() == 1
    # keyboard: the skip link comes first, then the language switch and the search box
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    order = []
    for _ in range(5):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()"))
    assert order.index("q") < order.index("Search")
    # visible focus: a focused facet checkbox outlines its label
    page.locator("[data-facet=city] .facet-input").first.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement.nextElementSibling).outlineStyle")
    assert outline == "solid"
    # WCAG AA contrast of every visible text element against its effective background
    failures = page.evaluate("""() => {
      const parse = c => { const m = c.match(/[\\d.]+/g).map(Number); return {r:m[0], g:m[1], b:m[2], a: m.length > 3 ? m[3] : 1}; };
      const lum = ({r,g,b}) => { const f = v => { v /= 255; return v <= 0.03928 ? v/12.92 : Math.pow((v+0.055)/1.055, 2.4); };
        return 0.2126*f(r) + 0.7152*f(g) + 0.0722*f(b); };
      const bg = el => { for (let n = el; n; n = n.parentElement) { const c = parse(getComputedStyle(n).backgroundColor);
        if (c.a > 0.5) return c; } return {r:255,g:255,b:255,a:1}; };
      const bad = [];
      for (const el of document.querySelectorAll('body *')) {
        if (![...el.childNodes].some(n => n.nodeType === 3 && n.nodeValue.trim())) continue;
        const r = el.getBoundingClientRect(); if (!r.width || !r.height) continue;
        const cs = getComputedStyle(el); if (cs.visibility === 'hidden' || el.closest('[hidden], .visually-hidden')) continue;
        const L1 = lum(parse(cs.color)), L2 = lum(bg(el));
        const ratio = (Math.max(L1, L2) + 0.05) / (Math.min(L1, L2) + 0.05);
        const large = parseFloat(cs.fontSize) >= 24 || (parseFloat(cs.fontSize) >= 18.66 && +cs.fontWeight >= 700);
        if (ratio < (large ? 3 : 4.5)) bad.push(el.tagName + '.' + el.className + ' ' + ratio.toFixed(2));
      }
      return bad;
    }""")
    assert failures == []


def test_responsive_layout(browser, api_server, screenshot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ko-KR", device_scale_factor=1)
    try:
        page = context.new_page()
        page.goto(f"{api_server.url}/?q=공유도시")
        wait_results(page)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        toggle = page.locator("#filter-toggle")
        assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
        assert page.locator("#facets").is_hidden()  # results come first on a phone
        screenshot(page, "staff-mobile")
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true" and page.locator("#facets").is_visible()
        screenshot(page, "staff-mobile-filters", full_page=False)
    finally:
        context.close()


# ---------------------------------------------------------------- widget


def open_widget(page, demo_server, api_server, lang="ko"):
    assert demo_server.url != api_server.url
    page.goto(f"{demo_server.url}/embed-demo?endpoint={urllib.parse.quote(api_server.url)}&lang={lang}")
    widget = page.locator("[data-policy-search]")
    widget.locator("li.item").first.wait_for()
    return widget


def widget_search(page, widget, text):
    box = widget.locator("input[type=search]")
    box.fill(text)
    with page.expect_response(lambda r: "/api/search" in r.url):
        box.press("Enter")
    page.wait_for_function("() => !document.querySelector('[data-policy-search]').shadowRoot"
                           ".querySelector('.ps').hasAttribute('aria-busy')")


def test_widget_on_another_origin(page, demo_server, api_server, screenshot):
    calls: list[str] = []
    page.on("request", lambda r: "/api/" in r.url and calls.append(r.url))
    widget = open_widget(page, demo_server, api_server)
    assert page.evaluate("!!document.querySelector('[data-policy-search]').shadowRoot")
    widget_search(page, widget, "공유도시")
    titles = widget.locator("li.item .title").all_inner_texts()
    assert KOREAN_TITLE in titles
    assert calls and all(c.startswith(api_server.url + "/api/") for c in calls)
    assert not page.url.startswith(api_server.url)
    # the host's styles (serif fonts, red links, dotted inputs) stay out of the widget
    title_style = widget.locator("li.item .title").first.evaluate(
        "e => [getComputedStyle(e).color, getComputedStyle(e).fontFamily]")
    assert title_style[0] == "rgb(24, 73, 169)" and "Georgia" not in title_style[1]
    assert widget.locator("input").evaluate("e => getComputedStyle(e).borderStyle") == "solid"
    # and the widget's styles stay out of the host page
    assert page.locator("aside li").first.evaluate("e => getComputedStyle(e).color") == "rgb(138, 59, 18)"
    screenshot(page, "widget-demo-cross-origin")
    # a facet narrows the results
    widget_search(page, widget, "city")
    before = widget.locator(".status").inner_text()
    chip = widget.locator("button.fchip[data-facet=type]").first
    chip_count = int(chip.locator(".n").inner_text())
    chip.click()
    # a response still in flight for the typed query may land first: wait for the filtered count
    page.wait_for_function(f"() => (document.querySelector('[data-policy-search]').shadowRoot"
                           f".querySelector('.status').textContent.match(/\\d+/g) || [])"
                           f".includes({json.dumps(str(chip_count))})")
    assert widget.locator(".status").inner_text() != before
    assert str(chip_count) in widget.locator(".status").inner_text()
    assert widget.locator("button.fchip[aria-pressed=true]").count() == 1
    # paging
    widget_search(page, widget, "")
    assert widget.locator("li.item").count() == 5
    first = widget.locator("li.item .title").first.inner_text()
    widget.locator("nav.pager button.next").click()
    page.wait_for_function(f"() => document.querySelector('[data-policy-search]').shadowRoot"
                           f".querySelector('li.item .title').textContent !== {json.dumps(first)}")


def test_widget_survives_a_hostile_stylesheet(page, demo_server, api_server, screenshot):
    widget = open_widget(page, demo_server, api_server, lang="en")
    page.add_style_tag(content="* { display: inline !important; color: transparent !important; "
                               "font-size: 4px !important; visibility: visible !important } "
                               "li { display: none !important } div { width: 10px !important; overflow: hidden !important }")
    widget_search(page, widget, "sharing")
    items = widget.locator("li.item")
    assert items.count() >= 3
    for i in range(items.count()):
        item = items.nth(i)
        style = item.evaluate("e => { const s = getComputedStyle(e); return [s.display, s.visibility, s.color, s.fontSize]; }")
        assert style[0] != "inline" and style[0] != "none", style
        assert style[1] == "visible" and style[2] != "rgba(0, 0, 0, 0)" and style[3] != "4px", style
        title_color = item.locator(".title").evaluate("e => getComputedStyle(e).color")
        assert title_color not in ("rgba(0, 0, 0, 0)", "transparent")
        box = item.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 20, box
    # the first item is what is actually painted at its own centre
    hit = items.first.evaluate("""e => { const r = e.getBoundingClientRect(); const root = e.getRootNode();
        const top = root.elementFromPoint(r.left + r.width / 2, r.top + 8); return !!top && e.contains(top); }""")
    assert hit
    screenshot(page, "widget-hostile-stylesheet")


def test_widget_markup_in_queries_never_runs(page, demo_server, api_server):
    widget = open_widget(page, demo_server, api_server, lang="en")
    widget_search(page, widget, XSS)
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
    assert widget.locator("img").count() == 0


def test_embed_demo_rejects_a_foreign_script_host(api_server):
    url = f"{api_server.url}/embed-demo?endpoint={urllib.parse.quote('https://evil.example')}"
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(url, timeout=10)
    assert err.value.code == 400
