"""An office record of the corpus (a real HWPX) is found, and its source is served as a download."""
from __future__ import annotations

from tests.conftest import CORPUS

HWPX = CORPUS / "documents" / "ko_gangnam_notice_2023_745.hwpx"


def test_hwpx_record_is_searchable_and_its_source_downloads(live_server):
    found = live_server.get("/api/search", params={"q": "공무직 입법예고", "type": "document"})
    assert found.status_code == 200
    hit = next(r for r in found.json()["results"] if r["title"].startswith("서울특별시 강남구 공무직"))
    assert hit["type"] == "document" and hit["lang"] == "ko"
    assert hit["url"].endswith("/source")
    source = live_server.get(hit["url"])
    assert source.status_code == 200
    assert source.headers["Content-Type"] == "application/hwp+zip"
    assert source.headers["Content-Disposition"].startswith("attachment")
    assert HWPX.name in source.headers["Content-Disposition"]
    assert source.content == HWPX.read_bytes()
    record = live_server.get(hit["url"].rsplit("/source", 1)[0]).json()
    assert record["source"] == {"path": "documents/" + HWPX.name}
    assert any(city["name"] == "Seoul" for city in record["cities"])


def test_hwpx_saved_as_hwp_is_sent_as_hwpx(tmp_path):
    import shutil

    import requests

    from indexer.index.builder import build_index
    from search_api import create_app
    from tests.search_api.conftest import LiveServer

    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(HWPX, folder / "notice.hwp")
    build_index([folder], tmp_path / "index")
    server = LiveServer(create_app({"index": str(tmp_path / "index")}))
    try:
        (hit,) = server.get("/api/search", params={"q": "공무직"}).json()["results"]
        source = requests.get(server.url + hit["url"], timeout=30)
        assert source.headers["Content-Type"] == "application/hwp+zip"
        assert "notice.hwp" in source.headers["Content-Disposition"]
    finally:
        server.stop()
