"""Search and build cost as the archive grows, beside bare Whoosh in the same run.

Corpus: ``--records`` records (20,000 by default; ``--records 200000`` on demand, not in
CI) recombined from the real Korean and English sentences of ``../shared/eval-dev``
(4-9 sentences each, half Korean, half English, dated 2010-2023), as one JSONL export.

* **Build**: ``policy-index build --workers 2`` (a fresh process: extraction,
  enrichment, analysis, indexing, derived arrays) beside bare Whoosh 2.7.4
  (StandardAnalyzer for title and body, lang/type/year fields, ``procs=2``) on the same
  records.
* **Queries**, two sets, each half Korean, half English, from the dev queries: *short*
  (their first 2-3 words) and *whole* (the whole question). The API is asked over HTTP
  (``policy-search serve``, 2 workers, one query at a time, each query once); bare Whoosh
  in-process: an OR query through its QueryParser, ``groupedby`` facets (lang, type,
  year) and highlights of the top 10, as a new user would write it.
* **Fresh generation**: right after the server starts (each worker has just opened the
  generation, as after a switch), ``--typos`` misspelt one-word queries (dev-query words with
  two neighbouring letters swapped, half Korean, half English: each finds too little, so
  did-you-mean runs) and as many ``/api/suggest`` prefixes, one at a time: the first answers'
  latency beside p50/p95/p99, and how many got a suggestion.
* **Memory**: RSS and USS (pages only that process holds) of each API worker after the
  queries; the postings arrays are memory-mapped, shared through the page cache.
* **Size** of the live generation on disk (derived arrays included) and of bare Whoosh's.
* ``--long-pdf``: 16 brochure records of 200 pages among 1,500 short ones; two
  ``q=seoul&type=brochure&size=16`` searches at once while ``/healthz`` is polled.

    python bench/bench_scale.py [--records 20000] [--queries 200] [--typos 60] [--long-pdf]

The machine is shared: run it twice and read the ratios rather than the absolute times.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from bench import _devsets  # noqa: E402
from bench.bench_api import pct, start_server, stop_server  # noqa: E402

PY = sys.executable


def sentences() -> dict[str, list[str]]:
    return {lang: [s for rec in _devsets.load(lang).corpus for s in re.split(r"(?<=[.!?다])\s+", rec["text"])
                   if len(s) > 20] for lang in ("ko", "en")}


def write_corpus(path: Path, records: int, seed: int = 20261129) -> None:
    """``records`` JSONL records recombined from the dev sets' sentences."""
    rng = random.Random(seed)
    pools = sentences()
    with path.open("w", encoding="utf-8") as out:
        for i in range(records):
            lang = "ko" if i % 2 else "en"
            pool = pools[lang]
            body = " ".join(rng.choice(pool) for _ in range(rng.randint(4, 9)))
            year = 2010 + rng.randrange(14)
            out.write(json.dumps({"id": f"scale-{i}", "title": rng.choice(pool)[:60], "body": body, "lang": lang,
                                  "date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"},
                                 ensure_ascii=False) + "\n")


def query_sets(n: int) -> dict[str, list[str]]:
    rng = random.Random(7)
    short, whole = [], []
    for lang in ("ko", "en"):
        for q in rng.sample(_devsets.load(lang).queries, n // 2):
            words = q["text"].split()
            short.append(" ".join(words[:rng.randint(2, 3)]))
            whole.append(q["text"])
    return {"short": short, "whole": whole}


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# -- ours ------------------------------------------------------------------------------------

def build_ours(corpus: Path, index: Path, embeddings: bool = False) -> float:
    """``policy-index build --workers 2``; words only unless ``embeddings`` (bench_build measures those)."""
    started = time.perf_counter()
    subprocess.run([PY, "-m", "indexer.cli", "build", str(corpus), "--index", str(index), "--workers", "2"]
                   + ([] if embeddings else ["--no-embeddings"]), check=True, stdout=subprocess.DEVNULL, cwd=REPO)
    return time.perf_counter() - started


def api_latencies(url: str, queries: list[str]) -> list[float]:
    import requests

    session = requests.Session()
    for q in queries[:4]:  # every worker has opened the generation
        session.get(url + "/api/search", params={"q": q})
    times = []
    for q in queries:
        started = time.perf_counter()
        response = session.get(url + "/api/search", params={"q": q})
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text[:300]
    return times


def typos(n: int) -> list[str]:
    """``n`` misspelt words (half Korean, half English) from the dev queries: two neighbours swapped."""
    rng = random.Random(5)
    out: list[str] = []
    for lang, pattern in (("ko", r"[\uac00-\ud7a3]{3,}"), ("en", r"[a-z]{7,}")):
        words = sorted({w for q in _devsets.load(lang).queries for w in re.findall(pattern, q["text"].lower())})
        for word in rng.sample(words, min(n // 2, len(words))):
            i = rng.randrange(1, len(word) - 1)
            out.append(word[:i] + word[i + 1] + word[i] + word[i + 2:])
    rng.shuffle(out)
    return out


def fresh_latencies(url: str, words: list[str]) -> dict[str, list]:
    """Did-you-mean searches and suggest prefixes sent to a server that has just opened its generation."""
    import requests

    session = requests.Session()
    out: dict[str, list] = {"search": [], "suggest": [], "suggested": []}
    for word in words:
        started = time.perf_counter()
        response = session.get(url + "/api/search", params={"q": word, "mode": "lexical"})
        out["search"].append((time.perf_counter() - started) * 1000)
        out["suggested"].append(bool(response.json().get("suggestion")))
        started = time.perf_counter()
        assert session.get(url + "/api/suggest", params={"q": word[:3]}).status_code == 200
        out["suggest"].append((time.perf_counter() - started) * 1000)
    return out


def anonymous_mb(pid: int) -> float:
    """The process's anonymous memory (its heap: nothing the page cache holds or could share), MB."""
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
        for line in rollup:
            if line.startswith("Anonymous:"):
                return int(line.split()[1]) * 1024 / 1e6
    return float("nan")


def worker_memory(proc: subprocess.Popen) -> list[tuple[float, float, float]]:
    """(RSS MB, USS MB, anonymous MB) of each gunicorn worker of ``proc``.

    USS counts the file pages (memory-mapped arrays and segments, MeCab's dictionary) that only
    this worker has touched, though any other worker reading them would share them; the
    anonymous memory is what the worker alone holds and the kernel cannot drop.
    """
    import psutil

    out = []
    for child in psutil.Process(proc.pid).children():
        info = child.memory_full_info()
        out.append((info.rss / 1e6, info.uss / 1e6, anonymous_mb(child.pid)))
    return out


# -- bare Whoosh -----------------------------------------------------------------------------

def bare_schema():
    from whoosh import fields
    from whoosh.analysis import StandardAnalyzer

    return fields.Schema(id=fields.ID(stored=True, unique=True),
                         title=fields.TEXT(analyzer=StandardAnalyzer(), stored=True, field_boost=2.0),
                         body=fields.TEXT(analyzer=StandardAnalyzer(), stored=True),
                         lang=fields.ID(sortable=True), type=fields.ID(sortable=True),
                         year=fields.NUMERIC(int, sortable=True))


def build_bare(corpus: Path, index: Path) -> float:
    from whoosh import index as whoosh_index

    started = time.perf_counter()
    index.mkdir(parents=True)
    ix = whoosh_index.create_in(str(index), bare_schema())
    writer = ix.writer(procs=2, limitmb=128)
    with corpus.open(encoding="utf-8") as handle:
        for line in handle:
            rec = json.loads(line)
            writer.add_document(id=rec["id"], title=rec["title"], body=rec["body"], lang=rec["lang"],
                                type="article", year=int(rec["date"][:4]))
    writer.commit()
    return time.perf_counter() - started


def bare_latencies(index: Path, queries: list[str]) -> list[float]:
    from whoosh import index as whoosh_index
    from whoosh import sorting
    from whoosh.qparser import OrGroup, QueryParser
    from whoosh.scoring import BM25F

    from indexer.analysis import BM25_PARAMS

    ix = whoosh_index.open_dir(str(index))
    facets = sorting.Facets()
    for name in ("lang", "type", "year"):
        facets.add_field(name)
    times = []
    with ix.searcher(weighting=BM25F(**BM25_PARAMS)) as searcher:
        parser = QueryParser("body", ix.schema, group=OrGroup)
        for text in queries:
            started = time.perf_counter()
            results = searcher.search(parser.parse(text), limit=10, groupedby=facets)
            for name in ("lang", "type", "year"):
                results.groups(name)
            for hit in results[:10]:  # (iterating Results itself walks more than the top 10 here)
                hit.highlights("body")
            times.append((time.perf_counter() - started) * 1000)
    return times


# -- long PDFs -------------------------------------------------------------------------------

def long_pdf_corpus(path: Path, long_records: int = 16, pages: int = 200, short: int = 1500) -> None:
    rng = random.Random(11)
    pool = sentences()["en"] + sentences()["ko"]
    with path.open("w", encoding="utf-8") as out:
        for n in range(long_records):
            page_list = [{"number": p, "text": " ".join(rng.choice(pool) for _ in range(12))
                          + (" Seoul city policy." if p % 40 == 0 else "")} for p in range(1, pages + 1)]
            record = {"id": f"brochure-{n}", "title": f"Brochure {n}", "lang": "mixed", "type": "brochure",
                      "body": "\n\n".join(p["text"] for p in page_list), "pages": page_list}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        for n in range(short):
            body = " ".join(rng.choice(pool) for _ in range(5)) + (" Seoul." if n % 3 == 0 else "")
            out.write(json.dumps({"id": f"short-{n}", "title": f"Note {n}", "body": body}, ensure_ascii=False) + "\n")


def long_pdf(tmp: Path) -> None:
    import requests

    corpus = tmp / "long.jsonl"
    long_pdf_corpus(corpus)
    index = tmp / "index-long"
    seconds = build_ours(corpus, index)
    print(f"\n== long PDFs: 16 x 200 pages among 1,500 short records, built in {seconds:.1f} s ==")
    proc, url = start_server(index, 2, "--no-verify")
    try:
        params = {"q": "seoul", "type": "brochure", "size": "16"}
        for _ in range(2):
            requests.get(url + "/api/search", params=params, timeout=60)
        searches: list[float] = []
        health: list[float] = []
        for _ in range(5):
            def one() -> None:
                started = time.perf_counter()
                assert requests.get(url + "/api/search", params=params, timeout=60).status_code == 200
                searches.append((time.perf_counter() - started) * 1000)
            threads = [threading.Thread(target=one) for _ in range(2)]
            for thread in threads:
                thread.start()
            while any(t.is_alive() for t in threads):
                started = time.perf_counter()
                requests.get(url + "/healthz", timeout=60)
                health.append((time.perf_counter() - started) * 1000)
                time.sleep(0.01)
            for thread in threads:
                thread.join()
    finally:
        stop_server(proc)
    print(f"two at once, x5: search max {max(searches):.0f} ms, median {statistics.median(searches):.0f} ms "
          f"(target < 1000); /healthz max {max(health):.1f} ms over {len(health)} polls (target < 100)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--queries", type=int, default=200, help="queries per set (half Korean, half English)")
    parser.add_argument("--typos", type=int, default=60, help="misspelt queries sent to the fresh server")
    parser.add_argument("--long-pdf", action="store_true", help="only the long-PDF measurement")
    parser.add_argument("--embeddings", action="store_true",
                        help="build with embeddings and search in hybrid mode (default: words only, as bare Whoosh)")
    args = parser.parse_args()
    if not (_devsets.available("ko") and _devsets.available("en")):
        print(f"skipped: dev sets not found under {_devsets.EVAL_DEV}")
        return
    print(f"{os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp_name:
        tmp = Path(tmp_name)
        if args.long_pdf:
            long_pdf(tmp)
            return
        corpus = tmp / "scale.jsonl"
        write_corpus(corpus, args.records)
        ours, bare = tmp / "index", tmp / "bare"
        ours_build = build_ours(corpus, ours, args.embeddings)
        print(f"built: this project {ours_build:.1f} s", flush=True)  # a long run shows its progress
        bare_build = build_bare(corpus, bare)
        print(f"built: bare Whoosh {bare_build:.1f} s", flush=True)
        live = ours / "generations" / (ours / "CURRENT").read_text().strip()
        print(f"\n== {args.records:,} records ==")
        print(f"build: this project {ours_build:.1f} s, bare Whoosh (procs=2) {bare_build:.1f} s, "
              f"ratio {ours_build / bare_build:.2f} (target <= 2.0)")
        print(f"size on disk: this project {folder_size(live) / 1e6:.1f} MB "
              f"(derived arrays {folder_size(live / 'derived') / 1e6:.1f} MB), bare Whoosh {folder_size(bare) / 1e6:.1f} MB")
        sets = query_sets(args.queries)
        proc, url = start_server(ours, 2, "--no-verify")
        try:
            fresh = fresh_latencies(url, typos(args.typos))
            api = {name: api_latencies(url, queries) for name, queries in sets.items()}
            memory = worker_memory(proc)
        finally:
            stop_server(proc)
        plain = {name: bare_latencies(bare, queries) for name, queries in sets.items()}
        print(f"{'':28}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
        for name in sets:
            for label, values in ((f"API over HTTP, {name}", api[name]), (f"bare Whoosh, {name}", plain[name])):
                print(f"{label:28}{pct(values, 50):9.1f}{pct(values, 95):9.1f}{pct(values, 99):9.1f}")
            print(f"{'':28}p95 ratio API / bare: {pct(api[name], 95) / pct(plain[name], 95):.2f} (target <= 1.0)")
        print(f"fresh server, {len(fresh['search'])} misspelt words "
              f"({sum(fresh['suggested'])} got a did-you-mean suggestion):")
        print(f"{'':28}{'1st ms':>9}{'2nd ms':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
        for name in ("search", "suggest"):
            values = fresh[name]
            print(f"{name:28}{values[0]:9.1f}{values[1]:9.1f}{pct(values, 50):9.1f}{pct(values, 95):9.1f}"
                  f"{pct(values, 99):9.1f}")
        for n, (rss, uss, anonymous) in enumerate(memory, 1):
            print(f"API worker {n}: RSS {rss:.0f} MB, USS {uss:.0f} MB, anonymous {anonymous:.0f} MB (target <= 250)")


if __name__ == "__main__":
    main()
