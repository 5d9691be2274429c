"""The staff page's results-over-time chart, export links and words-only switch, in Chromium."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import urllib.parse
import urllib.request

from tests.conftest import REPO_ROOT

DOCS_IMAGE = REPO_ROOT / "docs" / "images" / "staff-timeline.png"


def api(server, path: str, **params) -> dict:
    with urllib.request.urlopen(f"{server.url}{path}?{urllib.parse.urlencode(params, doseq=True)}", timeout=10) as r:
        return json.load(r)


def wait_results(page):
    page.wait_for_function("() => !document.body.classList.contains('is-loading') && "
                           "document.querySelector('#status').textContent.length > 0")


def shown_total(page) -> int:
    return int(page.locator("#status .status-count").get_attribute("data-total"))


def bars(page) -> dict[int, int]:
    return {int(b.get_attribute("data-year")): int(b.get_attribute("data-count"))
            for b in page.locator("#timeline .timeline-bar").all()}


def year_counts(body: dict) -> dict[int, int]:
    return {e["value"]: e["count"] for e in body["facets"]["year"] if e["value"] > 0}


def test_chart_shows_one_bar_per_year_and_filters_on_click(page, api_server, screenshot):
    expected = year_counts(api(api_server, "/api/search", q="seoul"))
    assert len(expected) >= 3
    page.goto(f"{api_server.url}/?q=seoul&ui_lang=en")
    wait_results(page)
    shown = bars(page)
    assert list(shown) == list(range(min(expected), max(expected) + 1))  # every year, in order
    assert shown == {year: expected.get(year, 0) for year in shown}  # the gaps are zero
    table = page.locator("#timeline table tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.cells].map(c => c.textContent).join(' '))")
    assert table == [f"{y} {c}" for y, c in shown.items()]  # the same numbers as a table
    page.locator("#timeline summary").click()
    assert page.locator("#timeline table").is_visible()
    busiest = max(expected, key=expected.get)
    page.locator(f"#timeline .timeline-bar[data-year='{busiest}']").click()
    page.wait_for_url(re.compile(f"year_from={busiest}&year_to={busiest}"))
    wait_results(page)
    assert shown_total(page) == expected[busiest]
    assert bars(page) == shown  # disjunctive: the chart keeps every year while one is chosen
    assert page.locator("#timeline .timeline-bar[aria-pressed=true]").count() == 1
    screenshot(page, "staff-timeline-year")
    # shift-click another bar: the range between the two
    first = min(expected)
    page.locator(f"#timeline .timeline-bar[data-year='{first}']").click(modifiers=["Shift"])
    page.wait_for_url(re.compile(f"year_from={first}&year_to={busiest}"))
    wait_results(page)
    assert shown_total(page) == sum(c for y, c in expected.items() if first <= y <= busiest)
    # clicking the only chosen year again clears it
    page.locator(f"#timeline .timeline-bar[data-year='{busiest}']").click()
    page.wait_for_url(re.compile(f"year_from={busiest}&year_to={busiest}"))
    wait_results(page)
    page.locator(f"#timeline .timeline-bar[data-year='{busiest}']").click()
    page.wait_for_function("() => !location.search.includes('year_from')")
    wait_results(page)
    assert shown_total(page) == api(api_server, "/api/search", q="seoul")["total"]


def test_chart_range_by_dragging_and_by_keyboard(page, api_server):
    expected = year_counts(api(api_server, "/api/search", q="seoul"))
    years = sorted(expected)
    low, high = years[0], years[-1]
    page.goto(f"{api_server.url}/?q=seoul&ui_lang=en")
    wait_results(page)
    start = page.locator(f"#timeline .timeline-bar[data-year='{low}'] .timeline-rect").bounding_box()
    end = page.locator(f"#timeline .timeline-bar[data-year='{high}'] .timeline-rect").bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=8)
    page.mouse.up()
    page.wait_for_url(re.compile(f"year_from={low}&year_to={high}"))
    wait_results(page)
    assert shown_total(page) == sum(expected.values())
    # keyboard: Tab reaches the chart, arrows move, Shift+arrows extend, Enter applies
    page.goto(f"{api_server.url}/?q=seoul&ui_lang=en")
    wait_results(page)
    last = page.locator("#timeline .timeline-bar[tabindex='0']")
    assert last.get_attribute("data-year") == str(high)
    last.focus()
    page.keyboard.press("ArrowLeft")
    focused = int(page.evaluate("document.activeElement.getAttribute('data-year')"))
    assert focused == high - 1
    page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(f"year_from={high - 2}&year_to={high - 1}"))
    wait_results(page)
    assert shown_total(page) == expected.get(high - 2, 0) + expected.get(high - 1, 0)
    # keyboard focus stays on the chart after it is redrawn, so the next key still works
    assert page.evaluate("document.activeElement.getAttribute('data-year')") == str(high - 2)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(f"year_from={high - 1}&year_to={high - 1}"))
    wait_results(page)
    assert shown_total(page) == expected.get(high - 1, 0)
    # the URL keeps the range: a reload shows the same selection
    page.goto(f"{api_server.url}/?q=seoul&year_from={low}&year_to={low}&ui_lang=en")
    wait_results(page)
    assert page.locator("#timeline .timeline-bar[aria-pressed=true]").get_attribute("data-year") == str(low)


def test_chart_speaks_korean(page, api_server):
    page.goto(f"{api_server.url}/?q=seoul&ui_lang=ko")
    wait_results(page)
    assert page.locator("#timeline h3").inner_text() == "연도별 검색 결과"
    label = page.locator("#timeline .timeline-bar").first.get_attribute("aria-label")
    assert re.fullmatch(r"\d{4}년: 문서 \d+건", label)
    assert page.locator("#timeline summary").inner_text() == "표로 보기"
    assert page.locator("#timeline svg").get_attribute("role") == "group"


def test_export_button_downloads_every_result(page, api_server):
    body = api(api_server, "/api/search", city="Seoul", ui_lang="ko")
    page.goto(f"{api_server.url}/?city=Seoul&ui_lang=ko")
    wait_results(page)
    with page.expect_download() as info:
        page.locator("#export-csv").click()
    download = info.value
    text = open(download.path(), encoding="utf-8").read()
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert len(rows) == body["total"] > body["size"]
    assert all("Seoul" in row["cities"].split("; ") for row in rows)
    assert any(re.search("[가-힣]", row["title"]) for row in rows)  # Korean text survives the download
    assert download.suggested_filename.endswith(".csv")


def test_words_only_switch_sends_mode_lexical_and_no_meaning_mark_on_words_hits(page, api_server):
    page.goto(f"{api_server.url}/?q=seoul&ui_lang=en")
    wait_results(page)
    assert page.locator("#results .result").count() > 0
    assert page.locator("#results .badge-meaning").count() == 0  # no result says match: "meaning"
    with page.expect_request(lambda r: "/api/search?" in r.url and "mode=lexical" in r.url):
        page.get_by_label("Words only").check()
    page.wait_for_url(re.compile("mode=lexical"))
    wait_results(page)
    assert page.locator("#results .badge-meaning").count() == 0
    assert "mode=lexical" in page.locator("#export-csv").get_attribute("href")
    page.reload()
    wait_results(page)
    assert page.get_by_label("Words only").is_checked()
    with page.expect_request(lambda r: "/api/search?" in r.url and "mode=" not in r.url):
        page.get_by_label("Words only").uncheck()


def test_readme_screenshot(browser, api_server):
    """The README's picture of the page with the chart (a small palette PNG under docs/images)."""
    from PIL import Image

    context = browser.new_context(viewport={"width": 1100, "height": 760}, locale="ko-KR")
    page = context.new_page()
    try:
        page.goto(f"{api_server.url}/?q=seoul&year_from=2019&year_to=2020&ui_lang=ko")
        wait_results(page)
        page.locator("#timeline .timeline-bar").first.wait_for()
        shot = REPO_ROOT / "test-artifacts" / "screenshots" / "staff-timeline.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot))
    finally:
        context.close()
    small = shot.with_name("staff-timeline-small.png")
    Image.open(shot).convert("RGB").quantize(colors=64).save(small, optimize=True)
    assert small.stat().st_size < 120_000
    if os.environ.get("POLICY_SEARCH_UPDATE_DOCS_IMAGES") == "1":
        DOCS_IMAGE.parent.mkdir(parents=True, exist_ok=True)
        DOCS_IMAGE.write_bytes(small.read_bytes())


def test_chart_answers_a_tap_on_a_touch_screen(browser, api_server):
    expected = year_counts(api(api_server, "/api/search", q="seoul"))
    year = max(expected, key=expected.get)
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(f"{api_server.url}/?q=seoul&ui_lang=ko")
        wait_results(page)
        page.locator(f"#timeline .timeline-bar[data-year='{year}'] .timeline-rect").tap()
        page.wait_for_url(re.compile(f"year_from={year}&year_to={year}"))
        wait_results(page)
        assert shown_total(page) == expected[year]
    finally:
        context.close()


def test_meaning_hits_carry_the_mark_and_words_only_drops_them(page, api_server):
    """A hit found by meaning (the API says ``match: "meaning"``) shows the mark; words hits do not."""
    import requests

    q = "bike lanes"
    api = requests.get(f"{api_server.url}/api/search", params={"q": q}, timeout=30).json()
    meaning_ids = [r["id"] for r in api["results"] if r["match"] == "meaning"]
    assert meaning_ids, "the fixture index should find a record by meaning for this query"
    page.goto(f"{api_server.url}/?q={q.replace(' ', '+')}&ui_lang=en")
    wait_results(page)
    marked = page.locator("#results .result:has(.badge-meaning)")
    assert marked.count() == len(meaning_ids)
    assert page.locator("#results .badge-meaning").first.text_content() == "Similar in meaning"
    page.get_by_label("Words only").check()
    page.wait_for_url(re.compile("mode=lexical"))
    wait_results(page)
    assert page.locator("#results .badge-meaning").count() == 0
