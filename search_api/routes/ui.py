"""The staff search page (``/``), the embeddable widget (``/widget.js``) and its demo host page.

Everything is served from ``search_api/static`` and ``search_api/templates``: plain JS and CSS,
no build step, nothing fetched from another host at run time.
"""
from __future__ import annotations

import ipaddress
import re
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template, request, send_from_directory

from search_api.errors import APIError

HERE = Path(__file__).resolve().parent.parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"

bp = Blueprint("ui", __name__, template_folder=str(TEMPLATES))

#: Files under static/ that may be served, by extension.
ASSET_TYPES = {".js": "text/javascript", ".css": "text/css",  # Werkzeug adds "; charset=utf-8" to text/*
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


#: An origin as the demo page's ``?endpoint=`` may give it: scheme, host (name, IPv4 or [IPv6]), port.
_ORIGIN = re.compile(r"^(https?)://([A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::([0-9]{1,5}))?/?$")


def endpoint_origin(endpoint: str) -> str | None:
    """``?endpoint=`` of the demo page as a canonical origin (``scheme://host[:port]``), or None.

    Only a loopback address or an origin listed in the ``ui_embed_endpoints`` setting is
    accepted, and the origin is rebuilt from its validated parts, so nothing else of the
    parameter (``;``, spaces, another directive) can reach the Content-Security-Policy.
    """
    match = _ORIGIN.match(endpoint)
    if not match:
        return None
    scheme, host, port = match.group(1), match.group(2).lower(), match.group(3)
    if port is not None and not 0 < int(port) < 65536:
        return None
    origin = f"{scheme}://{host}" + (f":{int(port)}" if port else "")
    if host == "localhost" or _loopback(host.strip("[]")):
        return origin
    settings = current_app.extensions.get("policy_search.settings")
    allowed = (settings.extra.get("ui_embed_endpoints", ()) if settings else ()) or ()
    if isinstance(allowed, str):
        allowed = [a.strip() for a in allowed.split(",")]
    return origin if origin in {a.rstrip("/").lower() for a in allowed} else None


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@bp.get("/embed-demo")
def embed_demo():
    """A demo host page with its own styles, embedding the widget; ``?endpoint=`` points the
    widget (script and API) at another origin. Without it the page uses relative URLs: no
    header or URL is built from the request's ``Host``."""
    given = request.args.get("endpoint", "").strip()
    endpoint = endpoint_origin(given) if given else ""
    if endpoint is None:
        raise APIError(400, "invalid_endpoint", "endpoint must be the origin (scheme://host[:port]) of a loopback "
                                                "address or of a configured embed endpoint")
    lang = request.args.get("lang", "ko")
    lang = lang if lang in ("ko", "en") else "ko"
    # the copyable snippet needs an absolute origin: the given one, else a placeholder said to be one
    shown = endpoint or "https://search.example.org"
    html = render_template("embed-demo.html", endpoint=endpoint, shown=shown, lang=lang, version=_asset_version())
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    sources = f"'self' {endpoint}".strip()
    return _secure(response, f"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                             f"script-src {sources}; connect-src {sources}; frame-ancestors 'self'; "
                             f"base-uri 'none'; object-src 'none'")
