"""policy-search's HTTP API: ``create_app`` builds the Flask application."""
from __future__ import annotations

import logging
from typing import Any, Mapping

from flask import Flask, request

from search_api.errors import register_error_handler
from search_api.index_reader import IndexHolder
from search_api.settings import Settings

log = logging.getLogger(__name__)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The Flask app: settings from ``POLICY_SEARCH_*`` variables, then ``config``."""
    settings = Settings.from_env(**dict(config or {}))
    app = Flask(__name__)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["policy_search.settings"] = settings
    app.extensions["policy_search.index"] = IndexHolder(
        settings.index, settings.refresh_interval, semantic=settings.semantic)

    from search_api.routes import documents, export, meta, search, similar, ui

    for blueprint in (search.bp, documents.bp, similar.bp, meta.bp, ui.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(export.bp)
    register_error_handler(app)
    _cors(app, settings)
    _operations(app)
    _security_headers(app)
    return app


def _operations(app: Flask) -> None:
    """Request ids + JSON access log, metrics, limits, admin routes (docs/operations.md)."""
    from search_api.ops import limits, logging_setup, metrics
    from search_api.routes import admin, analytics

    logging_setup.install(app)
    metrics.install(app)
    limits.install(app)
    app.register_blueprint(admin.bp)
    analytics.install(app)


#: Paths never opened to other origins: operators' routes, read by scripts, not by pages elsewhere.
PRIVATE_PREFIXES = ("/api/admin/", "/metrics")


def _cors(app: Flask, settings: Settings) -> None:
    """CORS on the public GET routes for the configured origins (``*`` by default)."""
    allowed = settings.cors_origins

    @app.after_request
    def add_cors(response):
        if (request.method not in ("GET", "HEAD", "OPTIONS") and request.path != "/api/events") \
                or request.path.startswith(PRIVATE_PREFIXES):
            response.headers.pop("Access-Control-Allow-Origin", None)
            return response
        origin = request.headers.get("Origin")
        if "*" in allowed:
            response.headers["Access-Control-Allow-Origin"] = "*"
        elif origin and origin in allowed:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers.add("Vary", "Origin")
        return response


def _security_headers(app: Flask) -> None:
    """``nosniff`` on every response; every HTML page may be framed only by this origin unless it says."""

    @app.after_request
    def add_security_headers(response):
        response.headers["X-Content-Type-Options"] = "nosniff"
        if response.mimetype == "text/html":
            csp = response.headers.get("Content-Security-Policy", "")
            if "frame-ancestors" not in csp:
                policy = "; ".join(part for part in (csp.strip().rstrip(";"), "frame-ancestors 'self'") if part)
                response.headers["Content-Security-Policy"] = policy
        return response
