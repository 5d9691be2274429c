"""Vectorized lexical scoring: a Whoosh query tree evaluated over per-generation postings arrays.

The indexer writes each generation's postings as CSR arrays (see
:mod:`indexer.index.postings`); a :class:`LexicalIndex` memory-maps them, and
:meth:`LexicalIndex.score_all` evaluates the query built by
:mod:`search_api.query.build` / :mod:`search_api.query.expansion` into a dense match mask
and a dense score vector over Whoosh document numbers, with numpy operations instead
of a Python loop over every match.

Scores are Whoosh 2.7.4's, computed the same way:

* a term: ``BM25F`` (``indexer.analysis.BM25_PARAMS``) with Whoosh's idf
  (``searcher.idf``), its average field length (``searcher.avg_field_length``), the
  posting weights as stored (frequency x field boost) and the field lengths as Whoosh
  stores them (one quantized byte); a keyword field (not scorable) scores its weight;
  times the term's boost;
* ``Or``: the sum over the matching clauses; ``And``: the sum, where all match;
  ``AndMaybe``: the first plus the second where both match; ``AndNot``: the first,
  where the second does not match; a compound of one clause is that clause (Whoosh
  ignores the compound's boost then); other compounds apply their boost;
* ``DisjunctionMax``: the highest score among the clauses *matching the document*.
  (Whoosh 2.7.4's ``DisjunctionMaxMatcher.score`` takes the max over both
  sub-matchers' current postings, even when one of them sits on a later document,
  so a record could borrow a score from another; here it cannot.)
* ``Prefix``: its terms expanded from the sorted vocabulary, summed (or a constant 1
  where Whoosh's union of the expansion is unscored, see :func:`_unscored_union`);
* ``Phrase`` and anything else: Whoosh's own matcher for that clause only.

Terms cost one slice of their postings each and are always evaluated (a query has at
most a few dozen). What can grow with the archive is cut at the time budget: a prefix's
expansion stops, a clause walked with Whoosh's matcher (a phrase) keeps the matches
seen so far; the search is then marked ``timed_out``.
"""
from __future__ import annotations

import bisect
import json
import logging
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
from whoosh import query as Q
from whoosh.searching import Searcher

from indexer.analysis import BM25_PARAMS
from indexer.index.postings import DERIVED, POSTING_FIELDS, POSTINGS_META, field_arrays

log = logging.getLogger(__name__)

#: Matches of a clause evaluated with Whoosh's matcher between two looks at the clock.
TIME_CHECK_EVERY = 256


class _Terms:
    """The sorted terms of one field as a sequence of bytes over the memory-mapped arrays."""

    def __init__(self, vocab: np.ndarray, ptr: np.ndarray):
        self.vocab = vocab
        self.ptr = ptr

    def __len__(self) -> int:
        return len(self.ptr) - 1

    def __getitem__(self, i: int) -> bytes:
        return self.vocab[self.ptr[i]:self.ptr[i + 1]].tobytes()

    def find(self, btext: bytes) -> int | None:
        i = bisect.bisect_left(self, btext)
        return i if i < len(self) and self[i] == btext else None

    def prefix_range(self, prefix: bytes) -> tuple[int, int]:
        """Ids ``[lo, hi)`` of the terms starting with ``prefix`` (UTF-8 never holds 0xFF)."""
        return bisect.bisect_left(self, prefix), bisect.bisect_left(self, prefix + b"\xff")


@dataclass
class FieldPostings:
    """The CSR arrays of one field, and its BM25 length normalization."""

    terms: _Terms
    indptr: np.ndarray
    docs: np.ndarray
    weights: np.ndarray
    norms: np.ndarray | None  # K1 * ((1 - B) + B * fl / avgfl) per document; None: not scorable

    def postings(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = int(self.indptr[term_id]), int(self.indptr[term_id + 1])
        return self.docs[lo:hi], self.weights[lo:hi]


class LexicalIndex:
    """The postings arrays of one generation, opened for one searcher."""

    def __init__(self, searcher: Searcher, arrays: dict[str, dict[str, np.ndarray]]):
        # a weak reference: attach() keys this index by its searcher in a WeakKeyDictionary,
        # which a strong one would keep alive after the generation is closed
        self._searcher = weakref.ref(searcher)
        self.schema = searcher.schema
        self.size = searcher.doc_count_all()
        B, K1 = BM25_PARAMS["B"], BM25_PARAMS["K1"]
        self.K1 = K1
        self.deleted: np.ndarray | None = None
        reader = searcher.reader()
        if reader.has_deletions():
            live = np.zeros(self.size, dtype=bool)
            live[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
            self.deleted = np.flatnonzero(~live)
        self.fields: dict[str, FieldPostings] = {}
        for name, a in arrays.items():
            norms = None
            if self.schema[name].scorable:
                avgfl = searcher.avg_field_length(name) or 1
                fl = a["lengths"].astype(np.float64)
                norms = K1 * ((1 - B) + B * fl / avgfl)
            self.fields[name] = FieldPostings(_Terms(a["vocab"], a["vocabptr"]), a["indptr"], a["docs"],
                                              a["weights"], norms)

    @property
    def searcher(self) -> Searcher:
        searcher = self._searcher()
        if searcher is None:
            raise RuntimeError("the searcher of this lexical index was closed and collected")
        return searcher

    @classmethod
    def open(cls, generation_dir: Path, searcher: Searcher) -> "LexicalIndex":
        """Memory-map the generation's arrays; build them in memory when the generation has none."""
        folder = Path(generation_dir) / DERIVED
        try:
            meta = json.loads((folder / POSTINGS_META).read_text(encoding="utf-8"))
            if meta.get("doc_count") != searcher.doc_count_all():
                raise ValueError(f"postings for {meta.get('doc_count')} documents, index has {searcher.doc_count_all()}")
            arrays = {name: {kind: np.load(folder / f"postings-{name}-{kind}.npy", mmap_mode="r")
                             for kind in ("vocab", "vocabptr", "indptr", "docs", "weights", "lengths")}
                      for name in meta["fields"]}
        except (OSError, ValueError, KeyError) as exc:
            log.warning("no usable postings arrays in %s (%s); building them in memory", folder, exc)
            reader = searcher.reader()
            arrays = {name: field_arrays(reader, name) for name in POSTING_FIELDS if name in searcher.schema}
        return cls(searcher, arrays)

    # -- evaluation ---------------------------------------------------------------------------

    def score_all(self, query: Q.Query, deadline: float = float("inf")) -> tuple[np.ndarray, np.ndarray, bool]:
        """``(mask, scores, timed_out)`` of ``query`` over every document number."""
        run = _Run(self, deadline)
        mask, scores = run.eval(query)
        if self.deleted is not None:  # the arrays keep deleted documents' postings; Whoosh skips them
            mask[self.deleted] = False
            scores[self.deleted] = 0.0
        return mask, scores, run.timed_out

    def term(self, fieldname: str, text: Any, boost: float = 1.0) -> tuple[np.ndarray, np.ndarray] | None:
        """Documents and scores of one term (None when it matches nothing)."""
        field = self.fields.get(fieldname)
        if field is None:
            return None
        try:
            btext = self.schema[fieldname].to_bytes(text)
        except ValueError:
            return None
        term_id = field.terms.find(btext)
        if term_id is None:
            return None
        docs, weights = field.postings(term_id)
        if not len(docs):
            return None
        scores = self._scores(fieldname, field, btext, docs, weights)
        return docs, scores * boost if boost != 1.0 else scores

    def _scores(self, fieldname: str, field: FieldPostings, btext: bytes, docs: np.ndarray,
                weights: np.ndarray) -> np.ndarray:
        tf = weights.astype(np.float64)
        if field.norms is None:  # keyword field: Whoosh's WeightScorer
            return tf
        idf = self.searcher.idf(fieldname, btext)
        return idf * ((tf * (self.K1 + 1)) / (tf + field.norms[docs]))

    def prefix_terms(self, fieldname: str, text: str) -> list[bytes]:
        field = self.fields.get(fieldname)
        if field is None:
            return []
        lo, hi = field.terms.prefix_range(self.schema[fieldname].to_bytes(text))
        return [field.terms[i] for i in range(lo, hi)]


def _unscored_union(clauses: int, doc_count: int) -> bool:
    """Whether Whoosh 2.7.4 scores a prefix's expansion as a constant 1 (``Or._matcher``'s choice).

    A multi-term query asks for an unscored union; ``Or`` honours that only when it
    preloads the matches (``PreloadedOr``): 1,024 clauses or more, or more than two on
    an index of at most 5,000 documents. Otherwise the BM25F scores are summed.
    """
    too_many = clauses >= Q.Or.TOO_MANY_CLAUSES
    return too_many or (clauses > 2 and doc_count <= 5000)


class _Run:
    """One evaluation of a query tree (holds the clock and the timed-out flag)."""

    def __init__(self, index: LexicalIndex, deadline: float):
        self.index = index
        self.size = index.size
        self.deadline = deadline
        self.timed_out = False

    def _empty(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(self.size, dtype=bool), np.zeros(self.size, dtype=np.float64)

    def _check_clock(self) -> bool:
        if self.timed_out:
            return False
        if time.monotonic() > self.deadline:
            self.timed_out = True
            return False
        return True

    def _dense(self, hits: tuple[np.ndarray, np.ndarray] | None) -> tuple[np.ndarray, np.ndarray]:
        mask, scores = self._empty()
        if hits is not None:
            docs, values = hits
            mask[docs] = True
            scores[docs] = values
        return mask, scores

    def eval(self, q: Q.Query) -> tuple[np.ndarray, np.ndarray]:
        handler: Callable | None = _HANDLERS.get(type(q))
        if handler is None and isinstance(q, Q.Or):  # DefaultOr and the other unions all sum
            handler = _Run.compound_or
        if handler is None:
            return self.fallback(q)
        return handler(self, q)

    # leaves
    def term(self, q: Q.Term) -> tuple[np.ndarray, np.ndarray]:
        if q.fieldname not in self.index.fields and q.fieldname in self.index.schema:
            return self.fallback(q)  # a field without exported postings
        self._check_clock()  # a term costs one slice of its postings: evaluated even past the budget
        return self._dense(self.index.term(q.fieldname, q.text, q.boost))

    def prefix(self, q: Q.Prefix) -> tuple[np.ndarray, np.ndarray]:
        if not q.text or q.fieldname not in self.index.fields:
            return self.fallback(q)
        terms = self.index.prefix_terms(q.fieldname, q.text)
        if not terms:
            return self._empty()
        if len(terms) == 1:  # Whoosh: the term alone, unboosted
            return self.term(Q.Term(q.fieldname, terms[0]))
        mask, scores = self._empty()
        constant = _unscored_union(len(terms), self.size)
        for btext in terms:
            if not self._check_clock():
                break
            hits = self.index.term(q.fieldname, btext)
            if hits is not None:
                mask[hits[0]] = True
                if not constant:
                    scores[hits[0]] += hits[1]
        if constant:
            scores[mask] = 1.0
        elif q.boost != 1.0:
            scores *= q.boost
        return mask, scores

    def fallback(self, q: Q.Query) -> tuple[np.ndarray, np.ndarray]:
        """Whoosh's own matcher for this clause (phrases and anything not vectorized)."""
        mask, scores = self._empty()
        if not self._check_clock():
            return mask, scores
        walk_matches(self.index.searcher, q, mask, scores, self._check_clock)
        return mask, scores

    # compounds
    def _subs(self, q: Q.CompoundQuery) -> list[tuple[np.ndarray, np.ndarray]]:
        return [self.eval(sub) for sub in q.subqueries]

    def _boosted(self, q: Q.Query, scores: np.ndarray) -> np.ndarray:
        if q.boost != 1.0:
            scores *= q.boost
        return scores

    def compound_or(self, q: Q.Or) -> tuple[np.ndarray, np.ndarray]:
        if q.minmatch or q.scale:
            return self.fallback(q)
        if not q.subqueries:
            return self._empty()
        if len(q.subqueries) == 1:
            return self.eval(q.subqueries[0])
        mask, scores = self._empty()
        for sub_mask, sub_scores in self._subs(q):
            mask |= sub_mask
            scores += sub_scores
        return mask, self._boosted(q, scores)

    def compound_and(self, q: Q.And) -> tuple[np.ndarray, np.ndarray]:
        if not q.subqueries:
            return self._empty()
        if len(q.subqueries) == 1:
            return self.eval(q.subqueries[0])
        subs = self._subs(q)
        mask = subs[0][0].copy()
        scores = subs[0][1].copy()
        for sub_mask, sub_scores in subs[1:]:
            mask &= sub_mask
            scores += sub_scores
        scores[~mask] = 0.0
        return mask, self._boosted(q, scores)

    def disjunction_max(self, q: Q.DisjunctionMax) -> tuple[np.ndarray, np.ndarray]:
        if not q.subqueries:
            return self._empty()
        if len(q.subqueries) == 1:
            return self.eval(q.subqueries[0])
        mask, _ = self._empty()
        best = np.full(self.size, -np.inf)
        for sub_mask, sub_scores in self._subs(q):
            mask |= sub_mask
            np.maximum(best, np.where(sub_mask, sub_scores, -np.inf), out=best)
        scores = np.where(mask, best, 0.0)
        return mask, self._boosted(q, scores)

    def and_maybe(self, q: Q.AndMaybe) -> tuple[np.ndarray, np.ndarray]:
        mask, scores = self.eval(q.a)
        _, extra = self.eval(q.b)
        return mask, np.where(mask, scores + extra, 0.0)

    def and_not(self, q: Q.AndNot) -> tuple[np.ndarray, np.ndarray]:
        mask, scores = self.eval(q.a)
        excluded, _ = self.eval(q.b)
        mask = mask & ~excluded
        return mask, np.where(mask, scores, 0.0)

    def require(self, q: Q.Require) -> tuple[np.ndarray, np.ndarray]:
        mask, scores = self.eval(q.a)
        required, _ = self.eval(q.b)
        mask = mask & required
        return mask, np.where(mask, scores, 0.0)

    def null(self, q: Q.Query) -> tuple[np.ndarray, np.ndarray]:
        return self._empty()


_HANDLERS: dict[type, Callable] = {
    Q.Term: _Run.term,
    Q.Prefix: _Run.prefix,
    Q.DisjunctionMax: _Run.disjunction_max,
    Q.Or: _Run.compound_or,
    Q.And: _Run.compound_and,
    Q.AndMaybe: _Run.and_maybe,
    Q.AndNot: _Run.and_not,
    Q.Require: _Run.require,
    type(Q.NullQuery): _Run.null,
}


#: The lexical index of each open searcher (see :func:`attach`).
_ATTACHED: "weakref.WeakKeyDictionary[Searcher, LexicalIndex]" = weakref.WeakKeyDictionary()


def attach(searcher: Searcher, index: LexicalIndex) -> None:
    """Make ``index`` the one scoring queries over ``searcher`` (see :func:`attached`)."""
    _ATTACHED[searcher] = index


def attached(searcher: Searcher) -> LexicalIndex | None:
    """The lexical index attached to ``searcher``, or None (then queries walk Whoosh's matchers)."""
    return _ATTACHED.get(searcher)


def walk_matches(searcher: Searcher, query: Q.Query, mask: np.ndarray, scores: np.ndarray,
                 in_time: Callable[[], bool]) -> bool:
    """Every match of ``query`` by Whoosh's own matchers into ``mask``/``scores``; False when
    ``in_time()`` (asked every :data:`TIME_CHECK_EVERY` matches) stopped the walk."""
    context = searcher.context()
    seen = 0
    for subsearcher, offset in searcher.leaf_searchers():
        matcher = query.matcher(subsearcher, context)
        while matcher.is_active():
            docnum = offset + matcher.id()
            mask[docnum] = True
            scores[docnum] = matcher.score()
            matcher.next()
            seen += 1
            if seen % TIME_CHECK_EVERY == 0 and not in_time():
                return False
    return True
