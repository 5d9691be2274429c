"""Autocomplete over titles, cities and frequent terms, and did-you-mean spelling suggestions."""
from __future__ import annotations

import logging
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from search_api.query.parse import parse_query

_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_QUERY_WORD = re.compile(r"[A-Za-z]{3,}|[\uac00-\ud7a3]{2,}")
MAX_SUGGESTIONS = 10
#: Longest word the speller files or respells: longer words are no typos of an indexed word
#: (and a word's 2-deletions grow as its length squared: 2,000 letters would be 2 million strings).
MAX_SPELL_CHARS = 24
#: Unknown words respelt per query at most; the rest are left as written.
MAX_SPELL_WORDS = 8
_build_lock = threading.Lock()
log = logging.getLogger(__name__)


@dataclass
class Vocabulary:
    """What one generation can complete and correct to."""

    titles: list[str] = field(default_factory=list)
    cities: list[tuple[str, str, int]] = field(default_factory=list)  # name, name_ko, count
    terms: Counter = field(default_factory=Counter)
    speller: "Speller | None" = None
    ranked: list[str] = field(default_factory=list)  # terms, most frequent first


#: Seconds a search waits for the vocabulary of a fresh generation before it answers
#: without a did-you-mean suggestion (the vocabulary keeps building in the background:
#: it reads every stored record, about 10 s per 20,000 records).
DID_YOU_MEAN_WAIT = 1.0
#: Seconds an autocomplete waits for it (then it answers with no completions).
SUGGEST_WAIT = 3.0


def vocabulary(snapshot, timeout: float | None = None) -> Vocabulary | None:
    """The snapshot's vocabulary, built on first use (in a thread) and kept with the snapshot.

    Waits for it up to ``timeout`` seconds (None: as long as it takes); None when not ready.
    """
    vocab = getattr(snapshot, "_vocabulary", None)
    if vocab is not None:
        return vocab
    with _build_lock:
        ready = getattr(snapshot, "_vocabulary_ready", None)
        if ready is None:
            ready = snapshot._vocabulary_ready = threading.Event()
            threading.Thread(target=_build_into, args=(snapshot, ready), name="vocabulary", daemon=True).start()
    ready.wait(timeout)
    return getattr(snapshot, "_vocabulary", None)


def _build_into(snapshot, ready: threading.Event) -> None:
    try:
        snapshot._vocabulary = _build(snapshot)
    except Exception:  # pragma: no cover - a closed or damaged generation
        log.exception("building the suggestion vocabulary failed")
        snapshot._vocabulary = Vocabulary(speller=Speller(Counter()))
    finally:
        ready.set()


def _build(snapshot) -> Vocabulary:
    vocab = Vocabulary()
    reader = snapshot.searcher.reader()
    for _, stored in reader.iter_docs():
        vocab.titles.append(stored.get("title", ""))
        text = f"{stored.get('title', '')} {stored.get('body', '')[:20000]}"
        vocab.terms.update(w.lower() for w in _LATIN_WORD.findall(text))
    for term, info in _hangul_terms(reader):
        vocab.terms[term] += info
    city = snapshot.facets.facets["city"]
    counts = city.counts(snapshot.facets.live)
    vocab.cities = sorted(
        ((value, city.labels_ko[i], int(counts[i])) for i, value in enumerate(city.values)),
        key=lambda c: -c[2],
    )
    vocab.speller = Speller(vocab.terms)
    vocab.ranked = [term for term, _ in vocab.terms.most_common()]
    return vocab


class Speller:
    """Spelling correction by deletions (the SymSpell method): fast lookups, no automata.

    Every vocabulary word is filed under itself and its one-character deletions; a
    misspelt word's deletions (up to two) meet them, and candidates are confirmed with a
    true edit distance. Words seen once are left out: they are as likely typos themselves;
    beyond the :attr:`MAX_WORDS` most frequent, rarer words are left out too.
    """

    MIN_COUNT = 2
    #: The most frequent words filed (their deletions bound the index: about ten keys a word),
    #: so a worker's memory for it stays bounded however large the archive grows.
    MAX_WORDS = 60_000

    def __init__(self, counts: Counter):
        self.counts = counts
        self.index: dict[str, list[str]] = {}
        filed = 0
        for word, count in counts.most_common():
            if count < self.MIN_COUNT or filed >= self.MAX_WORDS:
                break
            if 2 < len(word) <= MAX_SPELL_CHARS:
                filed += 1
                for key in {word} | _deletions(word):
                    self.index.setdefault(key, []).append(word)

    def correct(self, word: str, max_distance: int = 2) -> str | None:
        """The most frequent known word within ``max_distance`` edits of ``word``, or None.

        Words longer than :data:`MAX_SPELL_CHARS` get None at once: the candidates of a word
        are at most about ``MAX_SPELL_CHARS ** 2 / 2`` short strings, whatever is asked.
        """
        if len(word) > MAX_SPELL_CHARS:
            return None
        keys = {word} | _deletions(word)
        if max_distance > 1:
            keys |= {d for k in list(keys) for d in _deletions(k)}
        candidates = {c for key in keys for c in self.index.get(key, ())}
        scored = [(edit_distance(word, c), -self.counts[c], c) for c in candidates if c != word]
        scored = [s for s in scored if s[0] <= max_distance]
        return min(scored)[2] if scored else None


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def edit_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance (insert, delete, substitute, swap neighbours)."""
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


def _hangul_terms(reader):
    if "body" not in reader.schema:
        return
    for term in reader.lexicon("body"):
        text = term.decode("utf-8") if isinstance(term, bytes) else term
        if len(text) >= 2 and _HANGUL.search(text):
            yield text, reader.doc_frequency("body", text)


def suggest(snapshot, prefix: str) -> list[dict[str, Any]]:
    """Completions of ``prefix``: cities, then frequent terms, then titles (none while a fresh
    generation's vocabulary is still being built, after :data:`SUGGEST_WAIT` seconds)."""
    prefix = " ".join(prefix.split())
    if not prefix:
        return []
    vocab = vocabulary(snapshot, timeout=SUGGEST_WAIT)
    if vocab is None:  # a fresh generation's vocabulary is still being built: no wait past the budget
        return []
    low = prefix.lower()
    out: list[dict[str, Any]] = []
    seen: set[str] = set()

    def add(text: str, kind: str) -> None:
        if text.lower() not in seen and len(out) < MAX_SUGGESTIONS:
            seen.add(text.lower())
            out.append({"text": text, "kind": kind})

    for name, name_ko, _ in vocab.cities:
        if name.lower().startswith(low):
            add(name, "city")
        elif name_ko.startswith(prefix):
            add(name_ko, "city")
    last = low.split()[-1]
    head = prefix[: len(prefix) - len(last)]
    terms = [t for t in vocab.ranked if t.startswith(last) and t != last]
    for term in terms[:5]:
        add(head + term, "term")
    for title in vocab.titles:
        if title.lower().startswith(low) or f" {low}" in title.lower():
            add(title, "title")
    return out


def _known(word: str, builder, reader) -> bool:
    """Whether the index holds any analyzed term of ``word`` (then it is not misspelt)."""
    return any(
        reader.doc_frequency(field, term) > 0
        for alternatives in builder.positions(word) for term in alternatives for field in ("title", "body")
    )


def did_you_mean(snapshot, q: str, builder, total: int, allowed,
                 deadline: float = float("inf")) -> str | None:
    """A respelling of ``q`` from the index's own words that finds more, or None.

    Only words the index does not know are respelt (a Korean word whose morphemes are
    indexed is known whatever its particles), each to the most frequent indexed word
    within edit distance 2 (1 for short words); the respelling is offered only when it
    finds more among ``allowed`` (a document mask: the active filters, duplicates collapsed).
    At most :data:`MAX_SPELL_WORDS` words are respelt, none past ``deadline`` (monotonic time):
    the search's budget bounds this work too.
    """
    vocab = vocabulary(snapshot, timeout=SUGGEST_WAIT)
    if vocab is None:  # a fresh generation: no suggestion rather than a late answer
        return None
    reader = snapshot.searcher.reader()
    changed, tried = False, 0

    def fix(match: re.Match) -> str:
        nonlocal changed, tried
        word = match.group(0)
        if len(word) > MAX_SPELL_CHARS or tried >= MAX_SPELL_WORDS or time.monotonic() > deadline:
            return word
        tried += 1
        if word.lower() in vocab.terms or _known(word, builder, reader):
            return word
        option = vocab.speller.correct(word.lower(), max_distance=2 if len(word) > 4 else 1)
        if option:
            changed = True
            return option
        return word

    corrected = _QUERY_WORD.sub(fix, q)
    if not changed or corrected == q:
        return None
    query = builder.build(parse_query(corrected, max_chars=10_000, max_terms=10_000), relaxed=False)
    if query is None or time.monotonic() > deadline:
        return None
    found = sum(1 for d in snapshot.searcher.docs_for_query(query) if allowed[d])
    return corrected if found > total else None
