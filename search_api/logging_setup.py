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
import os
import re
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from flask import Flask, g, has_request_context, request

REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_log = logging.getLogger("policy_search.access")
_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """A log record as one JSON line: ts, level, logger, msg, request_id, extra fields, exc."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
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
            data["exc"] = self.formatException(record.exc_info)
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
    zero_log = ZeroResultLog(settings.zero_result_log) if settings.zero_result_log else None
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


class ZeroResultLog:
    """Appends one JSON line per zero-result search to ``FOLDER/zero-results-YYYY-MM-DD.jsonl``.

    Each line is written with one ``write`` on an ``O_APPEND`` descriptor, so lines
    from several workers do not interleave.
    """

    MAX_QUERY = 500

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def record_search(self, body: dict[str, Any], args, request_id: str | None) -> None:
        """Log one zero-result search: its query, filters and suggestion."""
        filters = {k: v for k, v in args.lists() if k not in ("q", "page", "size", "ui_lang")}
        self.record({"ts": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                     "query": str(body.get("query"))[:self.MAX_QUERY], "filters": filters,
                     "relaxed": body.get("relaxed"), "suggestion": body.get("suggestion"),
                     "request_id": request_id})

    def record(self, entry: dict[str, Any]) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / f"zero-results-{datetime.now(timezone.utc):%Y-%m-%d}.jsonl"
            line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o640)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)
        except OSError as exc:
            logging.getLogger(__name__).warning("cannot write the zero-result log: %s", exc)
