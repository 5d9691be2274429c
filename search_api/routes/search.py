"""Public search routes: search, suggest, facets."""
from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request

from search_api.params import search_params, ui_lang
from search_api.query.search import SearchParams, facet_lists, filter_masks, run_search
from search_api.suggest import suggest

bp = Blueprint("search", __name__)


def _holder():
    return current_app.extensions["policy_search.index"]


def _city_name(name: str) -> str:
    from indexer.enrich.cities import gazetteer

    city = gazetteer().lookup(name)
    return city.name if city else name


@bp.get("/api/search")
def search():
    params = search_params(request.args, _city_name)
    settings = current_app.extensions["policy_search.settings"]
    params.time_limit = settings.search_time_limit
    with _holder().snapshot() as snapshot:
        body = run_search(snapshot, params, settings.max_query_chars, settings.max_query_terms)
    g.search_body = body  # query analytics (routes/analytics.py)
    tokens = current_app.extensions.get("policy_search.event_tokens")
    if tokens is not None and params.q.strip():
        body["query_id"] = tokens.issue(params.q)  # clicks on these results are reported with it
    if body["words_total"] == 0 and params.q.strip():  # nothing found by words (meaning may answer)
        _zero_result(body)
    return jsonify(body)


def _zero_result(body: dict) -> None:
    """Count a search whose words found nothing, and log it for staff when the log is configured."""
    from search_api.ops.metrics import count_zero_result

    count_zero_result()
    zero_log = current_app.extensions.get("policy_search.zero_result_log")
    if zero_log is not None:
        zero_log.record_search(body, request.args, getattr(g, "request_id", None))


@bp.get("/api/suggest")
def suggest_route():
    q = request.args.get("q", "")
    if len(q) > 100:
        from search_api.errors import bad_request

        raise bad_request("query_too_long", "q is longer than 100 characters")
    with _holder().snapshot() as snapshot:
        return jsonify({"query": q, "suggestions": suggest(snapshot, q)})


@bp.get("/api/facets")
def facets():
    params = SearchParams(ui_lang=ui_lang(request.args))
    with _holder().snapshot() as snapshot:
        arrays = snapshot.facets
        lists = facet_lists(arrays, arrays.live & arrays.canonical, filter_masks(arrays, params), params)
        total = int((arrays.live & arrays.canonical).sum())
    return jsonify({"total": total, "facets": lists})
