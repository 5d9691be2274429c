"""Read-only inspection of the live generation: stats and verify."""
from __future__ import annotations

import json
import logging
from collections import Counter
from pathlib import Path
from typing import Any

from indexer.index import generations as gens

log = logging.getLogger(__name__)


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def stats(index_dir: Path) -> dict[str, Any]:
    """Generation, record count, counts by lang/type/year, built_at and size on disk."""
    index_dir = Path(index_dir)
    ix, metadata = gens.open_live(index_dir)
    by_lang: Counter[str] = Counter()
    by_type: Counter[str] = Counter()
    by_year: Counter[str] = Counter()
    with ix.reader() as reader:
        records = reader.doc_count()
        for _, stored in reader.iter_docs():
            record = json.loads(stored["record"])
            by_lang[record["lang"]] += 1
            by_type[record["type"]] += 1
            by_year[record["date"][:4] if record.get("date") else "none"] += 1
    live = gens.live_path(index_dir)
    return {
        "index": str(index_dir.resolve()),
        "generation": metadata.get("generation", live.name),
        "previous": metadata.get("previous"),
        "operation": metadata.get("operation"),
        "records": records,
        "by_lang": dict(sorted(by_lang.items())),
        "by_type": dict(sorted(by_type.items())),
        "by_year": dict(sorted(by_year.items())),
        "built_at": metadata.get("built_at"),
        "skipped": len(metadata.get("skipped", [])),
        "size_bytes": _size(live),
        "generations": gens.list_generations(index_dir),
    }


def verify(index_dir: Path) -> list[str]:
    """Problems of the live generation (empty list when it is sound).

    Checks every index file against the size and sha256 recorded when the
    generation was written, then that Whoosh opens it, that its document count
    matches the metadata, that every stored document decodes and that the
    postings of every term of every field can be read.
    """
    index_dir = Path(index_dir)
    live = gens.live_path(index_dir)
    metadata = gens.read_metadata(live)
    problems: list[str] = []
    expected = metadata.get("files", {})
    actual = gens.file_digests(live)
    for name, info in expected.items():
        if name not in actual:
            problems.append(f"file {name} is missing")
        elif actual[name] != info:
            problems.append(f"file {name} differs from when it was written (corrupted)")
    for name in sorted(set(actual) - set(expected)):
        problems.append(f"unexpected file {name}")
    try:
        ix, _ = gens.open_live(index_dir)
        with ix.reader() as reader:
            count = reader.doc_count()
            if count != metadata.get("records"):
                problems.append(f"index holds {count} documents but metadata says {metadata.get('records')}")
            for docnum, stored in reader.iter_docs():
                json.loads(stored["record"])
            for fieldname in reader.indexed_field_names():
                for term in reader.lexicon(fieldname):
                    for _ in reader.postings(fieldname, term).all_ids():
                        pass
            for fieldname, fieldtype in ix.schema.items():
                if fieldtype.column_type is not None and reader.has_column(fieldname):
                    list(reader.column_reader(fieldname))
    except Exception as exc:  # any failure to read is a corruption to report
        problems.append(f"reading the index failed: {type(exc).__name__}: {exc}")
    for problem in problems:
        log.warning("%s: %s", live.name, problem)
    return problems
