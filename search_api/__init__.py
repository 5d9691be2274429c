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

    from search_api.routes import documents, meta, search, similar, ui

    for blueprint in (search.bp, documents.bp, similar.bp, meta.bp, ui.bp):
        app.register_blueprint(blueprint)
    register_error_handler(app)
    _cors(app, settings)
    _operations(app)
    return app


def _operations(app: Flask) -> None:
    """Request ids + JSON access log, metrics, limits, admin routes (docs/operations.md)."""
    from search_api import limits, logging_setup, metrics
    from search_api.routes import admin

    logging_setup.install(app)
    metrics.install(app)
    limits.install(app)
    app.register_blueprint(admin.bp)


def _cors(app: Flask, settings: Settings) -> None:
    """CORS on the GET routes for the configured origins (``*`` by default)."""
    allowed = settings.cors_origins

    @app.after_request
    def add_cors(response):
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            return response
        origin = request.headers.get("Origin")
        if "*" in allowed:
            response.headers["Access-Control-Allow-Origin"] = "*"
        elif origin and origin in allowed:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers.add("Vary", "Origin")
        return response
