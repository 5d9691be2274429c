"""Build time of the index: full builds with 1 vs 2 workers, and our analyzer vs Whoosh's.

Default table: the full ``policy-index build`` (extraction + enrichment + analysis +
indexing + generation switch), run as a fresh CLI process per build (so start-up,
imports and per-process loading count, as for a user), with ``--workers 1`` and
``--workers 2`` side by side, on two corpora made from the dev corpora
/work/shared/eval-dev/{ko,en}/corpus.jsonl: "small" (ko 1,000 + en 1,065 records,
as JSONL exports) and "large" (the same records x5 with new ids). Runs alternate
between the worker counts; the best and the median wall time are printed with the
CPU time of the build's processes and the load average before the runs (other work on
the machine slows a 2-worker build most, so check it).

``--analyzers`` adds the older table: records built directly with ``build_records``
(no extraction) with our analyzer vs Whoosh's StandardAnalyzer.

``--embeddings N``: instead, the cost of search by meaning: ``policy-index build --workers 2``
of N synthetic records (sentences of the dev corpora recombined, so few texts repeat and the
embedding cache helps little) without embeddings (``--no-embeddings``, the baseline) and with
them (empty cache), alternating, ``--repeat`` times each (medians compared), then an
unchanged rebuild with them (every vector from the cache).

``--words-only`` skips the builds with embeddings (for large N). ``--shape files`` writes the same records as many small files instead (one text file each,
title on the first line). ``--embeddings N`` also builds the same records with bare Whoosh 2.7.4 (StandardAnalyzer, ``procs=2``,
stored title and body): the baseline the build is held to (at most 2x it, words only).

Usage: python bench/bench_build.py [--repeat N] [--sizes small,large] [--analyzers] [--embeddings N [--shape files]]
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from whoosh.analysis import StandardAnalyzer  # noqa: E402

from indexer.index import build_records  # noqa: E402
from indexer.index import schema as schema_module  # noqa: E402
from indexer.index.generations import open_live  # noqa: E402
from indexer.records import content_hash  # noqa: E402

DEV = Path("/work/shared/eval-dev")


def load(lang: str) -> list[dict[str, Any]]:
    records = []
    with (DEV / lang / "corpus.jsonl").open(encoding="utf-8") as handle:
        for position, line in enumerate(handle):
            item = json.loads(line)
            text = item.get("text", "")
            record = {
                "id": item["id"], "title": item.get("title") or text[:80] or item["id"], "body": text,
                "lang": item.get("lang", lang) if item.get("lang") in ("ko", "en", "mixed") else lang,
                "type": "article", "source": {"path": f"{lang}/corpus.jsonl", "position": position},
                "cities": [], "topics": [], "sdgs": [],
            }
            record["content_hash"] = content_hash(record)
            records.append(record)
    return records


def megabytes(records: list[dict[str, Any]]) -> float:
    return sum(len(r["title"].encode()) + len(r["body"].encode()) for r in records) / 1e6


def run_records(records: list[dict[str, Any]], workers: int, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            build_records(records, {}, Path(tmp) / "index", workers=workers, progress=False)
            best = min(best, time.perf_counter() - started)
    return best


def analyzer_table(repeat: int) -> None:
    corpora = {lang: load(lang) for lang in ("ko", "en")}
    corpora["ko+en"] = corpora["ko"] + corpora["en"]
    ours = schema_module.text_analyzer
    ours_name = type(ours()).__name__
    configs = [(f"ours ({ours_name})", ours, 1), (f"ours ({ours_name})", ours, 2),
               ("StandardAnalyzer", StandardAnalyzer, 1), ("StandardAnalyzer", StandardAnalyzer, 2)]
    print(f"{'corpus':8} {'analyzer':34} {'workers':>7} {'records':>7} {'MB':>6} {'sec':>7} {'rec/s':>8} {'MB/s':>6}")
    for name, records in corpora.items():
        size = megabytes(records)
        for label, analyzer, workers in configs:
            schema_module.text_analyzer = analyzer
            try:
                seconds = run_records(records, workers, repeat)
            finally:
                schema_module.text_analyzer = ours
            print(f"{name:8} {label:34} {workers:>7} {len(records):>7} {size:>6.2f} {seconds:>7.2f} "
                  f"{len(records) / seconds:>8.0f} {size / seconds:>6.2f}")


SIZES = {"small": 1, "large": 5}
#: The two shapes of a build's input: one large export, or one small file per record.
SHAPES = {"export": "one JSONL export", "files": "one text file each"}


def write_sources(folder: Path, copies: int) -> list[Path]:
    """JSONL exports (id, title, body, lang) of the dev corpora, ``copies`` times with new ids."""
    paths = []
    for lang in ("ko", "en"):
        path = folder / f"dev{copies}-{lang}.jsonl"
        with (DEV / lang / "corpus.jsonl").open(encoding="utf-8") as src, path.open("w", encoding="utf-8") as out:
            lines = [json.loads(line) for line in src if line.strip()]
            for copy in range(copies):
                for item in lines:
                    out.write(json.dumps({"id": item["id"] if copies == 1 else f"{item['id']}-x{copy}",
                                          "title": item.get("title") or "", "body": item["text"],
                                          "lang": lang}, ensure_ascii=False) + "\n")
        paths.append(path)
    return paths


def cli_build(sources: list[Path], workers: int, *extra: str, index: Path | None = None) -> tuple[float, float, int]:
    """One ``policy-index build`` in a fresh process: (wall seconds, CPU seconds, records)."""
    with tempfile.TemporaryDirectory() as tmp:
        target = index or Path(tmp) / "index"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "indexer.cli", "build", *map(str, sources),
                               "--index", str(target), "--workers", str(workers), *extra],
                              cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)),
                              capture_output=True, text=True)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            raise SystemExit(f"build failed ({done.returncode}): {done.stderr[-2000:]}")
        ix, _ = open_live(target)
        with ix.reader() as reader:
            count = reader.doc_count()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, count


def workers_table(sizes: list[str], repeat: int) -> None:
    print(f"full build (CLI: extraction + indexing), {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'corpus':6} {'records':>7} | {'w1 best':>7} {'w1 med':>7} {'w1 cpu':>7} | "
          f"{'w2 best':>7} {'w2 med':>7} {'w2 cpu':>7} | {'w1/w2':>5} {'load':>5}")
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            sources = write_sources(Path(tmp), SIZES[size])
            walls: dict[int, list[float]] = {1: [], 2: []}
            cpus: dict[int, list[float]] = {1: [], 2: []}
            counts = set()
            for _ in range(repeat):
                for workers in (1, 2):
                    wall, cpu, count = cli_build(sources, workers)
                    walls[workers].append(wall)
                    cpus[workers].append(cpu)
                    counts.add(count)
            if len(counts) != 1:
                raise SystemExit(f"{size}: the builds disagree on the document count: {sorted(counts)}")
            best = {w: min(v) for w, v in walls.items()}
            median = {w: statistics.median(v) for w, v in walls.items()}
            cpu = {w: statistics.median(v) for w, v in cpus.items()}
            print(f"{size:6} {counts.pop():>7} | {best[1]:>7.2f} {median[1]:>7.2f} {cpu[1]:>7.2f} | "
                  f"{best[2]:>7.2f} {median[2]:>7.2f} {cpu[2]:>7.2f} | {median[1] / median[2]:>5.2f} "
                  f"{os.getloadavg()[0]:>5.2f}", flush=True)


def write_synthetic(folder: Path, count: int) -> Path:
    """``count`` records of 4 to 9 dev-corpus sentences recombined (half Korean, half English)."""
    import random
    import re

    rng = random.Random(20261129)
    sentences = {}
    for lang in ("ko", "en"):
        texts = [json.loads(line)["text"] for line in (DEV / lang / "corpus.jsonl").open(encoding="utf-8")]
        sentences[lang] = [s for t in texts for s in re.split(r"(?<=[.!?다])\s+", t) if len(s) > 20]
    path = folder / f"synthetic-{count}.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            lang = "ko" if i % 2 else "en"
            pool = sentences[lang]
            out.write(json.dumps({"id": f"syn-{i}", "title": rng.choice(pool)[:60], "lang": lang,
                                  "body": " ".join(rng.choice(pool) for _ in range(rng.randint(4, 9)))},
                                 ensure_ascii=False) + "\n")
    return path


def write_files(folder: Path, export: Path) -> Path:
    """The records of ``export`` as many small files: one text file each (title line, blank line,
    body), 1,000 to a folder; returns the top folder."""
    top = folder / f"{export.stem}-files"
    with export.open(encoding="utf-8") as handle:
        for i, line in enumerate(handle):
            item = json.loads(line)
            path = top / f"{i // 1000:04d}" / f"{item['id']}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"{item['title']}\n\n{item['body']}\n", encoding="utf-8")
    return top


def bare_whoosh(source: Path, procs: int = 2) -> tuple[float, float, int]:
    """Bare Whoosh over the same records (a JSONL export, or a folder of text files whose first line
    is the title): StandardAnalyzer, ``procs`` writers; (wall, CPU, records)."""
    script = f"""
import json, os, sys
from whoosh import fields, index
from whoosh.analysis import StandardAnalyzer
schema = fields.Schema(id=fields.ID(stored=True, unique=True), lang=fields.ID(stored=True),
                       date=fields.ID(stored=True), title=fields.TEXT(analyzer=StandardAnalyzer(), stored=True),
                       body=fields.TEXT(analyzer=StandardAnalyzer(), stored=True))
ix = index.create_in(sys.argv[2], schema)
writer = ix.writer(procs={procs}, limitmb=256, multisegment=True)
count = 0
def items():
    if os.path.isdir(sys.argv[1]):
        for folder, dirs, files in os.walk(sys.argv[1]):
            dirs.sort()
            for name in sorted(files):
                with open(os.path.join(folder, name), encoding="utf-8") as handle:
                    title, _, body = handle.read().partition("\\n")
                yield {{"id": name, "title": title, "body": body.strip()}}
        return
    with open(sys.argv[1], encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)
for item in items():
    writer.add_document(**{{k: str(item.get(k, "")) for k in ("id", "lang", "date", "title", "body")}})
    count += 1
writer.commit()
print(count)
"""
    with tempfile.TemporaryDirectory() as tmp:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", script, str(source), tmp], capture_output=True, text=True)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"bare Whoosh failed: {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, int(done.stdout.split()[-1])


def embeddings_table(count: int, repeat: int, shape: str = "export", words_only: bool = False) -> None:
    from indexer.index.generations import live_path, read_metadata

    print(f"build of {count} synthetic records ({SHAPES[shape]}), --workers 2, {os.cpu_count()} CPUs, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {repeat} alternating runs each")
    with tempfile.TemporaryDirectory() as tmp:
        source = write_synthetic(Path(tmp), count)
        if shape == "files":
            source = write_files(Path(tmp), source)
        bare, bare_cpu, bare_records = bare_whoosh(source)
        print(f"{'bare Whoosh (StandardAnalyzer, procs=2)':40} {bare:7.1f} s wall {bare_cpu:7.1f} s CPU  "
              f"{bare_records} records", flush=True)
        base_runs, with_runs = [], []
        for run in range(repeat):
            base, base_cpu, records = cli_build([source], 2, "--no-embeddings")
            print(f"{'without embeddings (baseline)':40} {base:7.1f} s wall {base_cpu:7.1f} s CPU  {records} records",
                  flush=True)
            base_runs.append(base)
            if words_only:
                continue
            index = Path(tmp) / f"index-{run}"
            wall, cpu, _ = cli_build([source], 2, index=index)
            stats = read_metadata(live_path(index))["embeddings"]
            print(f"{'with embeddings, empty cache':40} {wall:7.1f} s wall {cpu:7.1f} s CPU  "
                  f"{stats['chunks']} chunks, {stats['embedded']} embedded", flush=True)
            with_runs.append(wall)
        if words_only:
            print(f"against bare Whoosh, words only: {statistics.median(base_runs) / bare:.2f}x (target <= 2; "
                  f"each run's: {', '.join(f'{b / bare:.2f}' for b in base_runs)})")
            return
        again, again_cpu, _ = cli_build([source], 2, index=index)
        stats = read_metadata(live_path(index))["embeddings"]
        print(f"{'unchanged rebuild with embeddings':40} {again:7.1f} s wall {again_cpu:7.1f} s CPU  "
              f"{stats['embedded']} embedded, {stats['reused']} from the cache")
        base, wall = statistics.median(base_runs), statistics.median(with_runs)
        print(f"median ratio with / without embeddings: {wall / base:.2f} (target <= 1.5; each run's: "
              f"{', '.join(f'{w / b:.2f}' for w, b in zip(with_runs, base_runs))}); "
              f"unchanged rebuild: {again / base:.2f}")
        print(f"against bare Whoosh: without embeddings {base / bare:.2f}x (target <= 2), "
              f"with {wall / bare:.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per configuration (best and median shown)")
    parser.add_argument("--sizes", default="small,large", help="comma-separated: small, large")
    parser.add_argument("--analyzers", action="store_true", help="also compare analyzers (build_records)")
    parser.add_argument("--embeddings", type=int, default=0, metavar="N",
                        help="only: build N synthetic records with and without embeddings")
    parser.add_argument("--shape", choices=sorted(SHAPES), default="export",
                        help="with --embeddings: the records as one JSONL export or as one text file each")
    parser.add_argument("--words-only", action="store_true",
                        help="with --embeddings: only bare Whoosh and the builds without embeddings")
    args = parser.parse_args()
    if not DEV.is_dir():
        print(f"skipped: {DEV} is absent (the dev corpora are needed)")
        return 0
    if args.embeddings:
        embeddings_table(args.embeddings, args.repeat, args.shape, args.words_only)
        return 0
    logging.basicConfig(level=logging.WARNING)
    sizes = [s for s in args.sizes.split(",") if s]
    unknown = set(sizes) - set(SIZES)
    if unknown:
        parser.error(f"unknown sizes: {', '.join(sorted(unknown))}")
    workers_table(sizes, args.repeat)
    if args.analyzers:
        print()
        analyzer_table(args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
