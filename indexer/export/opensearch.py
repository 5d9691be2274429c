"""Export the live generation for OpenSearch: an index definition and ``_bulk`` NDJSON files.

``FOLDER/index.json``      settings (Nori analysis for Korean, ``english`` for English) and mappings
``FOLDER/bulk-0001.ndjson`` ...  ``{"index": {"_index", "_id"}}`` / source pairs, at most
                           :data:`BULK_RECORDS` records or about :data:`BULK_BYTES` bytes per file
``FOLDER/manifest.json``   index name, generation, record count, files
``FOLDER/load.sh``         the curl commands that create the index and load the files

Text fields (title, body, page texts) are indexed twice: with a Nori analyzer
(``nori_tokenizer`` + ``nori_part_of_speech`` + ``nori_readingform`` + lowercase)
and, in a ``.en`` sub-field, with the ``english`` analyzer, so Korean, English and
mixed records are all searchable. Facets are keyword fields named as ours
(``city``, ``topic``, ``sdg``, ``lang``, ``type``) plus ``year`` (integer) and ``date``.

When the generation has embeddings (search by meaning), the index is a k-NN index and each
record carries them as ``knn_vector`` fields (cosine space, HNSW): ``vector``, the mean of
its passages' vectors, and ``passages``, nested, each passage's ``vector`` with its ``page``
and its span (``start``, ``end``) in the title, body or page text; a query is embedded with
the same packaged encoder (``indexer.embed.encoder``).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

from indexer.index import generations as gens
from indexer.index.schema import stored_record

BULK_RECORDS = 2_000
BULK_BYTES = 8 * 1024 * 1024
#: Facets of the search API and their OpenSearch type.
FACET_FIELDS = {"city": "keyword", "topic": "keyword", "sdg": "keyword", "lang": "keyword",
                "type": "keyword", "year": "integer"}
#: Parts of speech Nori drops (the default stop tags: endings, particles, symbols ...).
NORI_STOPTAGS = ["E", "IC", "J", "MAG", "MAJ", "MM", "SP", "SSC", "SSO", "SC", "SE", "XPN", "XSA",
                 "XSN", "XSV", "UNA", "NA", "VSV"]


def _text(**extra: Any) -> dict[str, Any]:
    return {"type": "text", "analyzer": "korean", "fields": {"en": {"type": "text", "analyzer": "english"}},
            **extra}


#: Digits kept of each vector component in the export (cosines change by under 1e-3).
VECTOR_DIGITS = 4


def _knn_vector(dim: int) -> dict[str, Any]:
    return {"type": "knn_vector", "dimension": dim,
            "method": {"name": "hnsw", "space_type": "cosinesimil", "engine": "lucene"}}


def index_definition(shards: int = 1, replicas: int = 1, vector_dim: int | None = None) -> dict[str, Any]:
    """The body of ``PUT /<index>`` (with k-NN vector fields when ``vector_dim`` is given)."""
    definition = _index_definition(shards, replicas)
    if vector_dim:
        definition["settings"]["index"]["knn"] = True
        props = definition["mappings"]["properties"]
        props["vector"] = _knn_vector(vector_dim)
        props["passages"] = {"type": "nested", "properties": {
            "kind": {"type": "keyword"}, "page": {"type": "integer"}, "start": {"type": "integer"},
            "end": {"type": "integer"}, "vector": _knn_vector(vector_dim)}}
    return definition


def _index_definition(shards: int, replicas: int) -> dict[str, Any]:
    return {
        "settings": {
            "index": {"number_of_shards": shards, "number_of_replicas": replicas},
            "analysis": {
                "tokenizer": {"korean_nori": {"type": "nori_tokenizer", "decompound_mode": "mixed",
                                              "discard_punctuation": True}},
                "filter": {"korean_pos": {"type": "nori_part_of_speech", "stoptags": NORI_STOPTAGS}},
                "analyzer": {"korean": {"type": "custom", "tokenizer": "korean_nori",
                                        "filter": ["korean_pos", "nori_readingform", "lowercase"]}},
            },
        },
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "id": {"type": "keyword"},
                "title": _text(fields={"en": {"type": "text", "analyzer": "english"},
                                       "raw": {"type": "keyword", "ignore_above": 512}}),
                "body": _text(),
                "pages": {"type": "nested", "properties": {"number": {"type": "integer"}, "text": _text()}},
                "city": {"type": "keyword"},
                "city_ko": {"type": "keyword"},
                "city_id": {"type": "keyword"},
                "topic": {"type": "keyword"},
                "sdg": {"type": "keyword"},
                "lang": {"type": "keyword"},
                "type": {"type": "keyword"},
                "year": {"type": "integer"},
                "date": {"type": "date", "format": "strict_date"},
                "author": {"type": "text", "analyzer": "korean"},
                "url": {"type": "keyword", "index": False},
                "content_hash": {"type": "keyword"},
                "duplicate_of": {"type": "keyword"},
                "duplicates": {"type": "keyword"},
                "cities": {"type": "object", "enabled": False},
                "source": {"type": "object", "enabled": False},
                "translations": {"type": "object", "enabled": False},
                "needs_ocr": {"type": "object", "enabled": False},
            },
        },
    }


def to_source(record: dict[str, Any]) -> dict[str, Any]:
    """The OpenSearch document of one record (facets as flat keyword arrays)."""
    cities = record.get("cities") or []
    source: dict[str, Any] = {
        "id": record["id"],
        "title": record["title"],
        "body": record.get("body", ""),
        "city": [c["name"] for c in cities],
        "city_ko": [c["name_ko"] for c in cities if c.get("name_ko")],
        "city_id": [str(c["geonameid"]) for c in cities if c.get("geonameid") is not None],
        "topic": list(record.get("topics") or []),
        "sdg": [str(s) for s in record.get("sdgs") or []],
        "lang": record["lang"],
        "type": record["type"],
        "cities": cities,
        "source": record.get("source") or {},
        "content_hash": record.get("content_hash"),
    }
    if record.get("date"):
        source["date"] = record["date"]
        source["year"] = int(record["date"][:4])
    if record.get("pages"):
        source["pages"] = [{"number": p["number"], "text": p["text"]} for p in record["pages"]]
    for key in ("author", "url", "duplicate_of", "duplicates", "translations", "needs_ocr"):
        if record.get(key) not in (None, "", []):
            source[key] = record[key]
    return source


def vector_fields(embeddings, rows: list[int]) -> dict[str, Any]:
    """``vector`` and ``passages`` of one record from its chunk ``rows`` of a generation's embeddings."""
    import numpy as np

    from indexer.embed.chunks import BODY, PAGE

    kinds = {BODY: "body", PAGE: "page"}
    vectors = np.asarray(embeddings.vectors[rows], dtype=np.float32)
    mean = vectors.mean(axis=0)
    mean /= float(np.linalg.norm(mean)) or 1.0
    passages = []
    for row, vector in zip(rows, vectors):
        chunk = embeddings.chunks[row]
        passages.append({"kind": kinds.get(int(chunk["kind"]), "title"), "page": int(chunk["page"]),
                         "start": int(chunk["start"]), "end": int(chunk["end"]),
                         "vector": [round(float(x), VECTOR_DIGITS) for x in vector]})
    return {"vector": [round(float(x), VECTOR_DIGITS) for x in mean], "passages": passages}


def iter_records(index_dir: Path) -> Iterator[dict[str, Any]]:
    """Every record of the live generation, in document order."""
    ix, _ = gens.open_live(index_dir)
    try:
        with ix.reader() as reader:
            for _, stored in reader.iter_docs():
                yield stored_record(stored)
    finally:
        ix.close()


def export(index_dir: Path, out: Path, name: str = "policy-search", shards: int = 1,
           replicas: int = 1) -> dict[str, Any]:
    """Write the export of ``index_dir``'s live generation into ``out``; the manifest."""
    index_dir, out = Path(index_dir), Path(out)
    live = gens.live_path(index_dir)
    metadata = gens.read_metadata(live)
    embeddings, rows_of = _embeddings(live)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("bulk-*.ndjson"):
        old.unlink()
    definition = index_definition(shards, replicas, embeddings.dim if embeddings is not None else None)
    (out / "index.json").write_text(json.dumps(definition, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    files: list[dict[str, Any]] = []
    handle, count_in_file, bytes_in_file, total = None, 0, 0, 0
    try:
        for record in iter_records(index_dir):
            if handle is None or count_in_file >= BULK_RECORDS or bytes_in_file >= BULK_BYTES:
                if handle is not None:
                    handle.close()
                path = out / f"bulk-{len(files) + 1:04d}.ndjson"
                handle = path.open("w", encoding="utf-8")
                files.append({"file": path.name, "records": 0})
                count_in_file = bytes_in_file = 0
            action = json.dumps({"index": {"_index": name, "_id": record["id"]}}, ensure_ascii=False)
            document = to_source(record)
            if embeddings is not None and rows_of.get(record["id"]):
                document.update(vector_fields(embeddings, rows_of[record["id"]]))
            source = json.dumps(document, ensure_ascii=False)
            chunk = f"{action}\n{source}\n"
            handle.write(chunk)
            bytes_in_file += len(chunk.encode("utf-8"))
            count_in_file += 1
            files[-1]["records"] += 1
            total += 1
    finally:
        if handle is not None:
            handle.close()
    manifest = {"format": "opensearch", "index_name": name, "generation": metadata.get("generation"),
                "built_at": metadata.get("built_at"), "records": total, "files": files,
                "facets": FACET_FIELDS,
                "encoder": embeddings.encoder if embeddings is not None else None}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    lines = ["#!/bin/sh", "# Load this export into OpenSearch (needs the analysis-nori plugin).",
             "# Usage: OPENSEARCH=https://user:pass@host:9200 sh load.sh", "set -eu",
             ': "${OPENSEARCH:=http://localhost:9200}"', 'cd "$(dirname "$0")"',
             f'curl -fsS -X PUT "$OPENSEARCH/{name}" -H "Content-Type: application/json" --data-binary @index.json']
    lines += [f'curl -fsS -X POST "$OPENSEARCH/_bulk?refresh=false" -H "Content-Type: application/x-ndjson" '
              f'--data-binary @{f["file"]} | grep -q \'"errors":false\'' for f in files]
    lines.append(f'curl -fsS -X POST "$OPENSEARCH/{name}/_refresh"')
    (out / "load.sh").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return manifest


def _embeddings(gen_dir: Path):
    """The generation's embeddings and the chunk rows of each record id, or (None, {})."""
    from indexer.embed.store import Embeddings

    if not Embeddings.present(gen_dir):
        return None, {}
    embeddings = Embeddings(gen_dir)
    rows_of: dict[str, list[int]] = {}
    for row, record_row in enumerate(embeddings.chunks["record"]):
        rows_of.setdefault(embeddings.ids[int(record_row)], []).append(row)
    return embeddings, rows_of
