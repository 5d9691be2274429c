"""Rows of a search export: every hit of a query in rank order, as CSV (UTF-8 with BOM) or JSON lines.

The ranking is ``search.ranked_hits``, the same as ``/api/search``'s pages; this module only
turns document numbers into rows and rows into text, a batch at a time.
"""
from __future__ import annotations

import csv
import io
import json
from typing import Any, Iterable, Iterator

from urllib.parse import urljoin

from search_api.index_reader import Snapshot
from search_api.query.labels import facet_label
from search_api.query.links import record_url
from search_api.query.search import Ranking, hit_page

FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}
#: Columns of an export, in order (CSV header and JSON keys alike).
COLUMNS = ("id", "title", "date", "lang", "type", "cities", "topics", "sdgs", "url", "page")
#: Rows rendered per chunk of the streamed body.
BATCH = 200
BOM = "\ufeff"
#: Separator of list values inside one CSV cell.
LIST_SEPARATOR = "; "


def export_row(snapshot: Snapshot, docnum: int, ranking: Ranking) -> dict[str, Any]:
    """One hit as an export row; a PDF's page is the one the search results link to."""
    record = snapshot.record(docnum)
    page = hit_page(snapshot, docnum, record, ranking)
    return {
        "id": record["id"],
        "title": record["title"],
        "date": record.get("date"),
        "lang": record["lang"],
        "type": record["type"],
        "cities": [c["name"] if isinstance(c, dict) else str(c) for c in record.get("cities", [])],
        "topics": list(record.get("topics", [])),
        "sdgs": list(record.get("sdgs", [])),
        "url": record_url(record, page),
        "page": page,
    }


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    text = str(value)
    # a cell starting like a formula is read as text by spreadsheets (CSV injection)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_chunks(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """CSV text: BOM and header first, then the rows a batch per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    yield BOM + buffer.getvalue()
    for batch in _batches(rows):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([_csv_cell(row[c]) for c in COLUMNS] for row in batch)
        yield buffer.getvalue()


def jsonl_chunks(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """One JSON object per line, a batch per chunk."""
    for batch in _batches(rows):
        yield "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in batch)


def _batches(rows: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def spreadsheet_row(row: dict[str, Any], base_url: str, ui_lang: str) -> dict[str, Any]:
    """A row as a person reads it in a spreadsheet: topics by their label in the interface
    language, and a URL that opens from there (absolute, on ``base_url``)."""
    return {**row, "topics": [facet_label("topic", t, ui_lang) for t in row["topics"]],
            "url": urljoin(base_url, row["url"]) if row["url"] else row["url"]}


def export_chunks(snapshot: Snapshot, docnums: list[int], ranking: Ranking, fmt: str,
                  base_url: str = "", ui_lang: str = "en") -> Iterator[str]:
    """The streamed body of an export in ``fmt``: CSV for people (labels, absolute URLs,
    :func:`spreadsheet_row`), JSON lines for programs (ids, the API's own URLs)."""
    rows = (export_row(snapshot, docnum, ranking) for docnum in docnums)
    if fmt == "csv":
        return csv_chunks(spreadsheet_row(row, base_url, ui_lang) for row in rows)
    return jsonl_chunks(rows)
