"""What the office converters (HWP, HWPX, DOCX) share: the record, its title and date."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

from indexer.converters.base import WHOLE_FILE_KEY, RawRecord
from indexer.converters.cleaning import clean_text
from indexer.converters.dates import date_stated_in
from indexer.converters.titles import MAX_TITLE, cut_title, file_title, is_title_like, labelled_title, unspaced
from indexer.errors import ConversionError

#: Record type of a word-processor document.
OFFICE_TYPE = "document"
#: Lines of the body searched for a title.
TITLE_WINDOW = 30
# Lines that open an official document without being its title.
_NOT_TITLE = re.compile(
    r"^(?:\S+\s+)*(?:공고|고시|훈령|예규|지침)\s*제?\s*\d{2,4}\s*[-–]\s*\d+\s*호$"  # 강남구 공고 제2023-745호
    r"|^\[?\s*(?:붙임|별지|별표|서식)\s*(?:제?\s*\d+\s*(?:호|번)?)?\s*\]?"         # [붙임 1], [별지 제1호서식]
    r"|^\[\s*문서번호\s*\]"
    r"|^[\W\d_]*$"                                                              # rules, numbers, bullets only
    r"|^\d{4}\s*[.년]\s*\d{1,2}\s*[.월]\s*(?:\d{1,2}\s*[.일]?)?\s*$"                   # 2023년 3월 24일, 2023. 5.
    r"|^(?:\S+\s){0,3}\S*(?:청장|시장|군수|도지사|장관|위원장|교육감)$"                   # 서울특별시 강남구청장
    r"|[.。]$"                                                                     # a sentence, not a title
)
#: A line that is a full date and nothing else, as official documents date themselves
#: above the issuer's name ("2023년 3월 24일", "2023. 3. 24.").
_DATE_LINE = re.compile(r"^(?P<y>\d{4})\s*(?:년|\.)\s*(?P<m>\d{1,2})\s*(?:월|\.)\s*(?P<d>\d{1,2})\s*(?:일|\.)?$")
#: Lines of the body searched for a date line.
DATE_WINDOW = 60


def office_title(body: str, fallback: str, meta_title: str | None = None) -> str:
    """A document's title: a labelled one (``제목``, ``건명``, a court case), a real metadata title,
    else its first title-like line, else the file's name (``fallback``)."""
    lines = [" ".join(line.split()) for line in body.split("\n")[:TITLE_WINDOW]]
    lines = [line for line in lines if line]
    labelled = labelled_title(lines)
    if labelled:
        return labelled
    if meta_title and len(meta_title.strip()) >= 3 and is_title_like(meta_title):
        return " ".join(meta_title.split())[:MAX_TITLE]
    for line in lines:
        if not _NOT_TITLE.search(line) and sum(ch.isalpha() for ch in line) >= 2 and is_title_like(line):
            return cut_title(unspaced(line))
    return file_title(fallback)


def office_record(body: str, stem: str, rel: str, meta_title: str | None = None,
                  author: str | None = None) -> RawRecord:
    """The raw record of one office document; ConversionError when it holds no text."""
    if not body.strip():
        raise ConversionError("no text found in the document")
    record: RawRecord = {
        "title": office_title(body, stem, meta_title),
        "body": body,
        "type": OFFICE_TYPE,
        "source": {"path": rel},
        WHOLE_FILE_KEY: True,
    }
    stated = date_stated_in(body) or dated_line(body)
    if stated:
        record["date"] = stated
    if author and author.strip():
        record["author"] = " ".join(author.split())
    return record


def dated_line(body: str) -> str | None:
    """The ISO date of the first line that is a full date and nothing else; None when there is none."""
    latest = dt.date.today().year + 5
    for line in body.split("\n")[:DATE_WINDOW]:
        match = _DATE_LINE.match(" ".join(line.split()))
        if match and 1900 <= int(match.group("y")) <= latest:
            try:
                return dt.date(int(match.group("y")), int(match.group("m")), int(match.group("d"))).isoformat()
            except ValueError:
                continue
    return None


def cell_text(lines: list[str]) -> str:
    """A table cell's lines as one run of text (a row is its non-empty cells' texts, space-joined)."""
    return " ".join(" ".join(lines).split())


def join_text_lines(lines: list[str]) -> str:
    """Clean lines joined by newlines: spaces collapsed, private-use glyphs (decorative rules and
    bullets of Hangul fonts) dropped, runs of blank lines kept as one empty line."""
    out: list[str] = []
    for line in lines:
        line = "".join(ch for ch in clean_text(line) if unicodedata.category(ch) != "Co")
        line = " ".join(line.split())
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()
