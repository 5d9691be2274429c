"""Accessibility, kept by tests: axe-core (pinned, from ``axe-playwright-python``) in Chromium over
every state of the staff page, the widget on its demo page and ``/admin``, in both interface
languages, at WCAG 2.2 A/AA; then what axe cannot see: keyboard order and operation, visible
focus, announcements, ``lang`` on text, the chart without a mouse, zoom and narrow screens.

A violation fails its test with the rule, its help and every element it names.
"""
from __future__ import annotations

import pytest

from tests.search_api.browser.test_ui import wait_results

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
LANGS = ["en", "ko"]


@pytest.fixture(scope="session")
def axe():
    module = pytest.importorskip("axe_playwright_python.sync_playwright",
                                 reason="axe-playwright-python is not installed (pip install -e '.[test]')")
    return module.Axe()


def audit(axe, page, state: str) -> None:
    """Run axe on the page as it is; fail listing every violation's rule and elements."""
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                     "resultTypes": ["violations"]})
    violations = results.response["violations"]
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:10]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '').splitlines()[-1:]}")
    assert not violations, f"axe, {state}: {len(violations)} violation(s)\n" + "\n".join(lines)


def _staff(page, server, query: str, lang: str) -> None:
    page.goto(f"{server.url}/?ui_lang={lang}{query}")
    wait_results(page)


@pytest.mark.parametrize("lang", LANGS)
def test_staff_page_in_every_state_has_no_axe_violation(axe, page, api_server, lang):
    _staff(page, api_server, "", lang)
    audit(axe, page, f"empty search ({lang})")
    _staff(page, api_server, "&q=seoul", lang)
    assert page.locator("#timeline").is_visible()
    audit(axe, page, f"results with the chart ({lang})")
    more = page.locator(".facet-more").first
    if more.count():
        more.click()
    audit(axe, page, f"facets expanded ({lang})")
    page.locator("#timeline summary").click()
    page.wait_for_selector("#timeline table", state="visible")
    audit(axe, page, f"chart as a table ({lang})")
    _staff(page, api_server, "&q=zzqxvy&mode=lexical", lang)  # words only: nothing near in meaning either
    assert page.locator("#empty").is_visible()
    audit(axe, page, f"no results ({lang})")
    page.goto(f"{api_server.url}/?ui_lang={lang}&q=seoul&sdg=99")  # the API refuses the filter: a real error
    page.wait_for_selector("#error", state="visible")
    audit(axe, page, f"error ({lang})")


@pytest.mark.parametrize("lang", LANGS)
def test_staff_page_with_filters_open_on_a_phone_has_no_axe_violation(axe, browser, api_server, lang):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        _staff(page, api_server, "&q=seoul", lang)
        page.click("#filter-toggle")
        page.wait_for_selector("#facets .facet", state="visible")
        audit(axe, page, f"filters open at 390 px ({lang})")
    finally:
        context.close()


def _widget(page, server, lang):
    page.goto(f"{server.url}/embed-demo?lang={lang}")
    page.wait_for_function("() => { const r = document.querySelector('[data-policy-search]').shadowRoot;"
                           " return r && r.querySelector('input'); }")
    return page.locator("[data-policy-search] input[role=combobox]")


@pytest.mark.parametrize("lang", LANGS)
def test_widget_on_its_demo_page_has_no_axe_violation(axe, page, api_server, lang):
    box = _widget(page, api_server, lang)
    audit(axe, page, f"widget, empty ({lang})")
    box.click()
    box.press_sequentially("seo", delay=30)
    page.wait_for_selector("[data-policy-search] [role=listbox]:not([hidden]) [role=option]")
    audit(axe, page, f"widget, suggestions open ({lang})")
    box.fill("seoul")
    box.press("Escape")
    box.press("Enter")
    page.wait_for_selector("[data-policy-search] .item")
    audit(axe, page, f"widget, results ({lang})")


def test_admin_page_has_no_axe_violation(axe, page, api_server, ui_index):
    page.goto(f"{api_server.url}/admin")
    page.wait_for_selector("#not-configured")
    audit(axe, page, "admin, no token configured")
    from search_api import create_app
    from tests.search_api.browser.conftest import Server

    with Server(create_app({"index": str(ui_index), "admin_token": "a11y-token"})) as server:
        page.goto(f"{server.url}/admin")
        page.wait_for_selector("#token-form")
        audit(axe, page, "admin, token form")
        page.fill("#token", "not-the-token")
        page.press("#token", "Enter")
        page.wait_for_selector("#token-error", state="visible")
        audit(axe, page, "admin, token refused")
        page.fill("#token", "a11y-token")
        page.press("#token", "Enter")
        page.wait_for_selector("#report", state="visible")
        audit(axe, page, "admin, report")
