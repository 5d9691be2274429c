"""A large JSON Lines export converted in parts by several limited workers: the same records,
ids, line numbers and reports as read whole, whatever the part boundaries."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer import extract
from indexer.converters import jsonl
from indexer.converters.base import collect_skipped


def _export(path: Path, lines: int = 600) -> Path:
    rows = []
    for n in range(lines):
        if n % 50 == 7:
            rows.append("{not json")  # a bad line, reported with its number
        elif n % 50 == 8:
            rows.append("")  # blank lines count as lines
        elif n % 2:
            rows.append(json.dumps({"title": f"서울 청년 주택 {n}", "body": "공유도시 " * (n % 40 + 1),
                                    "lang": "ko"}, ensure_ascii=False))
        else:
            rows.append(json.dumps({"id": f"rec-{n}", "title": f"Bike lanes {n}",
                                    "body": "Seoul protected lanes. " * (n % 30 + 1), "lang": "en"}))
    path.write_text("\ufeff" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("parts", [2, 3, 7, 64])
def test_the_parts_hold_every_line_once_numbered_as_in_the_whole_file(tmp_path, parts):
    path = _export(tmp_path / "export.jsonl")
    with collect_skipped() as whole_skips:
        whole = jsonl.convert(path, tmp_path)
    with collect_skipped() as part_skips:
        joined = [r for part in range(parts) for r in jsonl.convert_part(path, tmp_path, part, parts)]
    assert joined == whole
    assert part_skips == whole_skips and len(whole_skips) == 12


def test_an_export_of_a_few_megabytes_is_shared_by_the_workers(tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_bytes(b"{}\n" * (2 << 20))  # 6 MB
    pairs = [(path, tmp_path)]
    assert extract.conversion_tasks(pairs, workers=1) == [(path, tmp_path)]  # one worker: read whole
    assert extract.conversion_tasks(pairs, workers=2) == [(path, tmp_path, part, 4) for part in range(4)]


def test_an_array_export_is_read_whole_by_its_first_part(tmp_path):
    path = tmp_path / "array.jsonl"
    path.write_text(json.dumps([{"title": "A", "body": "one"}, {"title": "B", "body": "two"}]), encoding="utf-8")
    assert [r["title"] for r in jsonl.convert_part(path, tmp_path, 0, 3)] == ["A", "B"]
    assert jsonl.convert_part(path, tmp_path, 1, 3) == [] == jsonl.convert_part(path, tmp_path, 2, 3)


def test_a_build_reads_a_large_export_in_parts_with_the_same_records(tmp_path, monkeypatch):
    folder = tmp_path / "src"
    folder.mkdir()
    path = _export(folder / "export.jsonl")
    (folder / "note.txt").write_text("A plan\n\nNew bus lanes in Busan.", encoding="utf-8")
    whole = extract.extract_sources([folder], workers=2)
    monkeypatch.setattr(extract, "PART_BYTES", path.stat().st_size // 5)
    tasks = extract.conversion_tasks(extract.iter_source_files([folder]), workers=2)
    assert [len(task) for task in tasks] == [4] * 6 + [2]  # the export in 6 parts, then the note
    parted = extract.extract_sources([folder], workers=2)
    assert [r["id"] for r in parted.records] == [r["id"] for r in whole.records]
    assert [r["content_hash"] for r in parted.records] == [r["content_hash"] for r in whole.records]
    assert parted.errors == whole.errors and len(whole.errors) == 12
    assert any(where.endswith("export.jsonl:8") for where, _ in parted.errors)


def test_an_export_of_empty_parts_is_reported_once(tmp_path, monkeypatch):
    path = tmp_path / "blank.jsonl"
    path.write_text("\n" * 5000, encoding="utf-8")
    monkeypatch.setattr(extract, "PART_BYTES", 1000)
    result = extract.extract_sources([path])
    assert result.records == []
    assert result.errors == [(str(path), "no document found in the file")]


def _export_around(path: Path, middle: dict) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for n in range(3000):
            out.write(json.dumps({"id": f"before-{n}", "title": f"Plan {n}", "body": "Bus lanes. " * 60}) + "\n")
        out.write(json.dumps(middle) + "\n")
        for n in range(3000):
            out.write(json.dumps({"id": f"after-{n}", "title": f"Plan {n}", "body": "Bike lanes. " * 60}) + "\n")
    return path


def test_a_line_over_the_line_limit_is_reported_by_its_number_and_every_other_line_indexed(tmp_path, monkeypatch):
    """A 120 MB line in an export read in 2 MB parts: that line alone is reported (its part
    steps over it in blocks, so no worker holds it), and the 6,000 others are indexed."""
    path = _export_around(tmp_path / "export.jsonl", {"id": "giant", "title": "Giant", "body": "x" * (120 << 20)})
    monkeypatch.setattr(extract, "PART_BYTES", 2 << 20)
    result = extract.extract_sources([path], workers=2)
    assert len(result.records) == 6000 and "giant" not in {r["id"] for r in result.records}
    assert result.errors == [(f"{path}:3001", f"line longer than {jsonl.MAX_LINE_BYTES >> 20} MB: not read")]


def test_a_part_over_its_memory_limit_is_reported_and_the_other_parts_indexed(tmp_path, monkeypatch):
    """A 30 MB line (under the line limit) in a part whose worker may add only 24 MB: that part
    is reported with its bytes; the other parts are indexed."""
    from indexer.conversion_sandbox import ConversionLimits

    path = _export_around(tmp_path / "export.jsonl", {"id": "large", "title": "Large", "body": "x" * (30 << 20)})
    monkeypatch.setattr(extract, "PART_BYTES", 2 << 20)
    result = extract.extract_sources([path], workers=2, limits=ConversionLimits(memory_mb=24))
    ids = {r["id"] for r in result.records}
    assert "large" not in ids and "before-0" in ids and "after-2999" in ids
    (error,) = result.errors
    assert error[0] == str(path)
    assert error[1].startswith("memory limit") and "in part " in error[1] and "the other parts are read" in error[1]
    lo, hi = (int(n.replace(",", "")) for n in error[1].split("start at bytes ")[1].split(";")[0].split(" to "))
    with path.open("rb") as fh:  # exactly the lines that start in the failed part are missing
        starts, offset = [], 0
        for line in fh:
            starts.append(offset)
            offset += len(line)
    lost = sum(1 for start in starts if lo <= start < hi)
    assert len(ids) == 6001 - lost
