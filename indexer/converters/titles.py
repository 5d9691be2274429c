"""Titles: recover one a listing cut short with ``..``, or derive one from a text's first sentence."""
from __future__ import annotations

import re
from collections import Counter

#: Capitalised words that open a sentence, so they end a title recovered from the body.
SENTENCE_OPENERS = frozenset(
    "The A An This These That Those It Its In On At As For From With By Since When While "
    "During After Before Through According Our We They He She Today Yesterday".split()
)
TITLE_STOP = re.compile(r"\s{2,}|[<“\"(]|[.!?](?:\s|$)")
MAX_TITLE = 160


def complete_title(title: str, body: str) -> tuple[str, str]:
    """Recover a title cut with ``..`` and strip a repeated title from the body's start.

    Where the body starts with the cut title, the title runs on in the body until a
    separator (two spaces, ``<``, a quote) or a capitalised sentence opener. Where it
    does not, the cut last word is completed from the body's own vocabulary.
    """
    title = " ".join(title.split())
    cut = title.endswith("..")
    stem = title.rstrip(".").rstrip() if cut else title
    flat_body = " ".join(body.split()) if body else ""
    if stem and flat_body.startswith(stem):
        if cut:
            stem = _run_on(stem, body)
        return stem, _strip_prefix(body, stem)
    if cut:
        stem = _complete_last_word(stem, body) if not title.endswith(" ..") else stem
    return stem or title, body


#: A derived title longer than this is cut where its main clause ends.
LONG_TITLE = 90
_CLAUSE_END = re.compile(r",\s| (?:on|at|for|from|to|with|through|in order to|which|that) ")


def title_from_text(text: str) -> str:
    """A title from a text's first sentence: its main clause when long, else cut at a word."""
    sentence = re.split(r"(?<=[.!?。])\s", text.strip(), maxsplit=1)[0].rstrip(".")
    if len(sentence) <= LONG_TITLE:
        return sentence
    clause = _CLAUSE_END.search(sentence, 30)
    if clause and clause.start() <= MAX_TITLE:
        return sentence[: clause.start()]
    return sentence[:MAX_TITLE].rsplit(" ", 1)[0] + "…"


def _run_on(stem: str, body: str) -> str:
    """Extend ``stem`` with the body's following words until the title visibly ends."""
    start = _raw_offset(body, stem)
    rest = body[start:]
    # finish the word the listing cut ("Han Ri.." -> "River’")
    head = re.match(r"\S*", rest).group(0)
    title = stem + head
    rest = rest[len(head):]
    for match in re.finditer(r"(\s+)(\S+)", rest):
        spaces, word = match.groups()
        if len(spaces) > 1 or TITLE_STOP.match(word) or word in SENTENCE_OPENERS:
            break
        if len(title) + 1 + len(word) > MAX_TITLE:
            break
        title = f"{title} {word}"
        if re.search(r"[.!?:]$", word):
            break
    return title.rstrip(" .:")


def _raw_offset(body: str, flat_prefix: str) -> int:
    """Offset in ``body`` just past ``flat_prefix`` (which was matched with spaces collapsed)."""
    want = len(flat_prefix.replace(" ", ""))
    seen = 0
    for index, ch in enumerate(body):
        if not ch.isspace():
            seen += 1
            if seen == want:
                return index + 1
    return len(body)


def _strip_prefix(body: str, title: str) -> str:
    return body[_raw_offset(body, title):].lstrip(" :–-\n")


def _complete_last_word(stem: str, body: str) -> str:
    """Complete a cut last word from the most frequent body word that extends it."""
    words = stem.split(" ")
    last = words[-1]
    if len(last) < 2:
        return stem
    prefix = last.lower()
    counts = Counter(
        w for w in re.findall(r"[^\W\d_]+", body.lower()) if w.startswith(prefix) and w != prefix
    )
    if not counts:
        return stem
    best = counts.most_common(1)[0][0]
    completed = last + best[len(prefix):]
    return " ".join(words[:-1] + [completed])
