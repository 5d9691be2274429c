"""The real nginx with deploy/nginx/nginx.conf in front of a test server (tests and benches)."""
from __future__ import annotations

import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import requests

from tests.ops.helpers import REPO, free_port

CONFIG = REPO / "deploy" / "nginx" / "nginx.conf"


def nginx_binary() -> str | None:
    """nginx on PATH or in /usr/sbin (Debian's package), or None."""
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


def render(upstream: str, port: int) -> str:
    """The shipped configuration with its two marked lines set to ``upstream`` and ``port``."""
    text = CONFIG.read_text(encoding="utf-8")
    text, n = re.subn(r"server 127\.0\.0\.1:8000;", f"server {upstream};", text)
    text, m = re.subn(r"listen 8080;", f"listen 127.0.0.1:{port};", text)
    assert n == m == 1, "the marked lines of deploy/nginx/nginx.conf changed"
    return text


class Nginx:
    """nginx (foreground, own prefix folder) proxying to ``upstream`` (``host:port``)."""

    def __init__(self, prefix: Path, upstream: str, port: int | None = None):
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError("nginx is not installed")
        self.prefix = Path(prefix)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        for sub in ("logs", "temp"):
            (self.prefix / sub).mkdir(parents=True, exist_ok=True)
        self.conf = self.prefix / "nginx.conf"
        self.conf.write_text(render(upstream, self.port), encoding="utf-8")
        check = subprocess.run([binary, "-t", "-p", str(self.prefix), "-c", str(self.conf)],
                               capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, check.stderr
        self.proc = subprocess.Popen([binary, "-p", str(self.prefix), "-c", str(self.conf), "-g", "daemon off;"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(self.url + "/healthz", timeout=5)
                break
            except requests.RequestException:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"nginx did not start: {self.error_log()}") from None
                time.sleep(0.1)

    def error_log(self) -> str:
        path = self.prefix / "logs" / "error.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful: the master stops its workers
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
