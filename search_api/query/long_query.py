"""Long pasted queries: the lexical leg keeps the query's most significant words.

As Elasticsearch's ``more_like_this`` does, each word of the text is weighted by its
frequency in the text times its inverse document frequency in the index (tf-idf); the
``max_terms`` best are kept, in their order in the text. Exclusions are kept as long as
the budget allows. The semantic leg embeds the whole text.
"""
from __future__ import annotations

import math
from collections import Counter

from search_api.query.parse import Item, ParsedQuery


def keep_significant(parsed: ParsedQuery, builder, searcher, max_terms: int) -> ParsedQuery:
    """A query of at most ``max_terms`` terms: the best groups of ``parsed`` by tf-idf."""
    doc_count = max(searcher.doc_count(), 1)
    analyzed = [builder.positions(" ".join(item.text for item in group)) for group in parsed.groups]
    frequency = Counter(term for positions in analyzed for alternatives in positions for term in alternatives[:1])

    def weight(positions: list[list[str]]) -> float:
        best = 0.0
        for alternatives in positions:
            term = alternatives[0]
            df = max(searcher.doc_frequency("body", term), searcher.doc_frequency("title", term))
            if df == 0:
                continue  # a word no record has adds nothing but a failed match
            best = max(best, frequency[term] * math.log(1 + doc_count / df))
        return best

    weights = [weight(positions) for positions in analyzed]
    order = sorted(range(len(parsed.groups)), key=lambda i: (-weights[i], i))
    kept, used, seen = [], 0, set()
    for index in order:
        if weights[index] <= 0:
            break
        key = tuple(term for alternatives in analyzed[index] for term in alternatives[:1])
        if key in seen:
            continue
        cost = sum(max(1, len(item.text.split())) for item in parsed.groups[index])
        if used + cost > max_terms:
            continue
        seen.add(key)
        kept.append(index)
        used += cost
    excluded: list[Item] = []
    for item in parsed.excluded:
        cost = max(1, len(item.text.split()))
        if used + cost <= max_terms:
            excluded.append(item)
            used += cost
    return ParsedQuery(groups=[parsed.groups[i] for i in sorted(kept)], excluded=excluded, terms=used)
