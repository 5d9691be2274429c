"""Warm-up at start: one search in each language before the first request is served.

The first search of a fresh process pays for loading what later searches reuse (the Korean
morphological analyzer's dictionary, the lexical index's segments, the facet arrays, the query
encoder and its first inference): run it at start, not in a user's request. Nothing is recorded
(no analytics row, no zero-result log, no metric): the searches go through the query path
directly, not through the routes.
"""
from __future__ import annotations

import logging

from flask import Flask

from search_api.query.search import SearchParams, run_search

log = logging.getLogger(__name__)

#: One English and one Korean query (each language's analyzer), both common words of city policy.
QUERIES = ("city policy", "서울 정책")


def warm_up(app: Flask) -> list[dict]:
    """Run :data:`QUERIES` against the current index; returns what each found (query, total)."""
    settings = app.extensions["policy_search.settings"]
    done = []
    try:
        with app.app_context(), app.extensions["policy_search.index"].snapshot() as snapshot:
            for query in QUERIES:
                params = SearchParams(q=query, ui_lang="en")
                params.time_limit = settings.search_time_limit
                body = run_search(snapshot, params, settings.max_query_chars, settings.max_query_terms)
                done.append({"query": query, "total": body["total"]})
    except Exception:  # a warm-up never stops a server from starting
        log.exception("warm-up search failed; the first request pays for loading")
    return done
