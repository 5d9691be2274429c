"""Text clean-up for PDF pages: character normalisation, line joining, garbage checks.

Extractors hand over *blocks* (text boxes, or blank-line separated chunks) made of
raw lines. :func:`page_text` turns them into searchable page text:

* NFC; control characters dropped except newline and tab; ``(cid:N)``
  placeholders, private-use characters and U+FFFD dropped (never indexed).
* Runs of spaces collapsed; no-break and ideographic spaces become spaces.
* Lines of one paragraph are joined: English line-end hyphens are removed
  (``gov-`` + ``ernment``), two Hangul ends are glued without a space (Korean is
  wrapped by syllable, so a break is mostly mid-word) unless the line was wrapped short
  or the morphological analyzer ends a word there (:mod:`indexer.converters.pdf_breaks`),
  anything else gets a space.
  A line keeps its newline after sentence-final punctuation, before an indented
  line and before a list marker.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from indexer.converters.pdf_breaks import hangul_break_is_space

#: Longest page text kept; longer pages are truncated (decompression-bomb guard).
MAX_PAGE_CHARS = 1_000_000

CID_RE = re.compile(r"\(cid:\d+\)")
#: Put by the layout reader at the end of a line that stops short of its box's right
#: edge: the line was wrapped at a space (or ends a paragraph), so two Hangul ends
#: across it are two words, not one word broken by justification.
WRAP_MARK = "\x1e"
_LINE_BREAKS = str.maketrans({"\r": "\n", "\f": "\n", "\v": "\n", "\u2028": "\n", "\u2029": "\n"})
_SPACES_RE = re.compile(r" {2,}")
_TABS_RE = re.compile(r" *\t[ \t]*")
_INDENT_RE = re.compile(r"^(?: {2,}|\t|\u3000)")
_LIST_MARKER_RE = re.compile(r"^(?:[•◯○●◦□■▪▴▶►※·]|[-–—*]\s|\d{1,3}[.)]\s|\(\d{1,3}\)|[a-z][.)]\s)")
_SENTENCE_END = frozenset(".!?。:;")
_MIN_USABLE_CHARS = 3
_MAX_GARBAGE_RATIO = 0.1


def is_hangul(char: str) -> bool:
    """True for a Hangul syllable or jamo."""
    return "\uac00" <= char <= "\ud7a3" or "\u1100" <= char <= "\u11ff" or "\u3130" <= char <= "\u318f"


def _keep_char(char: str) -> str:
    """Map one character to its cleaned form ('' drops it)."""
    if char in "\n\t" or char == WRAP_MARK:
        return char
    category = unicodedata.category(char)
    if category in ("Cc", "Cf", "Co", "Cs") or char == "\ufffd":
        return ""
    if category == "Zs":
        return " "
    return char


def clean_chars(text: str) -> str:
    """NFC-normalise and strip placeholders and control characters, line structure kept."""
    text = CID_RE.sub("", text[:MAX_PAGE_CHARS])
    text = text.replace("\r\n", "\n").replace("\u00ad\n", "\n").translate(_LINE_BREAKS)
    text = unicodedata.normalize("NFC", text)
    return "".join(_keep_char(c) for c in text)


def _separator(previous: str, line: str, indented: bool) -> str:
    """What goes between two consecutive lines of one block."""
    if indented or _LIST_MARKER_RE.match(line) or previous[-1] in _SENTENCE_END:
        return "\n"
    if (
        previous.endswith("-")
        and len(previous) >= 2
        and previous[-2].isalpha()
        and previous[-2].islower()
        and line[0].isalpha()
        and line[0].islower()
    ):
        return "\x00"  # marker: drop the hyphen
    if previous[-1] in "-–" and len(previous) >= 2 and previous[-2].isalnum():
        return ""  # compound such as "FAA-approved" or "737–9": keep the dash, no space
    if is_hangul(previous[-1]) and is_hangul(line[0]):
        return ""  # a justified line broken inside a word
    return " "


def join_lines(lines: Iterable[str]) -> str:
    """Join the cleaned lines of one block into paragraphs."""
    out = ""
    wrapped = False  # the previous line was wrapped at a space
    for raw in lines:
        ends_short = WRAP_MARK in raw  # (a whitespace character to str.strip: test it first)
        raw = raw.replace(WRAP_MARK, "")
        indented = bool(_INDENT_RE.match(raw))
        line = _SPACES_RE.sub(" ", _TABS_RE.sub("\t", raw)).strip()
        if not line:
            if out and not out.endswith("\n"):
                out += "\n"
            continue
        if not out or out.endswith("\n"):
            out += line
            wrapped = ends_short
            continue
        sep = _separator(out, line, indented)
        if sep == "" and is_hangul(out[-1]) and is_hangul(line[0]) and (
                wrapped or hangul_break_is_space(out.rsplit(None, 1)[-1], line.split(None, 1)[0])):
            sep = " "
        out = out[:-1] + line if sep == "\x00" else out + sep + line
        wrapped = ends_short
    return out.strip()


def page_text(blocks: Iterable[str]) -> str:
    """Clean and join raw text blocks into one page text (blocks split by blank lines)."""
    parts = []
    for block in blocks:
        for chunk in re.split(r"\n[ \t]*\n", clean_chars(block)):
            joined = join_lines(chunk.split("\n"))
            if joined:
                parts.append(joined)
    return "\n\n".join(parts)


def meaningful_chars(text: str) -> int:
    """Number of letters and digits in ``text``."""
    return sum(1 for c in text if c.isalnum())


def garbage_ratio(raw: str) -> float:
    """Share of placeholder / private-use / replacement characters in raw text."""
    bad = len(CID_RE.findall(raw)) + sum(
        1 for c in raw if c == "\ufffd" or unicodedata.category(c) == "Co"
    )
    total = bad + meaningful_chars(CID_RE.sub("", raw))
    return bad / total if total else 0.0


def is_usable(raw: str) -> bool:
    """True when raw extracted text carries real content and little garbage."""
    if garbage_ratio(raw) > _MAX_GARBAGE_RATIO:
        return False
    return meaningful_chars(CID_RE.sub("", raw)) >= _MIN_USABLE_CHARS


def _skeleton(line: str) -> str:
    """A line without digits and spaces, to spot running headers whose page number changes."""
    return "".join(c for c in line if not c.isdigit() and not c.isspace())


def first_line(text: str, next_page: str = "", limit: int = 150) -> str | None:
    """First line of ``text`` with at least four letters that is not a running header.

    A running header is a line that, digits ignored, also occurs on ``next_page``.
    The line is cut to ``limit`` characters on a word boundary.
    """
    headers = {_skeleton(line) for line in next_page.split("\n")[:5]}
    for line in text.split("\n"):
        line = line.strip()
        if sum(1 for c in line if c.isalpha()) >= 4 and _skeleton(line) not in headers:
            if len(line) <= limit:
                return line
            cut = line[:limit].rsplit(" ", 1)[0]
            return (cut if len(cut) > limit // 2 else line[:limit]).rstrip(" ,;:") + "…"
    return None
