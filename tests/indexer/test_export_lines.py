"""JSON Lines exports: a bad line costs that line only; a failed file cannot shrink the live index."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from indexer.extract import extract_sources
from tests.ops.helpers import REPO, env


def _good(n: int) -> str:
    return json.dumps({"id": f"rec-{n}", "title": f"Policy {n}", "body": f"Bike lanes and parks number {n}."})


def test_a_line_nested_5000_deep_costs_that_line_only(tmp_path):
    lines = [_good(n) for n in range(10)]
    lines.insert(4, "[" * 5000 + "]" * 5000)
    lines.insert(7, '{"id": "bad-2", "title": ' + '{"a":' * 5000 + '1' + '}' * 5000 + '}')
    export = tmp_path / "export.jsonl"
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = extract_sources([export])
    assert sorted(r["id"] for r in result.records) == sorted(f"rec-{n}" for n in range(10))
    where = [w for w, _ in result.errors]
    assert where == [f"{export}:5", f"{export}:8"], result.errors
    assert all("deep" in reason or "string" in reason for _, reason in result.errors), result.errors


def _build(index: Path, *sources: Path, force: bool = False) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "indexer.cli", "build", *map(str, sources), "--index", str(index)]
    return subprocess.run(command + (["--force"] if force else []), capture_output=True, text=True,
                          timeout=600, cwd=REPO, env=env())


def test_a_failed_export_that_holds_live_records_refuses_the_switch(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "a.jsonl").write_text("\n".join(_good(n) for n in range(24)) + "\n", encoding="utf-8")
    (source / "b.jsonl").write_text("\n".join(_good(n) for n in range(100, 110)) + "\n", encoding="utf-8")
    index = tmp_path / "index"
    assert _build(index, source).returncode == 0
    live = (index / "CURRENT").read_text()
    (source / "b.jsonl").write_bytes(b"\x00\x01\x02" * 4000)  # still there, but no longer readable
    done = _build(index, source)
    assert done.returncode != 0
    assert "b.jsonl (10 live records)" in done.stderr, done.stderr
    assert (index / "CURRENT").read_text() == live
    (source / "b.jsonl").unlink()  # a file that is gone may take its records with it
    assert _build(index, source).returncode == 0, _build
