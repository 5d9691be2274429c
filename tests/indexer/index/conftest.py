"""Helpers for the index tests: small real source folders and schema-valid records."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from indexer.records import content_hash, validate


def write_text(folder: Path, name: str, title: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    return path


def make_record(rid: str, title: str = "Seoul housing plan", body: str = "Seoul housing policy for the young.",
                **extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": rid, "title": title, "body": body, "lang": "en", "type": "article",
        "source": {"path": f"{rid}.txt"},
        "cities": [{"name": "Seoul", "name_ko": "서울", "country": "KR", "geonameid": 1835848}],
        "topics": ["housing"], "sdgs": [11], **extra,
    }
    record["content_hash"] = content_hash(record)
    validate(record)
    return record


@pytest.fixture
def sources(tmp_path: Path) -> dict[str, Path]:
    """Two source folders: A with three text files, B with one."""
    a, b = tmp_path / "src" / "a", tmp_path / "src" / "b"
    write_text(a, "a1.txt", "Seoul bike lanes", "Seoul opened new bike lanes along the river for commuters.")
    write_text(a, "a2.txt", "Busan port renewal", "Busan renews its old port area with parks and housing.")
    write_text(a, "a3.txt", "Incheon air quality", "Incheon measures fine dust and plans green belts.")
    write_text(b, "b1.txt", "Daegu water plan", "Daegu secures drinking water with a new reservoir.")
    return {"a": a, "b": b}
