"""Text dumps of the policy-sharing site's pages: listings, single articles and site blocks.

A dump is either one article (a title line, then the body) or a listing: entries
opened by a bullet (``•``), each with an optional ``등록일 DATE 글쓴이 AUTHOR`` line
and a body. Logo lists, navigation and headings are dropped. Site-wide blocks
repeated on every page (an about text under a bullet) become ``about`` records
whose id does not depend on the page, so the corpus keeps them once.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from indexer.converters.base import RawRecord, check_size, source_path
from indexer.converters.cleaning import clean_text, collapse_spaces, decode_bytes
from indexer.converters.dates import date_stated_in
from indexer.converters.titles import complete_title, title_from_text

log = logging.getLogger(__name__)

BULLET = re.compile(r"^\s*[•·▪●◦‣∙]\s*")
META = re.compile(
    r"^\s*등록일\s+(?P<date>\d{4}[-./]\d{1,2}[-./]\d{1,2})"
    r"(?:\s+글쓴이\s+(?P<author>\S+))?(?:\s+조회수\s+\d+(?:\s+READS)?)?\s*$"
)
CATEGORY = re.compile(r"^\[[^\]]{1,60}\]\s*")
LOGO = re.compile(r"로고|logo", re.IGNORECASE)
NAVIGATION = re.compile(
    r"^\s*(?:☞\s*)?(?:go to (?:main content|the original)|for more details\.?|click here|"
    r"back to (?:top|list)|목록|이전글|다음글|top)\s*$",
    re.IGNORECASE,
)
# An image's file name followed by its caption: "SHRDC Congress 2017_1 SHRDC Congress 2017".
IMAGE_CAPTION = re.compile(r"^(?P<name>.{3,80}?)_\d+\s+(?P=name)$")
TRAILING_URL = re.compile(r"\s*\*\s*(?P<url>https?://\S+)\s*$")


@dataclass
class Entry:
    """One bullet-opened entry of a listing, or the whole page when it has no bullets."""

    header: str
    meta_date: str | None = None
    author: str | None = None
    lines: list[str] = field(default_factory=list)
    has_meta: bool = False


def convert(path: Path, root: Path) -> list[RawRecord]:
    """Turn one text dump into raw records, one per article or site block."""
    check_size(path)
    text = clean_text(decode_bytes(path.read_bytes()))
    rel = source_path(path, root)
    lines = [line for line in text.split("\n") if not _is_noise(line)]
    if not any(BULLET.match(line) for line in lines):
        record = _single_article(lines, rel)
        return [record] if record else []
    records = []
    for position, entry in enumerate(_entries(lines)):
        record = _entry_record(entry, rel, position)
        if record:
            records.append(record)
    return records


def _is_noise(line: str) -> bool:
    stripped = BULLET.sub("", line).strip()
    return bool(
        NAVIGATION.match(stripped)
        or IMAGE_CAPTION.match(stripped)
        or (BULLET.match(line) and LOGO.search(stripped))
    )


def _entries(lines: list[str]) -> list[Entry]:
    """Split a listing into entries; headings before a bullet become meta or are dropped."""
    headings: set[str] = set()
    entries: list[Entry] = []
    pending: list[str] = []  # unindented lines not yet known to be body or heading
    for line in lines:
        if BULLET.match(line):
            header = collapse_spaces(BULLET.sub("", line))
            headings.update(collapse_spaces(p) for p in pending if _looks_like_heading(p))
            if entries:
                entries[-1].lines.extend(p for p in pending if not _looks_like_heading(p))
            pending = []
            if entries and not entries[-1].lines and any(header.startswith(h) for h in headings):
                entries[-1].has_meta = True  # "International Relations News SMG 4959"
                entries[-1].author = _author_after_heading(header, headings)
                continue
            entries.append(Entry(header=header))
            continue
        meta = META.match(line)
        if meta and entries and not entries[-1].lines:
            entries[-1].meta_date = _iso(meta.group("date"))
            entries[-1].author = meta.group("author")
            entries[-1].has_meta = True
        elif line.strip():
            pending.append(line)
        elif pending:
            pending.append("")
    if entries:
        entries[-1].lines.extend(p for p in pending if not _looks_like_heading(p))
    return entries


def _looks_like_heading(line: str) -> bool:
    """A short unindented line without closing punctuation: "News", "Archives"."""
    stripped = line.strip()
    return (
        bool(stripped)
        and not line[:1].isspace()
        and len(stripped) <= 40
        and len(stripped.split()) <= 5
        and not re.search(r"[.!?。]$", stripped)
    )


def _author_after_heading(header: str, headings: set[str]) -> str | None:
    for heading in sorted(headings, key=len, reverse=True):
        if header.startswith(heading):
            words = [w for w in header[len(heading):].split() if not w.isdigit()]
            return words[0] if words else None
    return None


def _iso(raw: str) -> str:
    year, month, day = re.split(r"[-./]", raw)
    return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"


def _paragraphs(lines: list[str]) -> str:
    """Join lines into paragraphs separated by blank lines, spaces collapsed.

    Listing pages flatten an article's paragraphs into one line separated by runs
    of three or more spaces: those become paragraph breaks again.
    """
    paragraphs: list[str] = []
    current: list[str] = []
    split_lines = [part for line in lines for part in _split_flattened(line)]
    for line in split_lines + [""]:
        if line.strip():
            current.append(collapse_spaces(line))
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    return "\n\n".join(paragraphs)


def _split_flattened(line: str) -> list[str]:
    parts = re.split(r"(?<=\S)[ \u00a0]{3,}(?=\S)", line)
    return [p for part in parts for p in (part, "")][:-1] if len(parts) > 1 else [line]


def _entry_record(entry: Entry, rel: str, position: int) -> RawRecord | None:
    body = _paragraphs(entry.lines)
    if not entry.has_meta and not body:
        return None  # a link or logo list item
    title = CATEGORY.sub("", entry.header).strip()
    title, body = complete_title(title, body)
    record: RawRecord = {
        "title": title,
        "body": body,
        "source": {"path": rel, "position": position},
    }
    url = TRAILING_URL.search(body)
    if url:
        record["url"] = url.group("url")
        record["body"] = body[: url.start()].rstrip()
    if entry.has_meta:
        record["type"] = "article" if body else _bodiless_type(title)
        if entry.meta_date:
            record["date"] = entry.meta_date
        elif (stated := date_stated_in(body)):
            record["date"] = stated
        if entry.author:
            record["author"] = entry.author
    else:
        record["type"] = "about"
        record["site_block"] = True  # repeated on every page: its id must not name the page
    return record


def _bodiless_type(title: str) -> str:
    return "brochure" if re.search(r"brochure|브로슈어|리플렛|leaflet", title, re.IGNORECASE) else "listing"


def _single_article(lines: list[str], rel: str) -> RawRecord | None:
    paragraphs = _paragraphs(lines).split("\n\n")
    paragraphs = [p for p in paragraphs if p]
    if not paragraphs:
        return None
    first = paragraphs[0]
    if len(first) <= 200 and not re.search(r"[.!?。]$", first) and len(paragraphs) > 1:
        title, body = first, "\n\n".join(paragraphs[1:])
    else:
        title, body = title_from_text(first), "\n\n".join(paragraphs)
    record: RawRecord = {"title": title, "body": body, "type": "article", "source": {"path": rel}}
    stated = date_stated_in(body)
    if stated:
        record["date"] = stated
    return record
