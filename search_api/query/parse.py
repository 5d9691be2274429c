"""The user's query language, read leniently: words, "phrases", -exclusion, OR, prefix*.

Field syntax (``title:x``) and leading wildcards are read as plain text; unbalanced
quotes or brackets and a lone ``-`` are tolerated, never an error.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from search_api.errors import bad_request

MIN_PREFIX = 2
_TOKEN = re.compile(r'-?"[^"]*"?|\S+')
_WORDISH = re.compile(r"[^\W_]", re.UNICODE)


@dataclass(frozen=True)
class Item:
    """A word, a ``prefix*`` or a ``"phrase"`` of the query."""

    text: str
    kind: str = "word"  # word | prefix | phrase


@dataclass
class ParsedQuery:
    """Required groups (each an OR of items), excluded items, and the term count."""

    groups: list[list[Item]] = field(default_factory=list)
    excluded: list[Item] = field(default_factory=list)
    terms: int = 0

    @property
    def empty(self) -> bool:
        return not self.groups


def parse_query(q: str, max_chars: int = 500, max_terms: int | None = 32) -> ParsedQuery:
    """Parse ``q``; raises APIError(400) only for a query too long or too complex.

    ``max_terms`` None accepts any number of terms (``/api/search`` keeps the most
    significant ones of a long query instead: search_api.query.long_query).
    """
    if len(q) > max_chars:
        raise bad_request("query_too_long", f"q is longer than {max_chars} characters")
    parsed = ParsedQuery()
    pending_or = False
    for raw in _TOKEN.findall(q):
        negative = raw.startswith("-") and len(raw) > 1
        body = raw[1:] if negative else raw
        if raw == "OR":
            pending_or = bool(parsed.groups)
            continue
        for item in _items(body):
            parsed.terms += max(1, len(item.text.split()))
            if negative:
                parsed.excluded.append(item)
            elif pending_or and parsed.groups:
                parsed.groups[-1].append(item)
            else:
                parsed.groups.append([item])
            pending_or = False
    if max_terms is not None and parsed.terms > max_terms:
        raise bad_request("query_too_complex", f"the query has more than {max_terms} terms")
    return parsed


def _items(raw: str) -> list[Item]:
    """The items of one token: a phrase, a prefix, or words (``a:b`` reads as ``a b``)."""
    if raw.startswith('"'):
        text = _plain(raw.strip('"'))
        if not text:
            return []
        return [Item(text, "phrase" if len(text.split()) > 1 else "word")]
    words = _plain(raw.rstrip("*")).split()
    if not words:
        return []
    items = [Item(word) for word in words]
    if raw.endswith("*") and len(words[-1]) >= MIN_PREFIX:
        items[-1] = Item(words[-1], "prefix")
    return items


def _plain(text: str) -> str:
    """Text with query syntax characters read as separators."""
    text = re.sub(r'[()\[\]{}"*:^~\\]', " ", text)
    text = " ".join(text.split())
    return text if _WORDISH.search(text) else ""
