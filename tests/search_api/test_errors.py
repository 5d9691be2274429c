"""One JSON error shape from one handler, for every kind of error."""
from __future__ import annotations

import pytest

BAD_SEARCHES = [
    ({"size": "1000"}, "invalid_parameter"),
    ({"size": "0"}, "invalid_parameter"),
    ({"page": "-1"}, "invalid_parameter"),
    ({"page": "abc"}, "invalid_parameter"),
    ({"year_from": "abc"}, "invalid_parameter"),
    ({"sort": "random"}, "invalid_parameter"),
    ({"sdg": "18"}, "invalid_parameter"),
    ({"lang": "fr"}, "invalid_parameter"),
    ({"ui_lang": "de"}, "invalid_parameter"),
    ({"q": "x" * 3001}, "query_too_long"),
    ({"mode": "fuzzy"}, "invalid_parameter"),
]


def assert_error_shape(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["message"] and "Traceback" not in body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body


@pytest.mark.parametrize(("params", "code"), BAD_SEARCHES)
def test_bad_parameters_are_400_with_json(client, params, code):
    assert_error_shape(client.get("/api/search", query_string=params), 400, code)


def test_not_found_and_method_not_allowed(client):
    assert_error_shape(client.get("/api/nothing-here"), 404, "not_found")
    assert_error_shape(client.post("/api/search"), 405, "method_not_allowed")
    assert_error_shape(client.get("/api/documents/nope"), 404, "not_found")


def test_error_shape_is_pinned(client):
    body = client.get("/api/search", query_string={"size": "1000"}).get_json()
    assert body == {"error": {"code": "invalid_parameter", "message": "size must be between 1 and 100, got 1000"}}


def test_missing_index_is_503_json(tmp_path):
    from search_api import create_app

    app = create_app({"index": str(tmp_path / "none")})
    assert_error_shape(app.test_client().get("/api/search?q=x"), 503, "index_unavailable")
