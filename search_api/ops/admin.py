"""Admin access: a bearer token from ``POLICY_SEARCH_ADMIN_TOKEN``, compared in constant time.

Without a configured token the admin routes do not exist (404 JSON); with one, a
request without it or with a wrong one gets 401 and nothing runs.
"""
from __future__ import annotations

import atexit
import functools
import hmac
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

from flask import current_app, request

from search_api.errors import APIError
from search_api.ops.jobs import JobStore, default_jobs_dir

log = logging.getLogger("policy_search.startup")


def settings():
    return current_app.extensions["policy_search.settings"]


def jobs_dir() -> Path:
    configured = settings().jobs_dir
    return Path(configured) if configured else default_jobs_dir(settings().index)


def job_store() -> JobStore:
    return JobStore(jobs_dir())


def check_token() -> None:
    """404 when no token is configured; 401 unless the request carries it."""
    token = settings().admin_token
    if not token:
        raise APIError(404, "not_found", "the requested URL was not found on the server")
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    ok = scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode("utf-8", "replace"),
                                                              token.encode("utf-8"))
    if not ok:
        raise APIError(401, "unauthorized", "a valid admin bearer token is required",
                       {"WWW-Authenticate": 'Bearer realm="policy-search admin"'})


def admin_required(func: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: the token check runs before anything else of the route."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        check_token()
        return func(*args, **kwargs)
    return wrapper


# --- start-up checks of ``policy-search serve`` (run once, before any worker starts) -------------

def _indexer(*args: str, timeout: float = 3600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "indexer.cli", *args], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def verify_or_rollback(index_dir: Path, attempts: int = 2) -> str | None:
    """Run ``policy-index verify``; while the live generation is damaged, ``policy-index rollback``.

    Each command runs in its own process (request handling never writes the index).
    Returns the generation found sound, or None when there is no index; raises
    SystemExit(1) when no kept generation is sound.
    """
    from indexer.index.generations import live_name

    if live_name(index_dir) is None:
        return None
    for _ in range(attempts + 1):
        live = live_name(index_dir)
        done = _indexer("verify", "--index", str(index_dir))
        if done.returncode == 0:
            log.info("index verified", extra={"generation": live})
            return live
        problems = [line.removeprefix("policy-index: error: ") for line in done.stderr.splitlines() if line.strip()]
        log.error("LIVE INDEX GENERATION %s IS DAMAGED; rolling back to the previous generation", live,
                  extra={"generation": live, "problems": problems[:20]})
        rolled = _indexer("rollback", "--index", str(index_dir))
        if rolled.returncode != 0:
            log.error("rollback failed: %s", rolled.stderr.strip()[-500:], extra={"generation": live})
            break
        log.error("ROLLED BACK from %s to %s: serving the previous generation; rebuild the index",
                  live, live_name(index_dir), extra={"from": live, "to": live_name(index_dir)})
    log.critical("no sound index generation in %s; not serving", index_dir)
    raise SystemExit(1)


def prepare_metrics_dir() -> Path:
    """Point ``PROMETHEUS_MULTIPROC_DIR`` at an empty folder (a fresh one unless set) for the workers."""
    configured = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if configured:
        folder = Path(configured)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink(missing_ok=True)
        return folder
    folder = Path(tempfile.mkdtemp(prefix="policy-search-metrics-"))
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    owner = os.getpid()
    atexit.register(lambda: os.getpid() == owner and shutil.rmtree(folder, ignore_errors=True))
    return folder
