"""Admin routes (bearer token): reindex jobs and the zero-result query log."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, g, jsonify, request

from search_api.ops.admin import admin_required, job_store, jobs_dir, settings
from search_api.errors import APIError, json_body
from search_api.ops.jobs import JOB_ID, MODES, JobBusy, start_job
from search_api.ops.zero_results import latest_entries

bp = Blueprint("admin", __name__)

#: Fields of a job state shown to clients.
PUBLIC_FIELDS = ("id", "mode", "status", "created_at", "started_at", "finished_at", "progress", "counts",
                 "errors", "skipped", "generation", "previous", "exit_code", "seconds")


def _public(job: dict) -> dict:
    return {key: job.get(key) for key in PUBLIC_FIELDS}


@bp.post("/api/admin/reindex")
@admin_required
def reindex():
    body = json_body(request.get_data(cache=False) or b"null", "the body must be JSON") if request.is_json else None
    if not isinstance(body, dict) or set(body) - {"mode"}:
        raise APIError(400, "invalid_body", 'the body must be a JSON object {"mode": "full" | "update"}')
    mode = body.get("mode", "full")
    if mode not in MODES:
        raise APIError(400, "invalid_mode", 'mode must be "full" or "update"')
    sources = [str(Path(s).resolve()) for s in settings().sources]
    if not sources:
        raise APIError(503, "not_configured", "no source folders are configured (POLICY_SEARCH_SOURCES)")
    try:
        job = start_job(jobs_dir(), settings().index, sources, mode, getattr(g, "request_id", None))
    except JobBusy as busy:
        raise APIError(409, "job_running", f"job {busy.job_id} is running; try again when it has finished",
                       {"Location": f"/api/admin/jobs/{busy.job_id}"}) from None
    response = jsonify(_public(job))
    response.status_code = 202
    response.headers["Location"] = f"/api/admin/jobs/{job['id']}"
    return response


@bp.get("/api/admin/jobs/<path:doc_id>")  # named like the documents' id so the spec test maps it to {id}
@admin_required
def job(doc_id: str):
    job_id = doc_id
    state = job_store().load(job_id) if JOB_ID.match(job_id) else None
    if state is None:
        raise APIError(404, "not_found", "no such job")
    return jsonify(_public(state))


@bp.get("/api/admin/zero-results")
@admin_required
def zero_results():
    """The latest zero-result queries (newest first), from the JSON-lines log."""
    try:
        limit = int(request.args.get("limit", "100"))
    except ValueError:
        raise APIError(400, "invalid_limit", "limit must be an integer from 1 to 1000") from None
    if not 1 <= limit <= 1000:
        raise APIError(400, "invalid_limit", "limit must be an integer from 1 to 1000")
    folder = settings().zero_result_log
    entries = latest_entries(Path(folder), limit) if folder and Path(folder).is_dir() else []
    return jsonify({"entries": entries})
