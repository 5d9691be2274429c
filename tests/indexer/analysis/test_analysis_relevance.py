"""Relevance target on the dev sets (skipped when ../shared/eval-dev is absent)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))


@pytest.mark.slow
def test_mrr_close_to_bigram_baseline_and_better_on_mean(eval_dev: Path):
    from bench import _devsets, bench_relevance as br

    ours, base = {}, {}
    for lang in ("ko", "en"):
        if not _devsets.available(lang):
            pytest.skip(f"dev set {lang} not found under {_devsets.EVAL_DEV}")
        ds = _devsets.load(lang)
        for name, out in (("policy", ours), ("bigram", base)):
            make_schema, make_query, make_weighting = br.SYSTEMS[name]
            out[lang] = br.evaluate(ds, make_schema(), make_query, make_weighting())["mrr10"]
    for lang in ours:
        assert ours[lang] >= base[lang] - 0.01, (lang, ours, base)
    assert sum(ours.values()) > sum(base.values()), (ours, base)
