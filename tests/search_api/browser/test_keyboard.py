"""What axe cannot see, checked in Chromium: keyboard-only use in a sensible order with visible
focus, the suggestion list and result counts announced, ``lang`` on document text, the chart
operable without a mouse and described, and no horizontal scrolling at 320 px or 200 % zoom."""
from __future__ import annotations

import re

import pytest

from tests.search_api.browser.test_ui import wait_results

#: Focusable controls a keyboard user must reach, visible ones only (a roving chart bar counts once).
CONTROLS = ("a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select, summary, "
            "[tabindex='0']")

#: Whether the focused element shows where focus is: its own outline or box-shadow, or the ring a
#: control draws for it (the search box's border, a visually hidden checkbox's label, a chart bar's hit area).
FOCUS_SHOWN = """(el) => {
  const s = getComputedStyle(el);
  if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) return true;
  if (s.boxShadow && s.boxShadow !== 'none') return true;
  if (el.id === 'q') return s.borderColor !== getComputedStyle(document.querySelector('.search-button')).color;
  if (el.classList.contains('facet-input')) {
    const l = getComputedStyle(el.nextElementSibling); return l.outlineStyle !== 'none';
  }
  const hit = el.querySelector && el.querySelector('.timeline-hit');
  if (hit) return getComputedStyle(hit).stroke !== 'none';
  return false;
}"""

REACHABLE = """(sel) => Array.from(document.querySelectorAll(sel)).filter(el =>
  !el.closest('[hidden]') && el.getClientRects().length > 0 && el.tabIndex >= 0 &&
  (el.classList.contains('facet-input') || getComputedStyle(el).visibility !== 'hidden'))
  .map(el => el.dataset.kbd || (el.dataset.kbd = 'k' + Math.random().toString(36).slice(2)))"""


def tab_through(page, limit: int = 250) -> list[dict]:
    """Press Tab until focus comes back to where it started; what got focus, in order."""
    seen: list[dict] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = page.evaluate("""(shown) => { const el = document.activeElement;
          if (!el || el === document.body) return null;
          el.dataset.kbd = el.dataset.kbd || ('k' + Math.random().toString(36).slice(2));
          return { key: el.dataset.kbd, tag: el.tagName, id: el.id, text: (el.textContent || el.value || '').trim().slice(0, 40),
                   shown: (0, eval)('(' + shown + ')')(el) }; }""", FOCUS_SHOWN)
        if info is None or (seen and info["key"] == seen[0]["key"]):
            break
        seen.append(info)
    return seen


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_control_is_reached_by_tab_in_page_order_with_visible_focus(page, api_server, lang):
    page.goto(f"{api_server.url}/?ui_lang={lang}&q=seoul")
    wait_results(page)
    expected = page.evaluate(REACHABLE, CONTROLS)
    order = tab_through(page)
    keys = [o["key"] for o in order]
    missing = [k for k in expected if k not in keys]
    assert not missing, page.evaluate("(ks) => ks.map(k => document.querySelector(`[data-kbd=${k}]`).outerHTML.slice(0, 120))", missing)
    in_dom_order = page.evaluate("""(ks) => ks.every((k, i) => i === 0 ||
        (document.querySelector(`[data-kbd=${ks[i-1]}]`).compareDocumentPosition(document.querySelector(`[data-kbd=${k}]`))
         & Node.DOCUMENT_POSITION_FOLLOWING))""", keys)
    assert in_dom_order, [f"{o['tag']}#{o['id']} {o['text']}" for o in order]
    hidden_focus = [f"{o['tag']}#{o['id']} {o['text']}" for o in order if not o["shown"]]
    assert not hidden_focus, f"focus not visible on {hidden_focus}"
    assert order[0]["text"] in ("Skip to results", "검색 결과로 건너뛰기"), order[0]


def test_the_suggestion_list_is_announced_with_aria_activedescendant(page, api_server):
    page.goto(f"{api_server.url}/?ui_lang=en")
    wait_results(page)
    page.focus("#q")
    page.keyboard.type("seo", delay=40)
    page.wait_for_selector("#suggestions:not([hidden]) [role=option]")
    assert page.get_attribute("#q", "aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    active = page.get_attribute("#q", "aria-activedescendant")
    assert active and page.get_attribute(f"#{active}", "aria-selected") == "true"
    assert page.get_attribute(f"#{active}", "role") == "option"
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#q", "aria-activedescendant") != active
    page.keyboard.press("Escape")
    assert page.get_attribute("#q", "aria-expanded") == "false"
    assert page.get_attribute("#q", "aria-activedescendant") is None


def test_result_counts_are_announced_in_a_live_region(page, api_server):
    page.goto(f"{api_server.url}/?ui_lang=en&q=seoul")
    wait_results(page)
    live = page.locator("#status")
    assert live.get_attribute("aria-live") == "polite" and live.get_attribute("role") == "status"
    before = live.text_content()
    page.fill("#q", "bicycle")
    page.press("#q", "Enter")
    page.wait_for_function("(b) => document.querySelector('#status').textContent !== b", arg=before)
    assert "bicycle" in live.text_content()


def test_document_text_carries_its_own_language_whatever_the_interface(page, api_server):
    page.goto(f"{api_server.url}/?ui_lang=ko&q=seoul")
    wait_results(page)
    assert page.get_attribute("html", "lang") == "ko"
    wrong = page.evaluate("""() => Array.from(document.querySelectorAll('#results .result')).flatMap(li => {
        const id = li.dataset.id; const title = li.querySelector('.result-title-link');
        const snip = li.querySelector('.result-snippet:not(.no-body)');
        return [title, snip].filter(Boolean).filter(n => /[A-Za-z]{4}/.test(n.textContent) && !/[가-힣]/.test(n.textContent))
          .filter(n => n.closest('[lang]').getAttribute('lang') !== 'en').map(n => id + ': ' + n.textContent.slice(0, 40)); })""")
    assert not wrong, f"English text read as Korean: {wrong}"
    assert page.locator(".brand [lang=ko]").count() == 1


def test_the_chart_works_from_the_keyboard_and_is_described(page, api_server):
    page.goto(f"{api_server.url}/?ui_lang=en&q=seoul")
    wait_results(page)
    chart = page.locator("#timeline svg.timeline-chart")
    described = chart.get_attribute("aria-describedby")
    assert chart.get_attribute("aria-label") and described and page.text_content(f"#{described}")
    bar = page.locator("#timeline .timeline-bar[tabindex='0']")
    assert bar.count() == 1 and bar.get_attribute("aria-label")
    bar.focus()
    first = bar.get_attribute("data-year")
    page.keyboard.press("ArrowLeft")
    moved = page.evaluate("() => document.activeElement.getAttribute('data-year')")
    assert moved and moved != first
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"year_from={moved}"))
    wait_results(page)
    assert page.locator(f"#timeline .timeline-bar[data-year='{moved}']").get_attribute("aria-pressed") == "true"
    assert page.locator("#timeline table").count() == 1  # the same numbers as a table, for reading


@pytest.mark.parametrize("width, scale", [(320, 1), (640, 2)], ids=["320px", "zoom-200pct"])
@pytest.mark.parametrize("path", ["/?q=seoul", "/?q=" + "policy%20sharing%20" * 40, "/embed-demo", "/admin"])
def test_no_horizontal_scrolling_at_320px_or_200pct_zoom(browser, api_server, width, scale, path):
    """200 % zoom of a 1280 px window is a 640 CSS px viewport at twice the pixels."""
    context = browser.new_context(viewport={"width": width, "height": 800}, device_scale_factor=scale)
    try:
        page = context.new_page()
        page.goto(api_server.url + path)
        page.wait_for_load_state("networkidle")
        scroll = page.evaluate("() => document.documentElement.scrollWidth")
        wide = page.evaluate("""(w) => Array.from(document.querySelectorAll('body *')).filter(el => {
            const r = el.getBoundingClientRect(); return r.width > 0 && r.right > w + 1; })
            .slice(0, 5).map(el => el.tagName + '.' + el.className)""", width)
        assert scroll <= width, f"{path} is {scroll} px wide at {width} px: {wide}"
    finally:
        context.close()
