"""Relevance benchmark: MRR@10 / Recall@10 on the ko and en dev sets.

Systems, each a real Whoosh index (temp dir, fields title+body, BM25F, bag-of-words
OR queries):
  (a) policy   -- indexer.analysis: morpheme fields + lower-weighted Hangul bigram fields
  api          -- the same index queried as /api/search does (every word must match, else
                  any word; glossary and city expansion), ranked by Whoosh's matchers
  api-vec      -- the same, ranked as /api/search ranks (vectorized over postings arrays)
  api-vec-nobigram -- ablation: api-vec on an index without the Hangul bigram fields
  (b) bigram   -- baseline: Hangul character bigrams + lowercased words, title+body
  (c) standard -- whoosh StandardAnalyzer, title+body
  morph        -- ablation: (a) without the bigram fields
(a) uses indexer.analysis.BM25_PARAMS; (b) and (c) Whoosh's default BM25F (B=0.75, K1=1.2).
Run: ``.venv/bin/python bench/bench_relevance.py [--lang ko en]``.

``--hybrid``: search by words and by meaning as ``/api/search`` runs it (``run_search`` on a
real generation built by ``build_records`` with embeddings): modes lexical (the baseline),
semantic and hybrid side by side, hybrid without the glossary expansion and hybrid on a
generation built without the Hangul bigram fields, on ko, en, xling/ko2en and xling/en2ko
(``--sets``).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from whoosh import fields, index, query  # noqa: E402
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StandardAnalyzer  # noqa: E402
from whoosh.scoring import BM25F  # noqa: E402

from bench import _devsets  # noqa: E402
from indexer.analysis import BM25_PARAMS, build_query, schema_fields  # noqa: E402


class _HangulBigrams(Filter):
    """Baseline: Hangul words -> character bigrams; other words unchanged."""

    def __call__(self, tokens):
        for t in tokens:
            w = t.text
            if "\uac00" <= w[0] <= "\ud7a3" and len(w) > 1:
                for i in range(len(w) - 1):
                    t.text = w[i:i + 2]
                    yield t
            else:
                yield t


def bigram_baseline_analyzer():
    """Plain baseline: Hangul runs as char bigrams, other \\w runs as lowercased words."""
    return RegexTokenizer(r"[\uac00-\ud7a3]+|[^\W\uac00-\ud7a3]+") | LowercaseFilter() | _HangulBigrams()


def _plain_schema(analyzer) -> fields.Schema:
    return fields.Schema(id=fields.ID(stored=True, unique=True),
                         title=fields.TEXT(analyzer=analyzer), body=fields.TEXT(analyzer=analyzer))


def _policy_schema() -> fields.Schema:
    return fields.Schema(id=fields.ID(stored=True, unique=True), **schema_fields(stored=False))


def _index(schema: fields.Schema, docs: list[dict], dirname: str) -> index.Index:
    ix = index.create_in(dirname, schema)
    w = ix.writer()
    names = set(schema.names())
    for d in docs:
        doc = {"id": d["id"], "title": d.get("title") or "", "body": d.get("text") or ""}
        if "body_bigram" in names:
            doc["title_bigram"], doc["body_bigram"] = doc["title"], doc["body"]
        w.add_document(**doc)
    w.commit()
    return ix


def _plain_query(text: str, schema: fields.Schema) -> query.Query:
    return build_query(text, schema, ["title", "body"])


def api_query(text: str, searcher) -> query.Query:
    """The API's own query semantics: every word must match, else any word (search_api)."""
    from search_api.query.build import QueryBuilder
    from search_api.query.parse import parse_query

    builder = QueryBuilder(searcher.schema)
    parsed = parse_query(text, max_chars=100_000, max_terms=100_000)
    strict = builder.build(parsed)
    if strict is None:
        return query.NullQuery
    if any(True for _ in searcher.docs_for_query(strict)):
        return strict
    return builder.build(parsed, relaxed=True)


api_query.needs_searcher = True  # type: ignore[attr-defined]


def api_vectorized(text: str, searcher) -> list[str]:
    """The API's query semantics ranked as /api/search ranks: vectorized over postings arrays."""
    import numpy as np

    from search_api.query.build import QueryBuilder
    from search_api.query.parse import parse_query
    from search_api.query.lexical import LexicalIndex, attach, attached

    lexical = attached(searcher)
    if lexical is None:
        lexical = LexicalIndex.open(Path(tempfile.gettempdir()) / "no-derived-arrays", searcher)
        attach(searcher, lexical)
    builder = QueryBuilder(searcher.schema)
    parsed = parse_query(text, max_chars=100_000, max_terms=100_000)
    strict = builder.build(parsed)
    if strict is None:
        return []
    mask, scores, _ = lexical.score_all(strict)
    if not mask.any():
        mask, scores, _ = lexical.score_all(builder.build(parsed, relaxed=True))
    docs = np.flatnonzero(mask)
    top = docs[np.lexsort((docs, -np.round(scores[docs], 9)))][:10]
    return [searcher.stored_fields(int(d))["id"] for d in top]


api_vectorized.needs_searcher = True  # type: ignore[attr-defined]
api_vectorized.ranks = True  # type: ignore[attr-defined]


def _morph_schema() -> fields.Schema:
    """The policy fields without the Hangul bigram twins (ablation)."""
    return fields.Schema(id=fields.ID(stored=True, unique=True),
                         **{k: v for k, v in schema_fields(stored=False).items() if not k.endswith("_bigram")})


def evaluate(ds: _devsets.DevSet, schema: fields.Schema, make_query: Callable,
             weighting: BM25F | None = None) -> dict[str, float]:
    """Index ``ds.corpus`` with ``schema``, run every query, return MRR@10 and Recall@10."""
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        ix = _index(schema, ds.corpus, tmp)
        t_index = time.perf_counter() - t0
        mrr = rec = 0.0
        with ix.searcher(weighting=weighting or BM25F(**BM25_PARAMS)) as s:
            for q in ds.queries:
                rel = ds.qrels.get(q["id"], set())
                made = make_query(q["text"], s if getattr(make_query, "needs_searcher", False) else s.schema)
                if getattr(make_query, "ranks", False):  # the system ranks itself: made is the top 10
                    hits = made
                else:
                    hits = [h["id"] for h in s.search(made, limit=10, optimize=False)]  # exact top 10
                rr, recall = _judge(hits, rel)
                mrr += rr
                rec += recall
        n = len(ds.queries)
        return {"mrr10": mrr / n, "recall10": rec / n, "index_s": t_index}


def _judge(hits: list[str], relevant: set[str]) -> tuple[float, float]:
    """Reciprocal rank of the first relevant hit, and the share of the relevant docs among ``hits``."""
    rr = next((1.0 / rank for rank, doc_id in enumerate(hits, 1) if doc_id in relevant), 0.0)
    return rr, (len(relevant.intersection(hits)) / len(relevant) if relevant else 0.0)


# name -> (schema factory, query builder, weighting); baselines use Whoosh's default BM25F.
SYSTEMS: dict[str, tuple[Callable[[], fields.Schema], Callable, Callable[[], BM25F]]] = {
    "policy": (_policy_schema, build_query, lambda: BM25F(**BM25_PARAMS)),
    # the API's query semantics (all words, else any; cross-lingual expansion) on the same fields
    "api": (_policy_schema, api_query, lambda: BM25F(**BM25_PARAMS)),
    # /api/search's own ranking: vectorized over postings arrays (search_api.query.lexical)
    "api-vec": (_policy_schema, api_vectorized, lambda: BM25F(**BM25_PARAMS)),
    # ablation: the API's ranking on an index without the Hangul bigram fields
    "api-vec-nobigram": (_morph_schema, api_vectorized, lambda: BM25F(**BM25_PARAMS)),
    "morph": (_policy_schema, _plain_query, lambda: BM25F(**BM25_PARAMS)),  # ablation: no bigram fields
    "bigram": (lambda: _plain_schema(bigram_baseline_analyzer()), _plain_query, BM25F),
    "standard": (lambda: _plain_schema(StandardAnalyzer()), _plain_query, BM25F),
}


#: mode name -> SearchParams overrides (hybrid-noexp: hybrid without the glossary expansion;
#: hybrid-nobigram: hybrid on a generation built without the Hangul bigram fields).
MODES = {"lexical": {"mode": "lexical"}, "semantic": {"mode": "semantic"}, "hybrid": {"mode": "hybrid"},
         "hybrid-noexp": {"mode": "hybrid", "expand": False}, "hybrid-nobigram": {"mode": "hybrid"}}
#: Modes searched on the generation built without the bigram fields.
NO_BIGRAM_MODES = ("hybrid-nobigram",)


def _build_variant(records: list, origins: dict, index: Path, bigrams: bool) -> float:
    """Build a generation with embeddings (without the Hangul bigram fields unless ``bigrams``)."""
    from indexer.index import schema as schema_module
    from indexer.index.builder import build_records

    saved = dict(schema_module.EXTRA_FIELDS)
    if not bigrams:
        for name in ("title_bigram", "body_bigram"):
            schema_module.EXTRA_FIELDS.pop(name, None)
    try:
        started = time.perf_counter()
        build_records(records, origins, index, workers=2)
        return time.perf_counter() - started
    finally:
        schema_module.EXTRA_FIELDS.clear()
        schema_module.EXTRA_FIELDS.update(saved)


def evaluate_modes(name: str, modes: list[str]) -> dict[str, dict[str, float]]:
    """MRR@10 and Recall@10 of ``run_search`` in each mode over the dev set ``name``."""
    from indexer.extract import extract_sources
    from search_api.index_reader import Snapshot
    from search_api.query.search import SearchParams, run_search

    ds = _devsets.load(name)
    out: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        extracted = extract_sources([_devsets.EVAL_DEV / name / "corpus.jsonl"])
        snapshots: dict[bool, Snapshot] = {}
        for mode in modes:
            bigrams = mode not in NO_BIGRAM_MODES
            if bigrams not in snapshots:
                index = Path(tmp) / f"index-{'bigram' if bigrams else 'nobigram'}"
                build_s = _build_variant(extracted.records, extracted.origins, index, bigrams)
                snapshots[bigrams] = Snapshot(index)
            snapshot = snapshots[bigrams]
            mrr = rec = 0.0
            t0 = time.perf_counter()
            for q in ds.queries:
                params = SearchParams(q=q["text"], size=10, **MODES[mode])
                hits = [r["id"] for r in run_search(snapshot, params, max_chars=100_000)["results"]]
                rel = ds.qrels.get(q["id"], set())
                rr, recall = _judge(hits, rel)
                mrr += rr
                rec += recall
            n = len(ds.queries)
            out[mode] = {"mrr10": mrr / n, "recall10": rec / n, "ms_per_query": (time.perf_counter() - t0) * 1000 / n}
            print(f"{name} {mode:12s} MRR@10={mrr / n:.4f} Recall@10={rec / n:.4f} "
                  f"({out[mode]['ms_per_query']:.1f} ms/query; build with embeddings {build_s:.1f}s)", flush=True)
    return out


def main_hybrid(sets: list[str], modes: list[str]) -> int:
    results = {name: evaluate_modes(name, modes) for name in sets if _devsets.available(name)}
    print("\nMRR@10     " + "".join(f"{m:>16s}" for m in modes))
    for name, per in results.items():
        print(f"{name:12s}" + "".join(f"{per[m]['mrr10']:16.4f}" for m in modes))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", nargs="+", default=["ko", "en"])
    ap.add_argument("--systems", nargs="+", default=list(SYSTEMS))
    ap.add_argument("--hybrid", action="store_true", help="lexical, semantic and hybrid search as the API runs them")
    ap.add_argument("--sets", nargs="+", default=["ko", "en", "xling/ko2en", "xling/en2ko"])
    ap.add_argument("--modes", nargs="+", default=list(MODES), choices=list(MODES))
    args = ap.parse_args(argv)
    if args.hybrid:
        return main_hybrid(args.sets, args.modes)
    results: dict[str, dict[str, dict[str, float]]] = {}
    for lang in args.lang:
        if not _devsets.available(lang):
            print(f"skip {lang}: dev set not found under {_devsets.EVAL_DEV}")
            continue
        ds = _devsets.load(lang)
        for name in args.systems:
            make_schema, make_query, make_weighting = SYSTEMS[name]
            r = evaluate(ds, make_schema(), make_query, make_weighting())
            results.setdefault(name, {})[lang] = r
            print(f"{lang} {name:9s} MRR@10={r['mrr10']:.4f} Recall@10={r['recall10']:.4f} "
                  f"(index {r['index_s']:.1f}s)", flush=True)
    langs = [lang for lang in args.lang if any(lang in v for v in results.values())]
    print("\nsystem     " + "".join(f"{lang + ' MRR':>10s}{lang + ' R@10':>10s}" for lang in langs) + "  mean MRR")
    for name, per in results.items():
        cells = "".join(f"{per[lang]['mrr10']:10.4f}{per[lang]['recall10']:10.4f}" for lang in langs if lang in per)
        mean = sum(per[lang]["mrr10"] for lang in per) / len(per)
        print(f"{name:10s} {cells}  {mean:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
