"""Admin API: bearer token, reindex jobs (one at a time, across workers), job status."""
from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

import pytest

from search_api import create_app
from tests.ops.helpers import CORPUS, live

TOKEN = "t0ken-for-tests-only"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _app(index_dir: Path, **config):
    settings = {"index": str(index_dir), "admin_token": TOKEN, "sources": str(CORPUS),
                "jobs_dir": str(index_dir.parent / "jobs"), **config}
    return create_app(settings)


def _wait(client, job_id: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/admin/jobs/{job_id}", headers=AUTH).get_json()
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish: {job}")


def test_admin_routes_are_404_without_a_configured_token(index_dir):
    client = create_app({"index": str(index_dir), "sources": str(CORPUS)}).test_client()
    for method, path in (("post", "/api/admin/reindex"), ("get", "/api/admin/jobs/0123456789abcdef"),
                         ("get", "/api/admin/zero-results")):
        response = getattr(client, method)(path, json={"mode": "full"}, headers=AUTH)
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
    assert not (index_dir.parent / "jobs").exists()


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN},
                                     {"Authorization": f"Basic {TOKEN}"}, {"Authorization": f"Bearer {TOKEN}x"}])
def test_wrong_or_missing_token_is_401_and_nothing_runs(index_dir, headers):
    client = _app(index_dir).test_client()
    before = live(index_dir)
    response = client.post("/api/admin/reindex", json={"mode": "full"}, headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/api/admin/jobs/0123456789abcdef", headers=headers).status_code == 401
    time.sleep(0.3)
    assert not (index_dir.parent / "jobs").exists()
    assert live(index_dir) == before


def test_bad_bodies_are_400(index_dir):
    client = _app(index_dir).test_client()
    for body in ({"mode": "everything"}, {"mode": "full", "path": "/etc"}, ["full"], None):
        response = client.post("/api/admin/reindex", json=body, headers=AUTH)
        assert response.status_code == 400, body
    response = client.post("/api/admin/reindex", data=b"{" + b" " * 100_000 + b"}", headers=AUTH,
                           content_type="application/json")
    assert response.status_code == 413
    assert client.get("/api/admin/jobs/../../etc/passwd", headers=AUTH).status_code == 404
    assert client.get("/api/admin/jobs/ZZZ", headers=AUTH).status_code == 404


def test_unconfigured_sources_is_503(index_dir):
    client = create_app({"index": str(index_dir), "admin_token": TOKEN}).test_client()
    assert client.post("/api/admin/reindex", json={"mode": "full"}, headers=AUTH).status_code == 503


def test_full_then_update_job(index_dir):
    client = _app(index_dir).test_client()
    before = live(index_dir)
    response = client.post("/api/admin/reindex", json={"mode": "full"}, headers=AUTH)
    assert response.status_code == 202, response.get_json()
    job = response.get_json()
    assert job["status"] == "running" and job["mode"] == "full"
    assert response.headers["Location"] == f"/api/admin/jobs/{job['id']}"
    # a second request while it runs (another worker: another app on the same jobs folder) gets 409
    other = _app(index_dir).test_client()
    busy = other.post("/api/admin/reindex", json={"mode": "update"}, headers=AUTH)
    assert busy.status_code == 409
    assert job["id"] in busy.get_json()["error"]["message"]
    assert busy.headers["Location"] == f"/api/admin/jobs/{job['id']}"
    done = _wait(client, job["id"])
    assert done["status"] == "succeeded", done
    assert done["exit_code"] == 0 and done["errors"] == []
    assert done["counts"]["records"] >= 18 and done["counts"]["indexed"] == done["counts"]["records"]
    assert done["generation"] == live(index_dir) != before
    assert done["previous"] == before
    # incremental: nothing changed
    response = client.post("/api/admin/reindex", json={"mode": "update"}, headers=AUTH)
    assert response.status_code == 202
    update = _wait(client, response.get_json()["id"])
    assert update["status"] == "succeeded", update
    assert update["counts"]["added"] == 0 and update["counts"]["deleted"] == 0
    assert update["counts"]["unchanged"] >= 18
    assert update["generation"] == done["generation"]
    # the metrics report the latest job
    text = client.get("/metrics").get_data(as_text=True)
    assert 'policy_search_last_build_success{mode="update"} 1.0' in text


def test_cli_build_running_makes_the_job_fail_busy(index_dir):
    from indexer.index.lock import IndexLock

    client = _app(index_dir).test_client()
    before = live(index_dir)
    with IndexLock(index_dir, "build"):  # as a CLI build would hold it
        response = client.post("/api/admin/reindex", json={"mode": "full"}, headers=AUTH)
        assert response.status_code == 202
        job = _wait(client, response.get_json()["id"])
    assert job["status"] == "failed"
    assert job["exit_code"] == 3
    assert job["errors"][0].startswith("index busy: ")
    assert str(os.getpid()) in job["errors"][0]
    assert live(index_dir) == before
    text = client.get("/metrics").get_data(as_text=True)
    assert 'policy_search_last_build_success{mode="full"} 0.0' in text


def test_job_lock_held_elsewhere_is_409(index_dir):
    jobs = index_dir.parent / "jobs"
    jobs.mkdir()
    fd = os.open(jobs / "LOCK", os.O_RDWR | os.O_CREAT)
    pid = os.fork()
    if pid == 0:  # a runner of another host/worker holding the job lock
        fcntl.lockf(fd, fcntl.LOCK_EX)
        os.pwrite(fd, b"00112233445566ff", 0)
        time.sleep(30)
        os._exit(0)
    try:
        time.sleep(0.5)
        client = _app(index_dir).test_client()
        busy = client.post("/api/admin/reindex", json={"mode": "full"}, headers=AUTH)
        assert busy.status_code == 409
        assert "00112233445566ff" in busy.get_json()["error"]["message"]
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(fd)


def test_dead_runner_is_reported_failed(index_dir):
    import json

    jobs = index_dir.parent / "jobs"
    jobs.mkdir()
    (jobs / "0123456789abcdef.json").write_text(json.dumps(
        {"id": "0123456789abcdef", "mode": "full", "status": "running", "progress": {}, "counts": {},
         "errors": [], "started_ts": time.time()}))
    client = _app(index_dir).test_client()
    job = client.get("/api/admin/jobs/0123456789abcdef", headers=AUTH).get_json()
    assert job["status"] == "failed"
    assert "stopped" in job["errors"][0]
