"""``policy-index export --format opensearch``: mapping structure, bulk pairs, facets, record count."""
from __future__ import annotations

import json

from search_api.query.facets import FACETS
from tests.ops.helpers import indexer


def test_opensearch_export(shared_index, tmp_path):
    out = tmp_path / "export"
    done = indexer("export", "--format", "opensearch", "--index", shared_index, "--out", out, "--name", "cities")
    assert done.returncode == 0, done.stderr
    stats = json.loads(indexer("stats", "--index", shared_index, "--json").stdout)

    definition = json.loads((out / "index.json").read_text())
    analysis = definition["settings"]["analysis"]
    korean = analysis["analyzer"]["korean"]
    assert analysis["tokenizer"][korean["tokenizer"]]["type"] == "nori_tokenizer"
    assert any(analysis["filter"].get(f, {}).get("type") == "nori_part_of_speech" for f in korean["filter"])
    props = definition["mappings"]["properties"]
    assert definition["mappings"]["dynamic"] == "strict"
    for text_field in ("title", "body"):
        assert props[text_field]["type"] == "text" and props[text_field]["analyzer"] == "korean"
        assert props[text_field]["fields"]["en"]["analyzer"] == "english"
    assert props["pages"]["properties"]["text"]["analyzer"] == "korean"
    # the facets match ours: keyword fields, year an integer, date a date
    for facet in FACETS:
        assert facet in props, facet
        assert props[facet]["type"] == ("integer" if facet == "year" else "keyword"), facet
    assert props["date"]["type"] == "date"

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["records"] == stats["records"] and manifest["generation"] == stats["generation"]
    ids, sources = [], []
    for entry in manifest["files"]:
        lines = (out / entry["file"]).read_text(encoding="utf-8").splitlines()
        assert len(lines) == 2 * entry["records"]
        for action_line, source_line in zip(lines[::2], lines[1::2]):
            action, source = json.loads(action_line), json.loads(source_line)
            assert list(action) == ["index"] and action["index"]["_index"] == "cities"
            assert action["index"]["_id"] == source["id"]
            assert set(source) <= set(props), set(source) - set(props)  # strict mapping accepts it
            ids.append(source["id"])
            sources.append(source)
    assert len(ids) == len(set(ids)) == stats["records"]
    assert sum(1 for s in sources if s["lang"] == "ko") == stats["by_lang"].get("ko", 0)
    for source in sources:
        assert isinstance(source["city"], list) and all(isinstance(c, str) for c in source["city"])
        assert all(isinstance(s, str) and 1 <= int(s) <= 17 for s in source["sdg"])
        if "date" in source:
            assert source["year"] == int(source["date"][:4])
        for page in source.get("pages", []):
            assert set(page) == {"number", "text"}
    load = (out / "load.sh").read_text()
    assert "PUT" in load and "_bulk" in load and "bulk-0001.ndjson" in load
