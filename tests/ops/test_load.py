"""Short load runs against real gunicorn servers while builds swap generations.

* one server, 2 workers, ~10 s of mixed Korean/English searches, one full rebuild swapping the
  generation: no failed request, p99 printed, worker RSS sampled;
* read scale: two servers on two ports over one index folder while a build swaps: both serve the
  new generation within seconds, no failed request.
(bench/bench_load.py is the long version with wrk.)
"""
from __future__ import annotations

import time

import requests

from tests.ops.helpers import Poller, build, live, rss_mb, serving


def _wait_for(urls: list[str], generation: str, timeout: float = 10.0) -> float:
    started = time.monotonic()
    pending = set(urls)
    while pending and time.monotonic() - started < timeout:
        for url in list(pending):
            if requests.get(url + "/healthz", timeout=10).json()["generation"] == generation:
                pending.discard(url)
        time.sleep(0.05)
    assert not pending, f"{pending} still serve the old generation after {timeout} s"
    return time.monotonic() - started


def test_load_during_swap(index_dir):
    with serving(index_dir, workers=2) as server:
        workers = server.worker_pids(expected=2)
        assert len(workers) == 2
        with Poller([server.url], threads=3) as poller:
            time.sleep(2)
            rss_before = {pid: rss_mb(pid) for pid in workers}
            old = live(index_dir)
            build(index_dir)
            new = live(index_dir)
            assert new != old
            _wait_for([server.url], new)
            time.sleep(4)
            rss_after = {pid: rss_mb(pid) for pid in workers}
        print(f"\nload: {poller.count} requests, failures {len(poller.failures)}, "
              f"p50 {poller.percentile(0.5) * 1000:.1f} ms, p99 {poller.percentile(0.99) * 1000:.1f} ms, "
              f"RSS MB before {rss_before} after {rss_after}")
        assert poller.count > 50
        assert not poller.failures, poller.failures[:5]
        assert server.worker_pids() == workers  # no worker died or was restarted
        for pid in workers:
            assert rss_after[pid] < rss_before[pid] * 1.5 + 50, (rss_before, rss_after)
        metrics = requests.get(server.url + "/metrics", timeout=10).text
        total = sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
                    if line.startswith('policy_search_http_requests_total{method="GET",route="/api/search",status="200"'))
        assert total >= poller.count * 0.9  # multiprocess: the sum over both workers


def test_workers_map_one_encoder_table(index_dir):
    """The encoder's embedding table is one file every worker maps, not a private copy each."""
    with serving(index_dir, workers=2) as server:
        (table,) = (index_dir / "embed-cache").glob("table-*.npy")
        for pid in server.worker_pids(expected=2):
            with open(f"/proc/{pid}/maps", encoding="utf-8") as fh:
                assert str(table) in fh.read(), f"worker {pid} does not map {table}"
        assert requests.get(server.url + "/api/search", params={"q": "감염병", "mode": "semantic"},
                            timeout=30).json()["total"] > 0


def test_two_servers_share_one_index(index_dir):
    with serving(index_dir, workers=1) as first, serving(index_dir, workers=1) as second:
        urls = [first.url, second.url]
        with Poller(urls, threads=2) as poller:
            time.sleep(1)
            build(index_dir)
            seconds = _wait_for(urls, live(index_dir))
            time.sleep(1)
        print(f"\nread scale: both servers on the new generation after {seconds:.2f} s; "
              f"{poller.count} requests, failures {len(poller.failures)}")
        assert seconds < 5
        assert poller.count > 20 and not poller.failures, poller.failures[:5]
        for url in urls:
            assert live(index_dir) in poller.generations[url]
