"""No request can take more than a stated number of MB: the worst request of each route, sent
one after another to the real server over the bundled corpus, each worker's RSS sampled."""
from __future__ import annotations

import threading
import time

import psutil
import requests

from tests.ops.helpers import serving

MB = 1024 * 1024
#: The stated bound (docs/operations.md, "Every request bounded"): no request grows a worker's RSS
#: by this much, measured from just before it to its peak while it runs and after it answers.
MAX_REQUEST_MB = 256

_PASTED = ("서울시는 공유도시 정책으로 따릉이 자전거와 대중교통 환승을 늘리고 탄소 배출을 줄인다. "
           "The city plans protected bicycle lanes, smart city data platforms and affordable housing. ")


def _pasted_query(chars: int = 3000) -> str:
    text = (_PASTED * (chars // len(_PASTED) + 1))[:chars]
    return text.rstrip() + "x" * (chars - len(text.rstrip()))


#: (name, method, path, keyword arguments of requests): the worst of each route within its limits.
WORST = [
    ("hybrid search, a 3,000-character pasted query", "GET", "/api/search",
     {"params": {"q": _pasted_query(), "mode": "hybrid"}}),
    ("lexical search, one 2,000-letter word", "GET", "/api/search", {"params": {"q": "qx" * 1000, "mode": "lexical"}}),
    ("search, one 2,000-letter word", "GET", "/api/search", {"params": {"q": "qx" * 1000}}),
    ("search, size=100", "GET", "/api/search", {"params": {"q": "서울 seoul city", "size": 100}}),
    ("search, size=100, a prefix", "GET", "/api/search", {"params": {"q": "s*", "size": 100, "mode": "lexical"}}),
    ("full export, CSV", "GET", "/api/search/export", {"params": {"q": "", "format": "csv"}}),
    ("export of a 3,000-character query, JSON lines", "GET", "/api/search/export",
     {"params": {"q": _pasted_query(), "format": "jsonl"}}),
    ("suggest, a 100-character prefix", "GET", "/api/suggest", {"params": {"q": "s" * 100}}),
    ("suggest, a 100-character Korean prefix", "GET", "/api/suggest", {"params": {"q": "서" * 100}}),
    ("facets", "GET", "/api/facets", {}),
    ("events, a 16 KB body nested 8,192 deep", "POST", "/api/events",
     {"data": "[" * 8192 + "]" * 8192, "headers": {"Content-Type": "application/json"}}),
]


class _Sampler:
    """Samples the workers' RSS every few milliseconds; ``window()`` gives each worker's peak."""

    def __init__(self, pids: list[int]) -> None:
        self.processes = {pid: psutil.Process(pid) for pid in pids}
        self.peaks = {pid: 0 for pid in pids}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def rss(self) -> dict[int, int]:
        return {pid: process.memory_info().rss for pid, process in self.processes.items()}

    def _run(self) -> None:
        while not self._stop.is_set():
            now = self.rss()
            with self._lock:
                for pid, value in now.items():
                    self.peaks[pid] = max(self.peaks[pid], value)
            time.sleep(0.005)

    def reset(self) -> dict[int, int]:
        with self._lock:
            now = self.rss()
            self.peaks = dict(now)
            return now

    def window(self) -> dict[int, int]:
        now = self.rss()
        with self._lock:
            return {pid: max(self.peaks[pid], now[pid]) for pid in now}

    def __enter__(self) -> "_Sampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)


def _send(url: str, method: str, path: str, kwargs: dict) -> requests.Response:
    response = requests.request(method, url + path, timeout=120, **kwargs)
    response.content  # the whole body (an export streams)
    return response


def test_no_request_grows_a_worker_by_more_than_the_stated_bound(shared_index):
    growth: dict[str, int] = {}
    statuses: dict[str, int] = {}
    rows: dict[str, str | None] = {}
    with serving(shared_index, workers=2) as server:
        pids = server.worker_pids(expected=2)
        # warm every route first: the model, the speller and each route's lazy state load once
        for _ in range(3):
            for path, params in (("/api/search", {"q": "bike", "mode": "hybrid"}), ("/api/search", {"q": "서울"}),
                                 ("/api/search/export", {"q": "seoul", "format": "csv"}),
                                 ("/api/suggest", {"q": "se"}), ("/api/facets", {})):
                assert requests.get(server.url + path, params=params, timeout=120).status_code == 200
        documents = requests.get(server.url + "/api/facets", timeout=60).json()["total"]
        with _Sampler(pids) as sampler:
            start = sampler.reset()
            for name, method, path, kwargs in WORST:
                for _ in range(2):  # twice: each of the two workers may get it
                    before = sampler.reset()
                    response = _send(server.url, method, path, kwargs)
                    statuses[name] = response.status_code
                    rows[name] = response.headers.get("X-Export-Rows")
                    peak = sampler.window()
                    grown = max(peak[pid] - before[pid] for pid in pids)
                    growth[name] = max(growth.get(name, 0), grown)
            end = sampler.rss()
        total = max(end[pid] - start[pid] for pid in pids)
    report = {name: round(value / MB, 1) for name, value in growth.items()}
    print("peak RSS growth per request (MB):", report, "all requests:", round(total / MB, 1), statuses, rows)
    # each was answered: the searches, exports and suggestions in full, the nested body refused
    assert statuses == {name: 400 if path == "/api/events" else 200 for name, _, path, _ in WORST}, statuses
    assert int(rows["full export, CSV"]) == documents > 0, (rows, documents)  # every document of the index
    over = {name: mb for name, mb in report.items() if mb >= MAX_REQUEST_MB}
    assert not over, report
    assert total < MAX_REQUEST_MB * MB, (total / MB, report)
