"""The staff search page (``/``), the embeddable widget (``/widget.js``) and its demo host page.

Everything is served from ``search_api/static`` and ``search_api/templates``: plain JS and CSS,
no build step, nothing fetched from another host at run time.
"""
from __future__ import annotations

import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, render_template, request, send_from_directory

HERE = Path(__file__).resolve().parent.parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"

bp = Blueprint("ui", __name__, template_folder=str(TEMPLATES))

#: Files under static/ that may be served, by extension.
ASSET_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
               ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon",
               ".woff2": "font/woff2"}


def _asset_version() -> str:
    """A cache-busting token: the newest modification time of the static files."""
    try:
        return format(int(max(p.stat().st_mtime for p in STATIC.rglob("*") if p.is_file())), "x")
    except ValueError:
        return "0"


def _secure(response: Response, csp: str) -> Response:
    response.headers["Content-Security-Policy"] = csp
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


@bp.get("/")
def index():
    html = render_template("index.html", version=_asset_version())
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    return _secure(response, "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                             "connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'; "
                             "object-src 'none'")


@bp.get("/assets/<path:filename>")
def asset(filename: str):
    suffix = Path(filename).suffix.lower()
    if suffix not in ASSET_TYPES:
        abort(404)
    response = send_from_directory(STATIC, filename, mimetype=ASSET_TYPES[suffix], max_age=300)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/widget.js")
def widget():
    """The embeddable widget: one script tag on any page, rendered in a shadow root."""
    response = send_from_directory(STATIC, "widget.js", mimetype=ASSET_TYPES[".js"], max_age=300)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def _endpoint_allowed(endpoint: str) -> bool:
    """``?endpoint=`` of the demo page: an http(s) origin on this host, a loopback address,
    or one listed in the ``ui_embed_endpoints`` setting (never an arbitrary script host)."""
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        return False
    if parts.query or parts.fragment or parts.username or parts.password:
        return False
    host = parts.hostname
    if host == (urlsplit(request.host_url).hostname or "") or host == "localhost":
        return True
    try:
        if ipaddress.ip_address(host).is_loopback:
            return True
    except ValueError:
        pass
    settings = current_app.extensions.get("policy_search.settings")
    allowed = (settings.extra.get("ui_embed_endpoints", ()) if settings else ()) or ()
    if isinstance(allowed, str):
        allowed = [a.strip() for a in allowed.split(",")]
    return endpoint.rstrip("/") in {a.rstrip("/") for a in allowed}


@bp.get("/embed-demo")
def embed_demo():
    """A demo host page with its own styles, embedding the widget; ``?endpoint=`` points the
    widget (script and API) at another origin."""
    endpoint = request.args.get("endpoint", "").strip()
    if endpoint and not _endpoint_allowed(endpoint):
        abort(400, "endpoint must be an http(s) origin on this host or a loopback address")
    endpoint = (endpoint or request.host_url).rstrip("/")
    lang = request.args.get("lang", "ko")
    lang = lang if lang in ("ko", "en") else "ko"
    html = render_template("embed-demo.html", endpoint=endpoint, lang=lang, version=_asset_version())
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    return _secure(response, f"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                             f"script-src 'self' {endpoint}; connect-src 'self' {endpoint}; base-uri 'none'; "
                             f"object-src 'none'")
