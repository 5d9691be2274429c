"""Request limits: a per-client rate limit on the public routes, body and URL size limits.

Rate limit (``POLICY_SEARCH_RATE_LIMIT``, e.g. ``60/minute``; off when unset): a
token bucket per client holding up to N tokens, refilled at N per period. Each
bucket lives in the memory of one worker process: with ``--workers W`` a client
may get up to W x N requests per period in the worst case (gunicorn spreads
connections over workers), and a worker restart forgets its buckets. Use a
proxy's limiter (nginx ``limit_req``) for a strict global limit.

The client is the connection's remote address, unless ``POLICY_SEARCH_TRUSTED_PROXIES``
says proxies are in front: a number N (the client is the N-th address from the
right of ``X-Forwarded-For``), or the proxies' addresses (walking
``X-Forwarded-For`` from the right, the first address that is not a listed proxy;
only when the connection itself comes from a listed proxy).
"""
from __future__ import annotations

import ipaddress
import math
import re
import threading
import time
from collections import OrderedDict

from flask import Flask, request

from search_api.errors import APIError

#: Routes the rate limit applies to (the public read routes).
LIMITED_PREFIXES = ("/api/search", "/api/suggest", "/api/facets", "/api/documents", "/api/events")
PERIODS = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0}
_RATE = re.compile(r"^\s*(\d+)\s*(?:/|per)\s*(\d*)\s*(second|minute|hour|day)s?\s*$", re.I)
#: Buckets kept per worker (least recently used dropped first).
MAX_CLIENTS = 100_000


def parse_rate(text: str) -> tuple[int, float]:
    """``"60/minute"`` -> (60, 60.0); ValueError when unreadable."""
    match = _RATE.match(text or "")
    if not match or int(match.group(1)) < 1:
        raise ValueError(f"rate limit {text!r} is not like '60/minute'")
    return int(match.group(1)), int(match.group(2) or 1) * PERIODS[match.group(3).lower()]


class TokenBuckets:
    """Per-key token buckets of ``capacity`` tokens refilled over ``period`` seconds."""

    def __init__(self, capacity: int, period: float, clock=time.monotonic):
        self.capacity, self.rate, self.clock = capacity, capacity / period, clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when a token was taken, else the seconds until one is available."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (float(self.capacity), now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            wait = 0.0
            if tokens >= 1:
                tokens -= 1
            else:
                wait = (1 - tokens) / self.rate
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > MAX_CLIENTS:
                self._buckets.popitem(last=False)
        return wait


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_address(remote: str | None, forwarded: str | None, trusted: str | None) -> str:
    """The client of a request (see the module's docstring)."""
    remote = remote or "unknown"
    if not trusted or not forwarded:
        return remote
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    if trusted.strip().isdigit():
        count = int(trusted)
        if count < 1 or not hops:
            return remote
        chosen = hops[-count] if count <= len(hops) else hops[0]
        return _address(chosen) or remote
    proxies = {_address(p) for p in re.split(r"[,\s]+", trusted) if p.strip()} - {None}
    if _address(remote) not in proxies:
        return remote
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return remote
        if address not in proxies:
            return address
    return remote


def install(app: Flask) -> None:
    """Body and URL size limits; the rate limit when configured."""
    settings = app.extensions["policy_search.settings"]
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    max_url = settings.max_url_chars
    buckets = None
    if settings.rate_limit:
        buckets = TokenBuckets(*parse_rate(settings.rate_limit))
    app.extensions["policy_search.rate_limiter"] = buckets

    @app.before_request
    def _limits():
        if len(request.full_path) > max_url:
            raise APIError(414, "uri_too_long", f"the URL is longer than {max_url} characters")
        if buckets is None or not request.path.startswith(LIMITED_PREFIXES):
            return None
        client = client_address(request.remote_addr, request.headers.get("X-Forwarded-For"),
                                 settings.trusted_proxies)
        wait = buckets.take(client)
        if wait > 0:
            from search_api.ops.metrics import count_rate_limited

            count_rate_limited()
            raise APIError(429, "rate_limited", f"too many requests; retry in {math.ceil(wait)} s",
                           {"Retry-After": str(max(1, math.ceil(wait)))})
        return None
