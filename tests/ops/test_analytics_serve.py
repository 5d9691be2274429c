"""Query analytics under ``policy-search serve --workers 2``: every worker's searches and clicks
reach the one SQLite file, none is lost when the server stops, and a restarted server reports them."""
from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.ops.helpers import Server

TOKEN = "ops-analytics-token"
QUERIES = ["Seoul", "서울", "bicycle", "공유도시", "smart city", "zzqqxxnothing"]


def test_two_workers_write_every_event_and_a_restart_keeps_them(index_dir):
    server = Server(index_dir, workers=2, POLICY_SEARCH_ADMIN_TOKEN=TOKEN)
    try:
        server.wait_ready()
        assert len(server.worker_pids(expected=2)) == 2

        def one(n: int) -> int:
            q = QUERIES[n % len(QUERIES)]
            body = requests.get(server.url + "/api/search", params={"q": q}, timeout=30).json()
            if not body["words_total"]:  # found by no word (meaning may list its nearest): not clicked
                return 0
            click = requests.post(server.url + "/api/events", timeout=30,
                                  data=json.dumps({"query": q, "id": body["results"][0]["id"], "position": 1 + n % 5,
                                                   "query_id": body["query_id"]}))
            assert click.status_code == 204
            return body["words_total"]

        with ThreadPoolExecutor(8) as pool:
            totals = list(pool.map(one, range(120)))
    finally:
        server.stop()  # SIGTERM: each worker writes what it still holds before it exits
    zero = sum(1 for t in totals if t == 0)
    assert zero == 20  # the nonsense query, 120 / 6 times

    command = [sys.executable, "-m", "search_api.cli", "analytics", "--index", str(index_dir), "--json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["totals"] == {"searches": 120, "zero_results": 20, "clicks": 100, "clicks_per_search": 0.833}
    assert {q["query"]: q["searches"] for q in report["top_queries"]} == {q.lower(): 20 for q in QUERIES}

    restarted = Server(index_dir, workers=2, POLICY_SEARCH_ADMIN_TOKEN=TOKEN)
    try:
        restarted.wait_ready()
        again = requests.get(restarted.url + "/api/admin/analytics", timeout=30,
                             headers={"Authorization": f"Bearer {TOKEN}"}).json()
    finally:
        restarted.stop()
    assert again["totals"] == report["totals"]
    assert again["zero_result_queries"][0]["query"] == "zzqqxxnothing"
