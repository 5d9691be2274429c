"""Bad sources get a clear reason and are skipped; the rest of the run is intact."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer.extract import extract_sources
from indexer.records import validate

GOOD_PAGE = "004_7318b7d8cb8875c1.txt"


@pytest.fixture()
def mixed_folder(tmp_path: Path, seed_pages: Path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    shutil.copy(seed_pages / GOOD_PAGE, folder / GOOD_PAGE)
    return folder


def _run(folder: Path):
    started = time.monotonic()
    result = extract_sources([folder])
    assert time.monotonic() - started < 60, "extraction must not hang on bad input"
    assert any(r["source"]["path"] == GOOD_PAGE for r in result.records), "the good file was lost"
    return result


def _reason(result, name: str) -> str:
    reasons = [reason for path, reason in result.errors if Path(path.split("#")[0]).name == name]
    assert reasons, f"{name} was not reported: {result.errors}"
    return reasons[0]


def test_empty_file(mixed_folder):
    (mixed_folder / "empty.txt").write_bytes(b"")
    assert "empty file" in _reason(_run(mixed_folder), "empty.txt")


def test_whitespace_only_file(mixed_folder):
    (mixed_folder / "blank.txt").write_text("  \n\n \t \n")
    assert "no text" in _reason(_run(mixed_folder), "blank.txt")


def test_binary_junk_named_txt(mixed_folder):
    (mixed_folder / "junk.txt").write_bytes(bytes(range(256)) * 400)
    assert "binary data" in _reason(_run(mixed_folder), "junk.txt")


def test_fifty_megabyte_text_file(mixed_folder):
    with open(mixed_folder / "huge.txt", "wb") as handle:
        line = ("Seoul shares its transport policies with the world. " * 20 + "\n").encode()
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            handle.write(line)
    assert (mixed_folder / "huge.txt").stat().st_size >= 50 * 1024 * 1024
    assert "too large" in _reason(_run(mixed_folder), "huge.txt")


def test_text_with_nul_bytes_and_lone_surrogates_is_cleaned(mixed_folder):
    text = "Seoul Bike Policy\n\nSeoul\x00 expands its bicycle lanes along the Han River \ud800 for commuters.\n"
    (mixed_folder / "nul.txt").write_bytes(text.encode("utf-8", "surrogatepass"))
    export = {"id": "ko-001", "title": "서울 자전거\ud800", "body": "서울시는\x00 자전거 도로를 늘린다."}
    (mixed_folder / "export.jsonl").write_text(json.dumps(export) + "\n", encoding="utf-8")
    result = _run(mixed_folder)
    cleaned = [r for r in result.records if r["source"]["path"] in ("nul.txt", "export.jsonl")]
    assert len(cleaned) == 2
    for record in cleaned:
        validate(record)
        blob = record["title"] + record["body"]
        assert "\x00" not in blob
        assert not any(0xD800 <= ord(ch) <= 0xDFFF for ch in blob)
    assert "expands its bicycle lanes" in cleaned[0]["body"] or "expands its bicycle lanes" in cleaned[1]["body"]


def test_unsupported_and_missing_files_are_reported(tmp_path, seed_pages):
    odd = tmp_path / "notes.odt"
    odd.write_bytes(b"PK\x03\x04")
    broken = tmp_path / "notes.docx"
    broken.write_bytes(b"PK\x03\x04")
    result = extract_sources([seed_pages / GOOD_PAGE, odd, broken, tmp_path / "missing.txt"])
    assert "unsupported file type" in _reason(result, "notes.odt")
    assert "corrupt DOCX" in _reason(result, "notes.docx")
    assert "no such file" in _reason(result, "missing.txt")
    assert result.records


def test_jsonl_export_keeps_ids_and_rejects_unsafe_ones(tmp_path):
    lines = [
        {"id": "cms-2021/07 bad id", "title": "Unsafe", "body": "x"},
        {"id": "cms-2021-07-001", "title": "Seoul expands bike lanes", "text": "Seoul builds bicycle roads."},
        "not an object",
    ]
    export = tmp_path / "export.jsonl"
    export.write_text("\n".join(json.dumps(x) for x in lines) + "\n{broken json\n", encoding="utf-8")
    result = extract_sources([export])
    assert [r["id"] for r in result.records] == ["cms-2021-07-001"]
    assert result.records[0]["body"] == "Seoul builds bicycle roads."
    assert "transport" in result.records[0]["topics"]


def test_html_page_main_text_title_and_date(tmp_path):
    page = tmp_path / "bikes.html"
    page.write_text(
        "<html><head><title>Seoul bikes | City news</title>"
        '<meta property="article:published_time" content="2021-05-03"></head><body>'
        "<nav><a href='/'>Home</a> | <a href='/about'>About</a></nav>"
        "<article><h1>Seoul expands bicycle lanes along the Han River</h1>"
        "<p>The Seoul Metropolitan Government announced new bicycle lanes along the Han River "
        "to encourage green commuting across the city, with solar-powered lights at night.</p>"
        "<p>The lanes connect subway stations and bus stops so commuters can transfer easily.</p>"
        "</article><footer>Copyright Seoul</footer></body></html>",
        encoding="utf-8",
    )
    (record,) = extract_sources([page]).records
    assert record["title"].startswith("Seoul expands bicycle lanes")
    assert record["date"] == "2021-05-03"
    assert "Copyright" not in record["body"] and "Home" not in record["body"]
    assert "transport" in record["topics"]
    assert [c["name"] for c in record["cities"]] == ["Seoul"]


def test_cli_extract_reports_bad_file_and_goes_on(mixed_folder):
    (mixed_folder / "junk.txt").write_bytes(bytes(range(256)) * 100)
    done = subprocess.run(
        [sys.executable, "-m", "indexer.cli", "extract", "--json", str(mixed_folder)],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert records and all(validate(r) is None for r in records)
    assert "junk.txt: binary data" in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_extract_fails_when_every_input_fails(tmp_path):
    (tmp_path / "junk.txt").write_bytes(bytes(range(256)) * 100)
    done = subprocess.run(
        [sys.executable, "-m", "indexer.cli", "extract", str(tmp_path / "junk.txt")],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1
    assert "binary data" in done.stderr


def test_cli_usage_error_is_exit_2():
    done = subprocess.run([sys.executable, "-m", "indexer.cli", "extract"], capture_output=True, text=True)
    assert done.returncode == 2


def test_invisible_characters_do_not_split_words(tmp_path):
    export = tmp_path / "export.jsonl"
    export.write_text(json.dumps({"id": "zw-1", "title": "\ufeff서울\u200b시 자전거",
                                  "body": "공유\u200d도시 정책\u2028다음 줄"}) + "\n", encoding="utf-8")
    (record,) = extract_sources([export]).records
    assert record["title"] == "서울시 자전거"
    assert record["body"] == "공유도시 정책\n다음 줄"


def test_a_build_of_only_skipped_sources_says_why_each_was_skipped(tmp_path):
    from tests.ops.helpers import indexer

    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "blank.txt").write_text("   \n", encoding="utf-8")
    (folder / "junk.jsonl").write_bytes(b"\x00\x01binary")
    done = indexer("build", folder, "--index", tmp_path / "index", "--no-embeddings")
    assert done.returncode == 1
    assert "has no records" in done.stderr and "Every source was skipped" in done.stderr
    assert f"{folder / 'blank.txt'}: no text" in done.stderr and f"{folder / 'junk.jsonl'}: binary data" in done.stderr
    assert "Traceback" not in done.stderr
