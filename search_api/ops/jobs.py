"""Reindex jobs: one at a time per index, run by the indexer CLI in its own processes.

Layout of the jobs folder (``POLICY_SEARCH_JOBS_DIR``, default ``<index>/jobs``)::

    JOBS/LOCK            held (fcntl.lockf) by the runner of the running job; its id is written inside
    JOBS/<id>.json       state of each job (written atomically)

A request never runs the indexer: :func:`start_job` spawns a *runner*
(``python -m search_api.ops.jobs run ...``) in its own session, which takes the job
lock without waiting. If the lock is held, the runner answers ``busy <id>`` and
exits (the request gets 409); else it writes the job state, answers
``started <id>`` and runs ``python -m indexer.cli build|update SRC... --index DIR``
as a child, recording its outcome. Because the lock is a kernel lock held by the
runner, it is exclusive across gunicorn workers and hosts sharing the folder
(on a local file system), and a killed runner releases it; a job whose state
says ``running`` while nobody holds the lock is reported ``failed`` (runner died).
"""
from __future__ import annotations

import argparse
import fcntl
import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

LOCK_NAME = "LOCK"
JOB_ID = re.compile(r"^[0-9a-f]{16}$")
MODES = {"full": "build", "update": "update"}
#: Longest a job may run before the runner stops it.
JOB_TIMEOUT = 6 * 3600
#: Jobs kept on disk (the oldest state files beyond it are removed).
KEEP_JOBS = 200
BUSY_EXIT = 3
#: Skipped inputs listed in a job's state (generation.json lists them all).
MAX_JOB_SKIPPED = 1000


class JobBusy(Exception):
    """A job is already running; ``job_id`` names it."""

    def __init__(self, job_id: str):
        super().__init__(job_id)
        self.job_id = job_id


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def default_jobs_dir(index_dir: Path) -> Path:
    """``<index>/jobs``: each index has its own jobs (sibling indexes never share them)."""
    return Path(index_dir).resolve() / "jobs"


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)


class JobStore:
    """Job state files and the job lock of one jobs folder."""

    def __init__(self, jobs_dir: Path):
        self.dir = Path(jobs_dir)

    def path(self, job_id: str) -> Path:
        if not JOB_ID.match(job_id):
            raise KeyError(job_id)
        return self.dir / f"{job_id}.json"

    def save(self, job: dict[str, Any]) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        _write_json(self.path(job["id"]), job)

    def load(self, job_id: str) -> dict[str, Any] | None:
        """A job's state, or None; a 'running' job without a live runner is reported failed."""
        try:
            job = json.loads(self.path(job_id).read_text(encoding="utf-8"))
        except (KeyError, FileNotFoundError, json.JSONDecodeError):
            return None
        if job.get("status") in ("queued", "running") and self.running_id() != job_id:
            job.update(status="failed", finished_at=job.get("finished_at") or _now(),
                       errors=list(job.get("errors", [])) + ["the job runner stopped before the job finished"])
        if job.get("status") == "running":
            job["progress"] = dict(job.get("progress") or {},
                                   elapsed_seconds=round(time.time() - job.get("started_ts", time.time()), 1))
        return job

    def running_id(self) -> str | None:
        """Id of the running job (its runner holds the lock), or None."""
        path = self.dir / LOCK_NAME
        if not path.exists():
            return None
        fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
        try:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                text = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
                return text if JOB_ID.match(text) else "unknown"
            fcntl.lockf(fd, fcntl.LOCK_UN)
            return None
        finally:
            os.close(fd)

    def latest(self, finished: bool = True) -> dict[str, Any] | None:
        """The most recently started (finished, when asked) job."""
        if not self.dir.is_dir():
            return None
        paths = sorted(self.dir.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for path in paths[:50]:
            job = self.load(path.stem)
            if job and (not finished or job.get("status") in ("succeeded", "failed")):
                return job
        return None

    def prune(self, keep: int = KEEP_JOBS) -> None:
        paths = sorted(self.dir.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for path in paths[keep:]:
            path.unlink(missing_ok=True)


def start_job(jobs_dir: Path, index_dir: Path, sources: list[str], mode: str,
              request_id: str | None = None, wait: float = 30.0) -> dict[str, Any]:
    """Spawn a runner for a ``mode`` job; its state, or JobBusy naming the running job."""
    if mode not in MODES:
        raise ValueError(mode)
    jobs_dir = Path(jobs_dir)
    jobs_dir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "search_api.ops.jobs", "run", "--jobs-dir", str(jobs_dir),
               "--index", str(index_dir), "--mode", mode, "--request-id=" + (request_id or "")]  # one token: never read as an option
    command += ["--source=" + s for s in sources]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            start_new_session=True, text=True)
    try:
        answer = _read_line(proc, wait)
    except TimeoutError:
        proc.kill()
        proc.wait()
        raise RuntimeError("the job runner did not start") from None
    threading.Thread(target=proc.wait, daemon=True).start()  # reap it when it ends
    kind, _, job_id = answer.strip().partition(" ")
    if kind == "busy":
        raise JobBusy(job_id)
    if kind != "started" or not JOB_ID.match(job_id):
        raise RuntimeError(f"the job runner failed to start: {answer.strip()[:200]!r}")
    job = JobStore(jobs_dir).load(job_id)
    if job is None:
        raise RuntimeError("the job runner wrote no state")
    return job


def _read_line(proc: subprocess.Popen, wait: float) -> str:
    result: list[str] = []
    reader = threading.Thread(target=lambda: result.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(wait)
    if reader.is_alive():
        raise TimeoutError
    return result[0] if result else ""


# --- the runner (its own process) -------------------------------------------------------------

_GENERATION = re.compile(r"generation (\S+) is live \((\d+) records")
_NO_CHANGES = re.compile(r"no changes; generation (\S+) stays live")
_CHANGES = re.compile(r"added (\d+), changed (\d+), deleted (\d+), unchanged (\d+)")
_INDEXED = re.compile(r"records indexed: (\d+), records live: (\d+), skipped: (\d+)")


def _take_lock(jobs_dir: Path) -> int | None:
    fd = os.open(jobs_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def parse_summary(stdout: str) -> dict[str, Any]:
    """Counts from the indexer CLI's summary lines."""
    counts: dict[str, Any] = {}
    if match := _CHANGES.search(stdout):
        counts.update(zip(("added", "changed", "deleted", "unchanged"), map(int, match.groups())))
    if match := _INDEXED.search(stdout):
        counts.update(zip(("indexed", "records", "skipped"), map(int, match.groups())))
    generation = None
    if match := _GENERATION.search(stdout):
        generation = match.group(1)
        counts["records"] = int(match.group(2))
    elif match := _NO_CHANGES.search(stdout):
        generation = match.group(1)
    return {"counts": counts, "generation": generation, "switched": bool(_GENERATION.search(stdout))}


def run(jobs_dir: Path, index_dir: Path, sources: list[str], mode: str, request_id: str = "") -> int:
    """Runner body: take the lock, run the indexer, record the outcome."""
    jobs_dir.mkdir(parents=True, exist_ok=True)
    fd = _take_lock(jobs_dir)
    if fd is None:
        store = JobStore(jobs_dir)
        print(f"busy {store.running_id() or 'unknown'}", flush=True)
        return 0
    store = JobStore(jobs_dir)
    job_id = uuid.uuid4().hex[:16]
    os.ftruncate(fd, 0)
    os.pwrite(fd, job_id.encode(), 0)
    command = [sys.executable, "-m", "indexer.cli", MODES[mode], *sources, "--index", str(index_dir)]
    job: dict[str, Any] = {
        "id": job_id, "mode": mode, "status": "running", "created_at": _now(), "started_at": _now(),
        "started_ts": time.time(), "finished_at": None, "request_id": request_id or None,
        "progress": {"phase": "indexing"}, "counts": {}, "errors": [], "generation": None,
        "previous": _live(index_dir), "exit_code": None,
    }
    store.save(job)
    print(f"started {job_id}", flush=True)
    sys.stdout.close()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=JOB_TIMEOUT,
                              stdin=subprocess.DEVNULL)
        summary = parse_summary(done.stdout)
        job.update(exit_code=done.returncode, counts=summary["counts"], generation=summary["generation"],
                   switched=summary["switched"])
        messages = [line.removeprefix("policy-index: error: ") for line in done.stderr.splitlines()
                    if line.startswith("policy-index: error:")]
        if done.returncode == 0:
            job["status"] = "succeeded"
            job["skipped"] = _skipped(index_dir, summary, done.stdout)
        else:
            job["status"] = "failed"
            reason = "; ".join(messages) or (done.stderr.strip().splitlines() or ["no message"])[-1]
            if done.returncode == BUSY_EXIT:
                reason = f"index busy: {reason}"
            job["errors"] = [reason[:2000]]
    except subprocess.TimeoutExpired:
        job.update(status="failed", errors=[f"the indexer ran longer than {JOB_TIMEOUT} s and was stopped"])
    except Exception as exc:  # noqa: BLE001 - any failure is the job's outcome
        job.update(status="failed", errors=[f"{type(exc).__name__}: {exc}"])
    job["finished_at"] = _now()
    job["seconds"] = round(time.time() - job["started_ts"], 2)
    job["progress"] = {"phase": "done"}
    store.save(job)
    store.prune()
    os.ftruncate(fd, 0)
    os.close(fd)
    return 0


def _skipped(index_dir: Path, summary: dict[str, Any], stdout: str) -> list[dict[str, str]]:
    """Every input the indexer skipped, with its reason: from the new generation's
    ``generation.json``, else (no new generation) from the summary lines it printed."""
    if summary["switched"] and summary["generation"]:
        from indexer.index.generations import generations_dir, read_metadata

        try:
            skipped = read_metadata(generations_dir(index_dir) / summary["generation"]).get("skipped") or []
            return [s for s in skipped if isinstance(s, dict)][:MAX_JOB_SKIPPED]
        except Exception:  # noqa: BLE001 - the summary lines below still say it
            pass
    lines = [line.strip() for line in stdout.splitlines() if line.startswith("  ") and ": " in line]
    return [dict(zip(("path", "reason"), line.split(": ", 1))) for line in lines][:MAX_JOB_SKIPPED]


def _live(index_dir: Path) -> str | None:
    from indexer.index.generations import live_name

    return live_name(index_dir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m search_api.ops.jobs")
    sub = parser.add_subparsers(dest="command", required=True)
    runner = sub.add_parser("run")
    runner.add_argument("--jobs-dir", type=Path, required=True)
    runner.add_argument("--index", type=Path, required=True)
    runner.add_argument("--mode", choices=sorted(MODES), required=True)
    runner.add_argument("--source", action="append", default=[])
    runner.add_argument("--request-id", default="")
    args = parser.parse_args(argv)
    return run(args.jobs_dir, args.index, args.source, args.mode, args.request_id)


if __name__ == "__main__":
    sys.exit(main())
