"""Slow and many clients through the real nginx (deploy/nginx/nginx.conf) while 4 clients search.

    python bench/bench_proxy.py [--seconds 30] [--slow 16] [--idle 500]

``policy-search serve --workers 2`` on loopback behind nginx; ``--slow`` slowloris connections
(a header line every 2 s, reopened when nginx drops them) and ``--idle`` connections that send
nothing, held for the whole run, while 4 clients (each its own loopback address, 10 searches
a second: under nginx's per-client rate limit) search and one asks ``/healthz`` every 0.1 s.
Prints searches, failed searches, /healthz p50/p99/max. Exits 1 if a search failed or the
/healthz p99 is 1 s or more.
"""
from __future__ import annotations

import argparse
import http.client
import itertools
import logging
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.ops.helpers import QUERIES, build, serving  # noqa: E402
from tests.ops.nginx import Nginx, nginx_binary  # noqa: E402

log = logging.getLogger("bench_proxy")


def slowloris(port: int, count: int, stop: threading.Event) -> None:
    socks: list[socket.socket | None] = [None] * count
    n = 0
    while not stop.is_set():
        n += 1
        for i, sock in enumerate(socks):
            try:
                if sock is None:
                    sock = socks[i] = socket.create_connection(("127.0.0.1", port), timeout=5)
                    sock.sendall(b"GET /api/search?q=seoul HTTP/1.1\r\nHost: x\r\n")
                sock.sendall(f"X-Drip-{n}: 1\r\n".encode())
            except OSError:
                if sock is not None:
                    sock.close()
                socks[i] = None  # dropped by nginx: open another
        stop.wait(2)
    for sock in socks:
        if sock is not None:
            sock.close()


def searcher(port: int, stop: threading.Event, counts: dict, n: int) -> None:
    """One client (its own loopback address, 127.0.0.N+2) searching 10 times a second, keep-alive."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(f"127.0.0.{n + 2}", 0))
    for q in itertools.islice(itertools.cycle(QUERIES), n * 3, None):
        if stop.wait(0.1):
            break
        try:
            conn.request("GET", "/api/search?" + urllib.parse.urlencode({"q": q}))
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            conn.close()
            ok = False
        counts["searches"] += 1
        counts["failed"] += 0 if ok else 1
    conn.close()


def health(url: str, stop: threading.Event, times: list[float], errors: list[str]) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        try:
            if requests.get(url + "/healthz", timeout=10).status_code != 200:
                errors.append("status")
        except requests.RequestException as exc:
            errors.append(type(exc).__name__)
        times.append(time.perf_counter() - started)
        stop.wait(0.1)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--slow", type=int, default=16)
    parser.add_argument("--idle", type=int, default=500)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if nginx_binary() is None:
        log.error("nginx is not installed (make system-deps)")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(tmp) / "index"
        build(index)
        with serving(index, workers=2, POLICY_SEARCH_TRUSTED_PROXIES="1") as server:
            proxy = Nginx(Path(tmp) / "nginx", f"127.0.0.1:{server.port}")
            stop = threading.Event()
            counts = {"searches": 0, "failed": 0}
            times: list[float] = []
            errors: list[str] = []
            idle = [socket.create_connection(("127.0.0.1", proxy.port), timeout=5) for _ in range(args.idle)]
            threads = [threading.Thread(target=slowloris, args=(proxy.port, args.slow, stop))]
            threads += [threading.Thread(target=searcher, args=(proxy.port, stop, counts, n)) for n in range(4)]
            threads.append(threading.Thread(target=health, args=(proxy.url, stop, times, errors)))
            try:
                for thread in threads:
                    thread.start()
                time.sleep(args.seconds)
            finally:
                stop.set()
                for thread in threads:
                    thread.join(60)
                for sock in idle:
                    sock.close()
                proxy.stop()
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    log.info("%d s, %d slowloris + %d idle connections, 4 searching clients (2 workers x 4 threads)",
             args.seconds, args.slow, args.idle)
    log.info("searches: %d, failed: %d", counts["searches"], counts["failed"])
    log.info("/healthz: %d asked, %d failed; p50 %.1f ms, p99 %.1f ms, max %.1f ms", len(times), len(errors),
             statistics.median(times) * 1000, p99 * 1000, times[-1] * 1000)
    return 0 if counts["failed"] == 0 and not errors and p99 < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
