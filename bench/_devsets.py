"""Load the development relevance sets from ``../shared/eval-dev/{ko,en}`` beside the repo."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
EVAL_DEV = Path(os.environ.get("POLICY_EVAL_DEV", REPO_ROOT.parent / "shared" / "eval-dev"))


@dataclass
class DevSet:
    """Corpus ``{id,title,text,lang}``, queries ``{id,text}``, qrels ``query_id -> {doc_id}``."""

    lang: str
    corpus: list[dict]
    queries: list[dict]
    qrels: dict[str, set[str]]


def available(lang: str) -> bool:
    """Whether the dev set for ``lang`` is present."""
    d = EVAL_DEV / lang
    return all((d / f).is_file() for f in ("corpus.jsonl", "queries.jsonl", "qrels.tsv"))


def _jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load(lang: str) -> DevSet:
    """Load the ``ko`` or ``en`` dev set (raises FileNotFoundError when absent)."""
    d = EVAL_DEV / lang
    qrels: dict[str, set[str]] = {}
    with (d / "qrels.tsv").open(encoding="utf-8") as f:
        next(f)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 3 and float(cols[2]) > 0:
                qrels.setdefault(cols[0], set()).add(cols[1])
    return DevSet(lang, _jsonl(d / "corpus.jsonl"), _jsonl(d / "queries.jsonl"), qrels)
