"""Where a hit links to: its own URL, or its source file here at the right page."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote


def record_url(record: dict[str, Any], page: int | None = None) -> str:
    """The record's own URL where it has one, else its source file here (at its page)."""
    if record.get("url"):
        return record["url"]
    url = f"/api/documents/{quote(record['id'], safe='')}/source"
    return f"{url}#page={page}" if page else url
