"""Snippets with ``<mark>``ed matches; every piece of document text in them is HTML-escaped."""
from __future__ import annotations

from html import escape

from whoosh import highlight

SNIPPET_CHARS = 240
#: Longest stretch of a document analyzed to find matches for its snippet: the window
#: around the first place a query term occurs (a plain substring search finds it).
MAX_ANALYZED_CHARS = 4_000


class MarkFormatter(highlight.Formatter):
    """Formats fragments as escaped text with the matched terms in ``<mark>``."""

    between = " … "

    def format_token(self, text, token, replace=False):
        return f"<mark>{escape(highlight.get_text(text, token, replace))}</mark>"

    def format_fragment(self, fragment, replace=False):
        output, index = [], fragment.startchar
        text = fragment.text
        for token in fragment.matches:
            if token.startchar < index or part_of_number(text, token.startchar, token.endchar):
                continue
            output.append(escape(text[index:token.startchar]))
            output.append(self.format_token(text, token, replace))
            index = token.endchar
        output.append(escape(text[index:fragment.endchar]))
        return "".join(output)


def part_of_number(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a digit group inside a longer number ("1" of "1,171",
    "5" of "2.5"): the analyzer splits numbers at separators, but a reader sees one number,
    and a query ``1`` did not find "1,171"."""
    if not text[start:end].isdigit():
        return False
    before = start >= 2 and text[start - 1] in ",." and text[start - 2].isdigit()
    after = end + 1 < len(text) and text[end] in ",." and text[end + 1].isdigit()
    return before or after


def snippet(text: str, terms: set[str], analyzer) -> str:
    """The best fragments of ``text`` for ``terms``, or its opening when none match."""
    text = match_window(text, terms)
    if terms:
        fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60)
        found = highlight.highlight(
            text, frozenset(terms), analyzer, fragmenter, MarkFormatter(), top=2, scorer=highlight.BasicFragmentScorer()
        )
        if found:
            return " ".join(found.split())
    return opening(text)


def match_window(text: str, terms: set[str], size: int = MAX_ANALYZED_CHARS) -> str:
    """At most ``size`` characters of ``text`` around the first occurrence of any of ``terms``.

    Analyzed terms are found as substrings (a stem or a morpheme is part of the word it
    came from), so the window costs a string search, not an analysis of the whole text.
    """
    if len(text) <= size:
        return text
    lowered = text.lower()
    haystack = lowered if len(lowered) == len(text) else text
    found = [i for i in (haystack.find(t.lower()) for t in terms) if i >= 0]
    if not found:
        return text[:size]
    start = max(0, min(found) - size // 4)
    if start:
        space = text.find(" ", start, start + 100)
        start = space + 1 if space >= 0 else start
    return text[start:start + size]


def opening(text: str) -> str:
    """The first sentences of ``text``, escaped, cut at a word boundary."""
    flat = " ".join(text.split())
    if len(flat) <= SNIPPET_CHARS:
        return escape(flat)
    cut = flat[:SNIPPET_CHARS].rsplit(" ", 1)[0]
    return escape(cut) + " …"
