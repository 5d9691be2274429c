"""deploy/nginx/nginx.conf, tested with the real nginx in front of the real gunicorn."""
from __future__ import annotations

import socket
import threading
import time

import pytest
import requests

from tests.ops.helpers import serving
from tests.ops.nginx import Nginx, nginx_binary

pytestmark = pytest.mark.skipif(nginx_binary() is None,
                                reason="nginx is not installed (`make system-deps` installs Debian's nginx)")


@pytest.fixture(scope="module")
def front(tmp_path_factory, shared_index):
    """gunicorn (1 worker x 4 threads) behind nginx."""
    with serving(shared_index, POLICY_SEARCH_TRUSTED_PROXIES="1") as server:
        proxy = Nginx(tmp_path_factory.mktemp("nginx"), f"127.0.0.1:{server.port}")
        try:
            yield proxy, server
        finally:
            proxy.stop()


def _slowloris(url_port: int, count: int, stop: threading.Event) -> list[socket.socket]:
    """``count`` connections that send a request head one header line every 2 s, never ending it."""
    socks = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", url_port), timeout=5)
        sock.sendall(b"GET /api/search?q=seoul HTTP/1.1\r\nHost: x\r\n")
        socks.append(sock)

    def drip():
        n = 0
        while not stop.wait(2):
            n += 1
            for sock in socks:
                try:
                    sock.sendall(f"X-Drip-{n}: 1\r\n".encode())
                except OSError:
                    pass
    threading.Thread(target=drip, daemon=True).start()
    return socks


def _closed_by_peer(sock: socket.socket, timeout: float) -> bool:
    sock.settimeout(timeout)
    try:
        while True:
            data = sock.recv(4096)
            if not data:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def test_search_passes_through_with_the_client_address(front):
    proxy, _ = front
    response = requests.get(proxy.url + "/api/search", params={"q": "Seoul"}, timeout=30)
    assert response.status_code == 200
    assert response.json()["total"] > 0


def test_slowloris_and_500_idle_connections_leave_healthz_answering(front):
    proxy, _ = front
    stop = threading.Event()
    slow = _slowloris(proxy.port, 16, stop)
    idle = [socket.create_connection(("127.0.0.1", proxy.port), timeout=5) for _ in range(500)]
    try:
        answers = []
        for _ in range(20):
            response = requests.get(proxy.url + "/healthz", timeout=10)
            answers.append(response.status_code)
            assert requests.get(proxy.url + "/api/search", params={"q": "bike"}, timeout=30).status_code == 200
        assert answers == [200] * 20
        # nginx drops a request head that has not ended within client_header_timeout
        assert _closed_by_peer(slow[0], timeout=30)
    finally:
        stop.set()
        for sock in slow + idle:
            sock.close()


def test_an_oversized_body_is_413_in_the_error_shape(front):
    proxy, _ = front
    response = requests.post(proxy.url + "/api/events", data=b"x" * 200_000, timeout=30)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_a_burst_past_the_rate_limit_is_429_in_the_error_shape(front):
    proxy, _ = front
    statuses = []
    with requests.Session() as session:
        for _ in range(120):
            statuses.append(session.get(proxy.url + "/api/facets", timeout=30))
            if statuses[-1].status_code == 429:
                break
    limited = statuses[-1]
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert limited.headers["Retry-After"] == "1"
    time.sleep(3)  # the bucket refills (20/s): later tests are not limited
