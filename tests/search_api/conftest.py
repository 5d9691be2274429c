"""A real index of the bundled corpus (plus fixture records) and a real HTTP server over it."""
from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server

from search_api import create_app

#: Records the tests write beside the bundled corpus: markup and a Korean compound.
FIXTURE_RECORDS = [
    {"id": "fixture-markup", "title": "Bike <script>alert('t')</script> lanes & <b>parks</b>",
     "body": "Seoul adds <img src=x onerror=alert(1)> bicycle lanes beside the river parks.",
     "date": "2021-03-04", "cities": ["Seoul"]},
    {"id": "fixture-korean", "title": "서울시 자전거 정책",
     "body": "서울시는 공유도시를 만들기 위해 따릉이 자전거를 늘린다. 스마트시티 빅데이터를 활용한다.",
     "date": "2022-05-06", "lang": "ko"},
]


def write_fixture_export(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    export = folder / "fixtures.jsonl"
    export.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in FIXTURE_RECORDS) + "\n", encoding="utf-8")
    return export


@pytest.fixture(scope="session")
def index_dir(corpus_index: Path) -> Path:
    """The shared read-only index of corpus/ and the fixture records (tests/conftest.py)."""
    return corpus_index


@pytest.fixture(scope="session")
def app(index_dir):
    return create_app({"index": str(index_dir)})


@pytest.fixture()
def client(app):
    return app.test_client()


class LiveServer:
    """A real threaded HTTP server in this process."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def get(self, path: str, **kwargs) -> requests.Response:
        return requests.get(self.url + path, timeout=30, **kwargs)

    def stop(self) -> None:
        self.server.shutdown()


@pytest.fixture(scope="session")
def live_server(app):
    server = LiveServer(app)
    yield server
    server.stop()
