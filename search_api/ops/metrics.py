"""``GET /metrics``: Prometheus text format.

Under ``policy-search serve`` the counters and the histogram are *multiprocess*:
the serve command points ``PROMETHEUS_MULTIPROC_DIR`` at a fresh folder before
the workers start, every worker writes its samples there, and any worker answers
``/metrics`` with the sum over all of them (gunicorn's ``child_exit`` hook marks
dead workers). Without that variable (tests, ``flask run``) the metrics are those
of the one process. The index gauges are not kept in memory at all: they are read
at scrape time from the index folder (``CURRENT`` and the live generation's
``generation.json``) and from the latest finished reindex job, so every worker
reports the same values.
"""
from __future__ import annotations

import os
import re
import time
from datetime import datetime
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest)
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily

bp = Blueprint("metrics", __name__)

REQUESTS = Counter("policy_search_http_requests_total", "HTTP requests by route, method and status",
                   ["route", "method", "status"])
LATENCY = Histogram("policy_search_http_request_duration_seconds", "Time to answer a request, by route",
                    ["route"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
ZERO_RESULTS = Counter("policy_search_zero_result_queries_total", "Searches with a query that found nothing")
RATE_LIMITED = Counter("policy_search_rate_limited_total", "Requests refused by the rate limit")
_GEN_NUMBER = re.compile(r"^g(\d+)-")
#: The methods counted under their own name; any other (made up by a client) counts as ``other``,
#: so no request can add a series of its own.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def count_zero_result() -> None:
    ZERO_RESULTS.inc()


def count_rate_limited() -> None:
    RATE_LIMITED.inc()


class IndexCollector:
    """Gauges of the live generation and the latest reindex job, read at scrape time."""

    def __init__(self, index_dir: Path, jobs_dir: Path):
        self.index_dir, self.jobs_dir = Path(index_dir), Path(jobs_dir)

    def collect(self):
        from indexer.index import generations as gens
        from search_api.ops.jobs import JobStore

        info = InfoMetricFamily("policy_search_index", "The live index generation")
        generation = GaugeMetricFamily("policy_search_index_generation", "Counter of the live generation")
        records = GaugeMetricFamily("policy_search_index_records", "Records in the live generation")
        built = GaugeMetricFamily("policy_search_index_built_timestamp_seconds",
                                  "When the live generation was built (Unix time)")
        try:
            live = gens.live_path(self.index_dir)
            meta = gens.read_metadata(live)
        except Exception:  # noqa: BLE001 - no index: no index gauges
            meta = None
        if meta is not None:
            name = str(meta.get("generation", live.name))
            info.add_metric([], {"generation": name, "operation": str(meta.get("operation")),
                                 "previous": str(meta.get("previous") or "")})
            match = _GEN_NUMBER.match(name)
            generation.add_metric([], float(match.group(1)) if match else 0.0)
            records.add_metric([], float(meta.get("records") or 0))
            try:
                built.add_metric([], datetime.fromisoformat(meta["built_at"]).timestamp())
            except (KeyError, TypeError, ValueError):
                pass
        yield info
        yield generation
        yield records
        yield built
        job = JobStore(self.jobs_dir).latest(finished=True)
        outcome = GaugeMetricFamily("policy_search_last_build_success",
                                    "1 if the latest reindex job succeeded, 0 if it failed", labels=["mode"])
        finished = GaugeMetricFamily("policy_search_last_build_finished_timestamp_seconds",
                                     "When the latest reindex job finished (Unix time)", labels=["mode"])
        if job is not None:
            outcome.add_metric([str(job.get("mode"))], 1.0 if job.get("status") == "succeeded" else 0.0)
            try:
                finished.add_metric([str(job.get("mode"))], datetime.fromisoformat(job["finished_at"]).timestamp())
            except (KeyError, TypeError, ValueError):
                pass
        yield outcome
        yield finished


def _registry(app: Flask) -> CollectorRegistry:
    from search_api.ops.jobs import default_jobs_dir

    settings = app.extensions["policy_search.settings"]
    jobs_dir = settings.jobs_dir or default_jobs_dir(settings.index)
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        for collector in (REQUESTS, LATENCY, ZERO_RESULTS, RATE_LIMITED):
            registry.register(collector)
    registry.register(IndexCollector(settings.index, jobs_dir))
    return registry


@bp.get("/metrics")
def metrics():
    registry = current_app.extensions["policy_search.metrics_registry"]
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def install(app: Flask) -> None:
    """Count every request (by route template, never the raw path) and time it."""
    app.extensions["policy_search.metrics_registry"] = _registry(app)
    app.register_blueprint(bp)

    @app.before_request
    def _start_timer():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _observe(response):
        route = request.url_rule.rule if request.url_rule else "unmatched"
        method = request.method if request.method in METHODS else "other"
        REQUESTS.labels(route, method, str(response.status_code)).inc()
        started = getattr(g, "metrics_started", None)
        if started is not None:
            LATENCY.labels(route).observe(time.perf_counter() - started)
        return response


def child_exit(server, worker) -> None:
    """gunicorn hook: forget a dead worker's live gauges (multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
