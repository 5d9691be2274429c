"""Shared helpers of the operations tests and benches: indexes, servers, pollers."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import requests

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"
PY = sys.executable


def env(**extra: str) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith(("POLICY_SEARCH_", "PROMETHEUS_"))}
    out["PYTHONPATH"] = str(REPO) + os.pathsep + out.get("PYTHONPATH", "")
    out.update(extra)
    return out


def indexer(*args: str, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    """``python -m indexer.cli ARGS`` in its own process."""
    return subprocess.run([PY, "-m", "indexer.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=REPO, env=env(), **kwargs)


def build(index_dir: Path, *sources: Path, extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    done = indexer("build", *(sources or (CORPUS,)), "--index", index_dir, *extra)
    assert done.returncode == 0, done.stderr
    return done


def inject(point: str, *args: str, timeout: float = 300, **environ: str) -> subprocess.CompletedProcess:
    """``policy-index ARGS`` with a fault injected (tests.ops.inject)."""
    return subprocess.run([PY, "-m", "tests.ops.inject", point, "--", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, cwd=REPO, env=env(**environ))


def live(index_dir: Path) -> str:
    return (Path(index_dir) / "CURRENT").read_text().strip()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``policy-search serve`` (gunicorn) in its own process group."""

    def __init__(self, index_dir: Path, workers: int = 1, port: int | None = None, verify: bool = True,
                 log: Path | None = None, **environ: str):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log or Path(index_dir).parent / f"serve-{self.port}.log"
        command = [PY, "-m", "search_api.cli", "serve", "--index", str(index_dir), "--port", str(self.port),
                   "--workers", str(workers), "--timeout", "30"]
        if not verify:
            command.append("--no-verify")
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT, cwd=REPO,
                                     env=env(**environ), start_new_session=True)

    def wait_ready(self, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited {self.proc.returncode}:\n{self.log()[-3000:]}")
            try:
                response = requests.get(self.url + "/healthz", timeout=5)
                if response.status_code == 200:
                    return response.json()
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise AssertionError(f"server not ready:\n{self.log()[-3000:]}")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def worker_pids(self, expected: int = 0, timeout: float = 15) -> list[int]:
        """The gunicorn workers' pids (waiting until ``expected`` have booted)."""
        import psutil

        deadline = time.monotonic() + timeout
        while True:
            pids = sorted(c.pid for c in psutil.Process(self.proc.pid).children())
            if len(pids) >= expected or time.monotonic() > deadline:
                return pids
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self._log.close()


@contextmanager
def serving(index_dir: Path, **kwargs) -> Iterator[Server]:
    server = Server(index_dir, **kwargs)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


QUERIES = ["seoul", "서울", "공유도시", "smart city", "자전거", "climate", "따릉이 자전거", "bicycle lanes",
           "교통", "housing policy", "빅데이터", "sharing -car", '"sharing city"', "transport OR 교통", "smar*"]


class Poller:
    """Threads sending searches to ``urls`` until stopped; every non-200 or error is a failure."""

    def __init__(self, urls: list[str], threads: int = 2, path_queries: list[str] | None = None):
        self.urls = urls
        self.queries = path_queries or QUERIES
        self.failures: list[str] = []
        self.latencies: list[float] = []
        self.generations: dict[str, list[str]] = {u: [] for u in urls}
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(threads)]
        self._lock = threading.Lock()

    def _run(self, n: int) -> None:
        session = requests.Session()
        i = n
        while not self._stop.is_set():
            url = self.urls[i % len(self.urls)]
            q = self.queries[i % len(self.queries)]
            i += 1
            started = time.perf_counter()
            try:
                response = session.get(url + "/api/search", params={"q": q}, timeout=30)
                ok = response.status_code == 200 and "results" in response.json()
                what = f"{response.status_code} {response.text[:200]}"
            except Exception as exc:  # noqa: BLE001 - a failed request is what we count
                ok, what = False, repr(exc)
            elapsed = time.perf_counter() - started
            with self._lock:
                self.latencies.append(elapsed)
                if not ok:
                    self.failures.append(f"{url} q={q!r}: {what}")
            if i % 5 == 0:
                try:
                    health = session.get(url + "/healthz", timeout=30)
                    with self._lock:
                        if health.status_code == 200:
                            self.generations[url].append(health.json()["generation"])
                        else:
                            self.failures.append(f"{url} /healthz: {health.status_code}")
                except Exception as exc:  # noqa: BLE001
                    with self._lock:
                        self.failures.append(f"{url} /healthz: {exc!r}")

    def __enter__(self) -> "Poller":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(60)

    @property
    def count(self) -> int:
        return len(self.latencies)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else 0.0


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def read_json_lines(text: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return out


def mount_tmpfs(path: Path, size: str) -> bool:
    """Mount a tmpfs of ``size`` (e.g. "16m") at ``path``: a real small disk to fill (needs root)."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True, text=True)
    return done.returncode == 0
