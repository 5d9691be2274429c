"""API latency and throughput beside a bare Whoosh search with facets on the same index.

Corpora: the two dev sets together, and a synthetic corpus of N records made by
recombining their sentences. Query set: dev queries cut to their first words,
Korean and English, half of them with filters, facet counts on. Each query is
asked once (no result cache can be what the ratio measures); a repeated-query
profile is printed separately. Throughput: wrk (Debian package) over the same
URLs against ``policy-search serve`` with 1 and 2 workers, bounded in time.

    python bench/bench_api.py [--synthetic 20000] [--queries 300] [--duration 15]

``--hybrid``: instead, search by words and meaning (``mode=hybrid``) against words only
(``mode=lexical``, the baseline) on the same server, each query asked in both modes one
after the other: the short queries above, and long ones (pasted dev passages of 40 to 300
words, answered since the lexical leg keeps their 32 most significant words).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import _devsets  # noqa: E402

PY = sys.executable
FACETS = ("city", "topic", "sdg", "year", "lang", "type")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def write_corpora(tmp: Path, synthetic: int) -> dict[str, Path]:
    ko, en = _devsets.load("ko"), _devsets.load("en")
    dev = tmp / "dev"
    dev.mkdir()
    with (dev / "dev.jsonl").open("w", encoding="utf-8") as out:
        for rec in ko.corpus + en.corpus:
            out.write(json.dumps({"id": f"{rec['lang']}-{rec['id']}", "title": rec.get("title") or rec["text"][:40],
                                  "body": rec["text"], "lang": rec["lang"]}, ensure_ascii=False) + "\n")
    rng = random.Random(20261122)
    sentences = {
        lang: [s for rec in ds.corpus for s in re.split(r"(?<=[.!?다])\s+", rec["text"]) if len(s) > 20]
        for lang, ds in (("ko", ko), ("en", en))
    }
    syn = tmp / "synthetic"
    syn.mkdir()
    with (syn / "synthetic.jsonl").open("w", encoding="utf-8") as out:
        for i in range(synthetic):
            lang = "ko" if i % 2 else "en"
            pool = sentences[lang]
            body = " ".join(rng.choice(pool) for _ in range(rng.randint(4, 9)))
            title = rng.choice(pool)[:60]
            year = 2010 + rng.randrange(14)
            out.write(json.dumps({"id": f"syn-{i}", "title": title, "body": body, "lang": lang,
                                  "date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"},
                                 ensure_ascii=False) + "\n")
    return {"dev": dev, "synthetic": syn}


def query_set(n: int) -> list[dict]:
    rng = random.Random(7)
    out = []
    for lang in ("ko", "en"):
        ds = _devsets.load(lang)
        for q in rng.sample(ds.queries, n // 2):
            words = q["text"].split()[: rng.randint(2, 4)]
            params = {"q": " ".join(words)}
            if len(out) % 2:
                params["lang"] = lang
            if len(out) % 4 == 1:
                params["year_from"] = "2012"
            out.append(params)
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(index: Path, workers: int, *extra: str, wait: float = 120.0) -> tuple[subprocess.Popen, str]:
    """``policy-search serve`` of ``index`` (``extra``: more serve options) once it answers /healthz."""
    import requests

    port = free_port()
    proc = subprocess.Popen([PY, "-m", "search_api.cli", "serve", "--index", str(index), "--port", str(port),
                             "--workers", str(workers), *extra], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, cwd=Path(__file__).resolve().parent.parent)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/healthz", timeout=1).status_code == 200:
                return proc, url
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def stop_server(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


def api_latencies(url: str, queries: list[dict]) -> list[float]:
    import requests

    session = requests.Session()
    for q in queries[:5]:  # warm the snapshot (facet arrays) in every path
        session.get(url + "/api/search", params=q)
    times = []
    for q in queries:
        started = time.perf_counter()
        response = session.get(url + "/api/search", params=q)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text[:200]
    return times


def long_query_set(n: int) -> list[dict]:
    """Pasted texts: dev passages (English paragraphs, Korean premises joined) cut to 40-300 words."""
    rng = random.Random(11)
    en, ko = _devsets.load("en"), _devsets.load("ko")
    out = []
    for i in range(n):
        if i % 2:
            words = " ".join(r["text"] for r in rng.sample(ko.corpus, 12)).split()
        else:
            words = " ".join(r["text"] for r in rng.sample(en.corpus, 3)).split()
        text = " ".join(words[: rng.randint(40, 300)])
        while len(text) > 2900:
            text = text.rsplit(" ", 1)[0]
        out.append({"q": text})
    return out


def mode_latencies(url: str, queries: list[dict]) -> dict[str, list[float]]:
    """Each query asked with mode=lexical then mode=hybrid: latencies per mode (ms)."""
    import requests

    session = requests.Session()
    for q in queries[:5]:
        for mode in ("lexical", "hybrid"):
            session.get(url + "/api/search", params={**q, "mode": mode})
    times: dict[str, list[float]] = {"lexical": [], "hybrid": []}
    for q in queries:
        for mode in ("lexical", "hybrid"):
            started = time.perf_counter()
            response = session.get(url + "/api/search", params={**q, "mode": mode})
            times[mode].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text[:200]
            assert response.json()["mode"] == mode
    return times


def report_modes(url: str, short: list[dict], long: list[dict]) -> None:
    print(f"{'':34}{'p50 ms':>9}{'p95 ms':>9}")
    for label, queries in (("short", short), ("long (pasted)", long)):
        times = mode_latencies(url, queries)
        for mode in ("lexical", "hybrid"):
            print(f"{label + ' queries, mode=' + mode:34}{pct(times[mode], 50):9.1f}{pct(times[mode], 95):9.1f}")
        print(f"{label}: hybrid p95 - lexical p95 = {pct(times['hybrid'], 95) - pct(times['lexical'], 95):+.1f} ms"
              "  (target <= +20)")


def whoosh_latencies(index: Path, queries: list[dict]) -> list[float]:
    """The same queries as a bare Whoosh search: groupedby facet counts and highlights of the top 10."""
    from whoosh import query as Q
    from whoosh import sorting

    from indexer.analysis import BM25_PARAMS
    from indexer.index.generations import open_live
    from search_api.query.build import QueryBuilder
    from search_api.query.parse import parse_query
    from whoosh.scoring import BM25F

    ix, _ = open_live(index)
    facets = sorting.Facets()
    for name in FACETS:
        facets.add_field(name, allow_overlap=name in ("city", "topic", "sdg"))
    times = []
    with ix.searcher(weighting=BM25F(**BM25_PARAMS)) as searcher:
        builder = QueryBuilder(searcher.schema)
        for params in queries:
            started = time.perf_counter()
            query = builder.build(parse_query(params["q"])) or Q.NullQuery
            filters = []
            if "lang" in params:
                filters.append(Q.Term("lang", params["lang"]))
            if "year_from" in params:
                filters.append(Q.NumericRange("year", int(params["year_from"]), None))
            results = searcher.search(query, limit=10, groupedby=facets,
                                      filter=Q.And(filters) if filters else None)
            if results.is_empty() and query is not Q.NullQuery:
                results = searcher.search(builder.build(parse_query(params["q"]), relaxed=True), limit=10,
                                          groupedby=facets, filter=Q.And(filters) if filters else None)
            for name in FACETS:
                results.groups(name)
            for hit in results:
                hit.highlights("body")
            times.append((time.perf_counter() - started) * 1000)
    return times


def wrk_rps(url: str, queries: list[dict], duration: int, tmp: Path) -> tuple[float, str]:
    if not shutil.which("wrk"):
        return float("nan"), "wrk not installed (apt-get install wrk)"
    paths = ["/api/search?" + urlencode(q) for q in queries]
    script = tmp / "queries.lua"
    script.write_text(
        "local paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n"
        "local i = 0\n"
        "request = function()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n",
        encoding="utf-8")
    done = subprocess.run(["wrk", "-t1", "-c4", f"-d{duration}s", "--latency", "-s", str(script), url],
                          capture_output=True, text=True, timeout=duration + 60)
    match = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", done.stdout)
    return (float(match.group(1)) if match else float("nan")), (errors.group(0) if errors else "no errors")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--synthetic", type=int, default=20000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--corpora", nargs="+", default=["dev", "synthetic"], choices=["dev", "synthetic"])
    parser.add_argument("--hybrid", action="store_true", help="mode=hybrid against mode=lexical, short and long")
    parser.add_argument("--long-queries", type=int, default=100)
    args = parser.parse_args()
    if not (_devsets.available("ko") and _devsets.available("en")):
        print(f"skipped: dev sets not found under {_devsets.EVAL_DEV}")
        return
    queries = query_set(args.queries)
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp_name:
        tmp = Path(tmp_name)
        for name, source in write_corpora(tmp, args.synthetic if "synthetic" in args.corpora else 0).items():
            if name not in args.corpora:
                continue
            index = tmp / f"index-{name}"
            started = time.perf_counter()
            subprocess.run([PY, "-m", "indexer.cli", "build", str(source), "--index", str(index), "--workers", "2"],
                           check=True, stdout=subprocess.DEVNULL)
            print(f"\n== corpus {name}: built in {time.perf_counter() - started:.1f} s ==")
            if args.hybrid:
                proc, url = start_server(index, 1)
                try:
                    report_modes(url, queries, long_query_set(args.long_queries))
                finally:
                    stop_server(proc)
                continue
            proc, url = start_server(index, 1)
            try:
                api = api_latencies(url, queries)
                repeated = api_latencies(url, [queries[0]] * 100)
            finally:
                stop_server(proc)
            bare = whoosh_latencies(index, queries)
            print(f"{'':34}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
            for label, values in (("API over HTTP (each query once)", api), ("bare Whoosh + groupedby facets", bare),
                                  ("API, one query repeated x100", repeated)):
                print(f"{label:34}{pct(values, 50):9.1f}{pct(values, 95):9.1f}{pct(values, 99):9.1f}")
            print(f"p95 ratio API / bare Whoosh: {pct(api, 95) / pct(bare, 95):.2f}  (target <= 1.0)")
            rps = {}
            for workers in (1, 2):
                proc, url = start_server(index, workers)
                try:
                    rps[workers], errors = wrk_rps(url, queries, args.duration, tmp)
                finally:
                    stop_server(proc)
                print(f"wrk, {workers} worker(s): {rps[workers]:.1f} requests/s ({errors})")
            print(f"throughput ratio 2 workers / 1: {rps[2] / rps[1]:.2f}  (target >= 1.4)")


if __name__ == "__main__":
    main()
