"""Cross-lingual benchmark: MRR@10 with and without query expansion.

1. The cross-lingual check set ``bench/crosslingual_queries.tsv`` (query, lang,
   relevant record titles or ids separated by `` || ``) over a real index of the
   seed corpus (``corpus/``, extracted by ``indexer.extract.extract_sources``),
   searched through the API's own ``run_search`` (strict, then relaxed; collapse).
2. The monolingual dev sets (``../shared/eval-dev/{ko,en}``, see ``bench/_devsets.py``)
   indexed with the policy schema (``bench_relevance._policy_schema``), searched with
   the API's ``QueryBuilder`` (strict, relaxed when nothing matches) before and after
   expansion: expansion must not lower it.

Run: ``.venv/bin/python bench/bench_crosslingual.py [--lang ko en] [--no-dev]``.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from whoosh.scoring import BM25F  # noqa: E402

from bench import _devsets  # noqa: E402
from bench.bench_relevance import _index, _policy_schema  # noqa: E402
from indexer.analysis import BM25_PARAMS  # noqa: E402
from search_api.errors import APIError  # noqa: E402
from search_api.query.build import QueryBuilder  # noqa: E402
from search_api.query.parse import parse_query  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
QUERIES = Path(__file__).resolve().parent / "crosslingual_queries.tsv"


def load_queries(path: Path = QUERIES) -> list[tuple[str, str, set[str]]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip() and not line.startswith("#"):
            query, lang, relevant = line.split("\t")
            rows.append((query, lang, {r.strip() for r in relevant.split("||") if r.strip()}))
    return rows


def _rr(ranked: list[tuple[str, str]], relevant: set[str]) -> float:
    for rank, (doc_id, title) in enumerate(ranked[:10], 1):
        if doc_id in relevant or title in relevant:
            return 1.0 / rank
    return 0.0


def crosslingual(index_dir: Path, expand: bool, verbose: bool = False, mode: str = "lexical") -> dict[str, float]:
    """MRR@10 of the check set through ``run_search`` (expansion on or off; lexical or hybrid)."""
    from search_api.query import search as search_module
    from search_api.index_reader import IndexHolder

    holder = IndexHolder(index_dir)
    per_lang: dict[str, list[float]] = {}
    try:
        with holder.snapshot() as snapshot:
            for query, lang, relevant in load_queries():
                params = search_module.SearchParams(q=query, size=10, expand=expand, mode=mode)
                body = search_module.run_search(snapshot, params)
                rr = _rr([(r["id"], r["title"]) for r in body["results"]], relevant)
                per_lang.setdefault(lang, []).append(rr)
                if verbose:
                    print(f"  {'+' if expand else '-'} {mode} {rr:.2f} [{lang}] {query}")
    finally:
        holder.close()
    out = {lang: sum(v) / len(v) for lang, v in per_lang.items()}
    every = [x for v in per_lang.values() for x in v]
    out["all"] = sum(every) / len(every)
    return out


def build_seed_index(root: Path) -> Path:
    from indexer.index.builder import build_index

    build_index([REPO / "corpus"], root / "index")
    return root / "index"


def _api_query(searcher, text: str, expand: bool):
    try:
        parsed = parse_query(text, 500, 32)
    except APIError:
        parsed = parse_query(" ".join(text.split()[:32])[:500], 500, 32)
    builder = QueryBuilder(searcher.schema, expand=expand)
    query = builder.build(parsed)
    if query is not None and len(parsed.groups) > 1 and not any(True for _ in searcher.docs_for_query(query)):
        query = builder.build(parsed, relaxed=True)
    return query


def devset(ds: _devsets.DevSet) -> dict[str, dict[str, float]]:
    """MRR@10 on a dev set with the API's query builder, expansion off and on (one index)."""
    with tempfile.TemporaryDirectory() as tmp:
        ix = _index(_policy_schema(), ds.corpus, tmp)
        out = {}
        with ix.searcher(weighting=BM25F(**BM25_PARAMS)) as s:
            for expand in (False, True):
                mrr = 0.0
                t0 = time.perf_counter()
                for q in ds.queries:
                    query = _api_query(s, q["text"], expand)
                    hits = [] if query is None else [h["id"] for h in s.search(query, limit=10)]
                    mrr += _rr([(h, "") for h in hits], ds.qrels.get(q["id"], set()))
                out["after" if expand else "before"] = {"mrr10": mrr / len(ds.queries),
                                                        "seconds": time.perf_counter() - t0}
        return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", nargs="+", default=["ko", "en"])
    ap.add_argument("--no-dev", action="store_true", help="Skip the monolingual dev sets.")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = build_seed_index(Path(tmp))
        runs = {(mode, expand): crosslingual(index_dir, expand=expand, verbose=args.verbose, mode=mode)
                for mode in ("lexical", "hybrid") for expand in (False, True)}
    n = len(load_queries())
    print(f"cross-lingual check set ({n} queries) MRR@10")
    for mode in ("lexical", "hybrid"):
        without, with_ = runs[(mode, False)], runs[(mode, True)]
        for key in with_:
            print(f"  {mode:7s} {key:4s} without expansion {without[key]:.4f}   with expansion {with_[key]:.4f}")
    if args.no_dev:
        return 0
    print("monolingual dev sets MRR@10 (API query builder)")
    for lang in args.lang:
        if not _devsets.available(lang):
            print(f"  skip {lang}: dev set not found under {_devsets.EVAL_DEV}")
            continue
        r = devset(_devsets.load(lang))
        print(f"  {lang} before {r['before']['mrr10']:.4f}   after {r['after']['mrr10']:.4f}"
              f"   (query time {r['before']['seconds']:.1f}s / {r['after']['seconds']:.1f}s)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
