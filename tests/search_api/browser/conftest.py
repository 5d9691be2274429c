"""Browser tests: a real index of the bundled corpus, the real app on a real HTTP server (the API
origin), a second server on another port (another origin) serving only the widget's demo host
page, and Debian's Chromium driven by Playwright.

Skips with a reason when Playwright (PyPI ``playwright``) or ``/usr/bin/chromium`` is missing:
``make system-deps`` (scripts/install-debian-packages.sh) installs the browser.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import CORPUS, REPO_ROOT

CHROMIUM = Path(os.environ.get("POLICY_SEARCH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"


class Server:
    """A WSGI app on 127.0.0.1 and a free port, served by werkzeug in a thread."""

    def __init__(self, app):
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"server-{self.url}", daemon=True)

    def __enter__(self) -> "Server":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._thread.join(5)


@pytest.fixture(scope="session")
def sync_playwright():
    module = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed "
                                 "(pip install playwright); browser tests skipped")
    return module.sync_playwright


@pytest.fixture(scope="session")
def browser(sync_playwright):
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} not found: run `make system-deps` (Debian's chromium); browser tests skipped")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


#: Records of other cities' policies (every bundled record mentions Seoul), so that a click on
#: the Seoul facet can narrow a search.
OTHER_CITIES = [
    {"id": "fixture-mexico-city-rainwater", "title": "Mexico City expands rainwater harvesting",
     "body": "Mexico City installs rainwater harvesting systems on city schools to cut water shortages.",
     "date": "2021-08-02"},
    {"id": "fixture-kathmandu-waste", "title": "Kathmandu city improves solid waste collection",
     "body": "The city of Kathmandu adds waste collection trucks and a recycling centre.",
     "date": "2022-02-14"},
]


@pytest.fixture(scope="session")
def ui_index(tmp_path_factory) -> Path:
    """A real index of the bundled corpus (seed pages, the bilingual PDF brochure) and OTHER_CITIES."""
    import json

    from indexer.index.builder import build_index

    root = tmp_path_factory.mktemp("ui-index")
    export = root / "other-cities.jsonl"
    export.write_text("\n".join(json.dumps(r) for r in OTHER_CITIES) + "\n", encoding="utf-8")
    target = root / "index"
    build_index([CORPUS, export], target)
    return target


@pytest.fixture(scope="session")
def api_server(ui_index):
    """The whole app (API, staff page, widget) on the first origin."""
    from search_api import create_app

    app = create_app({"index": str(ui_index)})
    with Server(app) as server:
        yield server


@pytest.fixture(scope="session")
def demo_server():
    """A second origin that serves only the widget's demo host page (no API, no index)."""
    from flask import Flask

    from search_api.routes import ui

    app = Flask("embed_host", template_folder=str(ui.TEMPLATES))
    app.add_url_rule("/embed-demo", view_func=ui.embed_demo)
    with Server(app) as server:
        yield server


@pytest.fixture()
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture()
def page(context):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture(scope="session")
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
