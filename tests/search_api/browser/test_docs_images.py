"""The README's screenshots: the staff page and the widget at 1366 px and 390 px, in English and
Korean, taken from the real app over the bundled corpus. ``POLICY_SEARCH_UPDATE_DOCS_IMAGES=1``
writes them to docs/images/ (small palette PNGs); every run checks the README shows them."""
from __future__ import annotations

import os

import pytest

from tests.conftest import REPO_ROOT
from tests.search_api.browser.test_ui import wait_results

DOCS_IMAGES = REPO_ROOT / "docs" / "images"
SHOTS = [(what, width, lang) for what in ("page", "widget") for width in (1366, 390) for lang in ("en", "ko")]


def name(what: str, width: int, lang: str) -> str:
    return f"{what}-{width}-{lang}.png"


@pytest.mark.parametrize("what, width, lang", SHOTS, ids=[name(*s)[:-4] for s in SHOTS])
def test_docs_screenshot(browser, api_server, what, width, lang):
    from PIL import Image

    context = browser.new_context(viewport={"width": width, "height": 900 if width > 400 else 844},
                                  locale="ko-KR" if lang == "ko" else "en-US")
    page = context.new_page()
    try:
        if what == "page":
            page.goto(f"{api_server.url}/?q={'공유도시' if lang == 'ko' else 'sharing city'}&ui_lang={lang}")
            wait_results(page)
        else:
            page.goto(f"{api_server.url}/embed-demo?lang={lang}")
            box = page.locator("[data-policy-search] input[role=combobox]")
            box.fill("공유도시" if lang == "ko" else "sharing city")
            box.press("Enter")
            page.wait_for_selector("[data-policy-search] .item")
            page.mouse.click(1, 1)  # close the suggestions
        shot = REPO_ROOT / "test-artifacts" / "screenshots" / name(what, width, lang)
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot))
    finally:
        context.close()
    small = shot.with_name("small-" + shot.name)
    Image.open(shot).convert("RGB").quantize(colors=64).save(small, optimize=True)
    assert small.stat().st_size < 200_000
    if os.environ.get("POLICY_SEARCH_UPDATE_DOCS_IMAGES") == "1":
        DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
        (DOCS_IMAGES / shot.name).write_bytes(small.read_bytes())


def test_the_readme_shows_the_screenshots():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    for shot in SHOTS:
        assert (DOCS_IMAGES / name(*shot)).is_file(), name(*shot)
        assert f"docs/images/{name(*shot)}" in readme, name(*shot)
