"""The texts of a record that are embedded: its title, sentence windows of its body, its PDF pages.

A sentence encoder reads a sentence or two well and a long paragraph poorly, so a body is
cut into windows of whole sentences (at most :data:`WINDOW_CHARS` characters, a longer
sentence is cut at a space). A PDF's body is the text of its pages, so its windows are
taken page by page and each carries its page number. Every window of every page (or of the
body) is embedded, so meaning reaches the page that answers, not only the opening; a record's
text is capped at ingestion (``indexer.records.MAX_TEXT_CHARS``) and its windows at
:data:`MAX_WINDOWS`, so a record's embedding cost is bounded.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

#: Where a chunk's text comes from (its ``kind``).
TITLE, BODY, PAGE = 0, 1, 2
WINDOW_CHARS = 360
#: Windows embedded per record at most (about a million characters: the ingestion cap).
MAX_WINDOWS = 3000
#: A sentence ends at . ! ? 。 (or a Korean ending 다./요.) before a space, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|\n+")
_HAS_WORD = re.compile(r"[^\W_]", re.UNICODE)


@dataclass(frozen=True)
class Chunk:
    """One embedded text: its kind, page (0 when none) and span in the title, body or page text."""

    kind: int
    page: int
    start: int
    end: int
    text: str


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text`` (surrounding spaces excluded)."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    out = []
    for lo, hi in spans:
        while lo < hi and text[lo].isspace():
            lo += 1
        while hi > lo and text[hi - 1].isspace():
            hi -= 1
        if hi > lo:
            out.append((lo, hi))
    return out


def windows(text: str, limit: int, width: int = WINDOW_CHARS) -> Iterator[tuple[int, int]]:
    """Spans of up to ``limit`` windows of whole sentences, each at most ``width`` characters."""
    count = 0
    current: tuple[int, int] | None = None
    for lo, hi in sentence_spans(text):
        while hi - lo > width:  # a very long sentence: cut at the last space within the width
            cut = text.rfind(" ", lo + width // 2, lo + width)
            cut = cut if cut > lo else lo + width
            if current is not None:
                yield current
                count += 1
                current = None
            if count >= limit:
                return
            yield lo, cut
            count += 1
            if count >= limit:
                return
            lo = cut
            while lo < hi and text[lo].isspace():
                lo += 1
        if lo >= hi:
            continue
        if current is not None and hi - current[0] <= width:
            current = (current[0], hi)
            continue
        if current is not None:
            yield current
            count += 1
            if count >= limit:
                return
        current = (lo, hi)
    if current is not None and count < limit:
        yield current


def record_chunks(record: dict[str, Any]) -> list[Chunk]:
    """The chunks of one record: title, then body windows or, for a PDF, page windows."""
    chunks: list[Chunk] = []
    title = record.get("title") or ""
    if _HAS_WORD.search(title):
        chunks.append(Chunk(TITLE, 0, 0, len(title), title))
    pages = record.get("pages") or []
    if pages:
        for page in pages:
            text = page.get("text") or ""
            for lo, hi in windows(text, MAX_WINDOWS - len(chunks)):
                if _HAS_WORD.search(text[lo:hi]):
                    chunks.append(Chunk(PAGE, int(page["number"]), lo, hi, text[lo:hi]))
            if len(chunks) >= MAX_WINDOWS:
                break
    else:
        body = record.get("body") or ""
        for lo, hi in windows(body, MAX_WINDOWS):
            if _HAS_WORD.search(body[lo:hi]):
                chunks.append(Chunk(BODY, 0, lo, hi, body[lo:hi]))
    return chunks
