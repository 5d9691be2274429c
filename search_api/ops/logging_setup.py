"""Structured logs: one JSON object per line, with the request id; the zero-result query log.

Every request gets an id: the client's ``X-Request-ID`` when it is a sane token
(letters, digits, ``-_.:``, up to 128 characters), else a fresh one; it is echoed
in the response's ``X-Request-ID`` and attached to every log line written while
the request is handled. One access line (logger ``policy_search.access``) is
written per request.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone
from typing import Any

from flask import Flask, g, has_request_context, request

from search_api.ops.zero_results import ZeroResultLog

REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")  # never an option-like "--x"
access_log = logging.getLogger("policy_search.access")
_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


#: A URL's query string in a log message (gunicorn's "Error handling request GET /path?q=..." line).
_QUERY = re.compile(r"(/[^\s?\"']*)\?[^\s\"']+")


def without_query(text: str) -> str:
    """``text`` with every URL query string replaced by ``?…``: queries may hold personal data or tokens."""
    return _QUERY.sub(r"\1?…", text) if "?" in text else text


class JsonFormatter(logging.Formatter):
    """A log record as one JSON line: ts, level, logger, msg, request_id, extra fields, exc.

    Query strings are cut from the message and the exception text.
    """

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": without_query(record.getMessage()),
            "pid": record.process,
        }
        request_id = getattr(record, "request_id", None)
        if request_id is None and has_request_context():
            request_id = getattr(g, "request_id", None)
        if request_id:
            data["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _RESERVED and key not in data and not key.startswith("_"):
                data[key] = value
        if record.exc_info:
            data["exc"] = without_query(self.formatException(record.exc_info))
        return json.dumps(data, ensure_ascii=False, default=str)


def configure(level: int = logging.INFO, stream=None) -> None:
    """Send the root logger to ``stream`` as JSON lines."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)


def gunicorn_logger_class():
    """gunicorn's logger with its error log (master and worker events) as JSON lines too."""
    from gunicorn import glogging

    class JsonGunicornLogger(glogging.Logger):
        def setup(self, cfg):
            super().setup(cfg)
            for handler in self.error_log.handlers + self.access_log.handlers:
                handler.setFormatter(JsonFormatter())

    return JsonGunicornLogger


def _request_id() -> str:
    given = request.headers.get("X-Request-ID", "")
    return given if REQUEST_ID.match(given) else uuid.uuid4().hex


def install(app: Flask) -> None:
    """Request ids, the access log line, and the zero-result log of ``/api/search``."""
    settings = app.extensions["policy_search.settings"]
    zero_log = ZeroResultLog(settings.zero_result_log, settings.zero_result_log_max_bytes,
                             settings.zero_result_log_backups) if settings.zero_result_log else None
    app.extensions["policy_search.zero_result_log"] = zero_log

    @app.before_request
    def _start():
        g.request_id = _request_id()
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response):
        request_id = getattr(g, "request_id", None) or _request_id()
        response.headers["X-Request-ID"] = request_id
        seconds = time.perf_counter() - getattr(g, "started", time.perf_counter())
        access_log.info("request", extra={
            "request_id": request_id, "method": request.method, "path": request.path[:300],
            "route": request.url_rule.rule if request.url_rule else None, "status": response.status_code,
            "duration_ms": round(seconds * 1000, 2), "remote": request.remote_addr,
        })
        return response
