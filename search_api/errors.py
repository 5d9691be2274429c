"""One error type and one JSON error shape: ``{"error": {"code", "message"}}``."""
from __future__ import annotations

import json
import logging
from typing import Any

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class APIError(Exception):
    """An error the API reports to its client, with an HTTP status and a snake_case code."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}


def bad_request(code: str, message: str) -> APIError:
    """A 400 for a bad parameter."""
    return APIError(400, code, message)


def json_body(raw: bytes, message: str) -> Any:
    """``raw`` parsed as JSON; a 400 ``invalid_body`` with ``message`` when it is not JSON,
    not UTF-8, or nested too deep for the parser (RecursionError)."""
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise bad_request("invalid_body", message) from None


def _response(status: int, code: str, message: str, headers: dict | None = None):
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def register_error_handler(app: Flask) -> None:
    """Every error, ours or Werkzeug's or unexpected, leaves as the one JSON shape."""

    @app.errorhandler(APIError)
    def _api_error(error: APIError):
        return _response(error.status, error.code, error.message, error.headers)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        code = (error.name or "error").lower().replace(" ", "_").replace("'", "")
        headers = {"Allow": error.valid_methods and ", ".join(error.valid_methods)} if getattr(error, "valid_methods", None) else None
        return _response(error.code or 500, code, error.description or error.name, headers)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unhandled error")
        return _response(500, "internal_error", "the server could not complete the request")
