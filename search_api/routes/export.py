"""``GET /api/search/export``: every hit of a search, streamed as CSV or JSON lines."""
from __future__ import annotations

from contextlib import ExitStack
from datetime import datetime, timezone

from flask import Blueprint, Response, current_app, request, stream_with_context

from search_api.errors import bad_request
from search_api.export import FORMATS, export_chunks
from search_api.params import search_params
from search_api.routes.search import _city_name
from search_api.query.search import ranked_hits

bp = Blueprint("export", __name__)


@bp.get("/api/search/export")
def export():
    """The same parameters as ``/api/search`` (``page`` and ``size`` ignored) plus ``format``."""
    fmt = request.args.get("format", "csv")
    if fmt not in FORMATS:
        raise bad_request("invalid_parameter", f"format must be one of {', '.join(FORMATS)}, got {fmt[:40]!r}")
    params = search_params(request.args, _city_name)
    settings = current_app.extensions["policy_search.settings"]
    params.time_limit = settings.search_time_limit
    stack = ExitStack()
    try:
        snapshot = stack.enter_context(current_app.extensions["policy_search.index"].snapshot())
        docnums, total, ranking = ranked_hits(snapshot, params, settings.max_export_rows,
                                            settings.max_query_chars, settings.max_query_terms)
    except BaseException:
        stack.close()
        raise
    body = stream_with_context(export_chunks(snapshot, docnums, ranking, fmt,
                                                     request.host_url, params.ui_lang))
    response = Response(body, mimetype=FORMATS[fmt].split(";")[0], content_type=FORMATS[fmt])
    response.call_on_close(stack.close)  # the snapshot stays open until the last row is sent
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    response.headers["Content-Disposition"] = f'attachment; filename="policy-search-{stamp}.{fmt}"'
    response.headers["X-Total-Count"] = str(total)
    response.headers["X-Export-Rows"] = str(len(docnums))
    response.headers["X-Export-Truncated"] = "true" if len(docnums) < total else "false"
    response.headers["X-Search-Timed-Out"] = "true" if params.timed_out else "false"
    response.headers["Access-Control-Expose-Headers"] = ("X-Total-Count, X-Export-Rows, X-Export-Truncated, "
                                                         "X-Search-Timed-Out")
    response.headers["Cache-Control"] = "no-store"
    return response
