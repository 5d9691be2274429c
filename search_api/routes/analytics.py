"""Query analytics: clicks reported by the pages (``POST /api/events``), the operators' report
(``GET /api/admin/analytics``, bearer token) and its page (``/admin``)."""
from __future__ import annotations

import json

from flask import Blueprint, Flask, Response, current_app, g, jsonify, render_template, request

from search_api.ops.admin import admin_required
from search_api.ops.event_tokens import EventTokens
from search_api.ops.analytics import MAX_POSITION, MAX_QUERY, MAX_RESULT_ID, AnalyticsStore, store_for
from search_api.errors import APIError, bad_request, json_body

bp = Blueprint("analytics", __name__)

#: Largest event body accepted, in bytes.
MAX_EVENT_BYTES = 16384
EVENT_FIELDS = {"query", "id", "position", "query_id"}
_SHAPE = 'the body must be a JSON object {"query", "id", "position", "query_id"}'


def _store() -> AnalyticsStore | None:
    return current_app.extensions.get("policy_search.analytics")


def install(app: Flask) -> None:
    """The store of the settings, and the hook that queues each first-page search with a query."""
    settings = app.extensions["policy_search.settings"]
    store = app.extensions["policy_search.analytics"] = store_for(settings)
    app.extensions["policy_search.event_tokens"] = (
        EventTokens(store.path.with_name(store.path.name + ".key")) if store is not None else None)
    app.register_blueprint(bp)

    @app.after_request
    def _record_search(response):
        body = g.pop("search_body", None)
        store = app.extensions["policy_search.analytics"]
        if store is not None and body is not None and response.status_code == 200 and body.get("page") == 1:
            store.record_search(body.get("query") or "", body["words_total"], body.get("took_ms", 0.0))
        return response


def _event() -> tuple[str, str, int, object]:
    raw = request.get_data(cache=False)  # text/plain from sendBeacon, or application/json
    if len(raw) > MAX_EVENT_BYTES:
        raise APIError(413, "payload_too_large", f"an event is at most {MAX_EVENT_BYTES} bytes")
    event = json_body(raw, _SHAPE)
    if not isinstance(event, dict) or set(event) != EVENT_FIELDS:
        raise bad_request("invalid_body", _SHAPE)
    query, result_id, position = event["query"], event["id"], event["position"]
    if not isinstance(query, str) or len(query) > 500:
        raise bad_request("invalid_body", "query must be a string of at most 500 characters")
    if not isinstance(result_id, str) or not result_id or len(result_id) > MAX_RESULT_ID:
        raise bad_request("invalid_body", f"id must be a non-empty string of at most {MAX_RESULT_ID} characters")
    if isinstance(position, float) and position.is_integer():  # 3.0 is the integer 3 in JSON
        position = int(position)
    if isinstance(position, bool) or not isinstance(position, int) or not 1 <= position <= MAX_POSITION:
        raise bad_request("invalid_body", f"position must be an integer from 1 to {MAX_POSITION}")
    return query[:MAX_QUERY * 2], result_id, position, event["query_id"]


@bp.post("/api/events")
def events():
    """Record a click on a result: only the query, the result's id and its position; only for a
    query searched recently (its ``query_id``) and a result the live index holds."""
    query, result_id, position, query_id = _event()
    store = _store()
    if store is None:
        return Response(status=204)
    if not current_app.extensions["policy_search.event_tokens"].valid(query_id, query):
        raise APIError(403, "invalid_query_id", "query_id is not that of a recent search of this query")
    with current_app.extensions["policy_search.index"].snapshot() as snapshot:
        if result_id not in snapshot.facets.ids:
            raise APIError(404, "unknown_id", "id is not a document of the index")
    store.record_click(query, result_id, position)
    return Response(status=204)


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request("invalid_parameter", f"{name} must be an integer from {low} to {high}") from None
    if not low <= value <= high:
        raise bad_request("invalid_parameter", f"{name} must be an integer from {low} to {high}")
    return value


@bp.get("/api/admin/analytics")
@admin_required
def report():
    """Top and zero-result queries, the daily trend, the slowest queries and click-through."""
    days = _int_arg("days", 30, 1, 366)
    limit = _int_arg("limit", 20, 1, 200)
    store = _store()
    if store is None:
        raise APIError(404, "not_found", "query analytics are off (POLICY_SEARCH_ANALYTICS_DB=off)")
    return jsonify(store.report(days, limit))


@bp.get("/admin")
def admin_page():
    """The analytics page: a token form, then the report; the token stays in sessionStorage."""
    from search_api.routes.ui import _asset_version, _secure

    from search_api.ops.admin import settings

    # with no admin token configured the admin API answers 404 to any token: say so, instead of
    # a form whose every answer would read "not accepted"
    configured = bool(settings().admin_token)
    response = Response(render_template("admin.html", version=_asset_version(), configured=configured),
                        mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return _secure(response, "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                             "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
                             "object-src 'none'")
