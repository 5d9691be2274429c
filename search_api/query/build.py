"""From a parsed user query to Whoosh queries over the index's text fields.

Every word must match (in the title or the body: compound parts at one position
are alternatives, successive morphemes are all required); Hangul bigram fields,
where the schema has them, only add to the score. The relaxed form lets any word
match.
"""
from __future__ import annotations

from collections import OrderedDict

from whoosh import query as Q
from whoosh.fields import Schema
# Whoosh 2.7.4's automatic Or picks a preloading array matcher on small indexes whose
# skip_to() loses matches under AndMaybe/And (a relevant record scored 196 came back
# missing from the top 10); the binary tree of union matchers is always right.
from whoosh.query.compound import DefaultOr as Or

from search_api.query.expansion import expanded_groups
from search_api.query.parse import Item, ParsedQuery

TEXT_FIELDS = ("title", "body")
BIGRAM_FIELDS = ("title_bigram", "body_bigram")


class QueryBuilder:
    """Builds Whoosh queries with the schema's own analyzers."""

    def __init__(self, schema: Schema, expand: bool = True):
        self.schema = schema
        self.expand = expand  # cross-lingual expansion (search_api.query.expansion)
        self.analyzer = schema["body"].analyzer
        self.bigram_fields = [name for name in BIGRAM_FIELDS if name in schema]

    def positions(self, text: str) -> list[list[str]]:
        """Analyzed terms of ``text`` grouped by position (alternatives share one)."""
        grouped: OrderedDict[int, list[str]] = OrderedDict()
        for token in self.analyzer(text, mode="query", positions=True):
            alternatives = grouped.setdefault(token.pos, [])
            if token.text not in alternatives:
                alternatives.append(token.text)
        return list(grouped.values())

    def item_query(self, item: Item) -> Q.Query | None:
        """A query matching one item in the title or the body, or None if it has no terms."""
        if item.kind == "prefix":
            text = item.text.lower()
            return Or([Q.Prefix(field, text) for field in TEXT_FIELDS])
        positions = self.positions(item.text)
        if not positions:
            return None  # only stop words
        if item.kind == "phrase" and len(positions) > 1:
            words = [alts[0] for alts in positions]
            return Or([Q.Phrase(field, words) for field in TEXT_FIELDS])
        required = []
        for alternatives in positions:
            strong = [t for t in alternatives if len(t) > 1] or alternatives
            required.append(Or([Q.Term(f, t) for f in TEXT_FIELDS for t in strong]))
        return required[0] if len(required) == 1 else Q.And(required)

    def group_query(self, group: list[Item]) -> Q.Query | None:
        parts = [q for q in (self.item_query(item) for item in group) if q is not None]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else Or(parts)

    def build(self, parsed: ParsedQuery, relaxed: bool = False) -> Q.Query | None:
        """The full query: all groups (or any, when relaxed), exclusions, bigram boosts."""
        groups = (expanded_groups(self, parsed) if self.expand else
                  [q for q in (self.group_query(g) for g in parsed.groups) if q is not None])
        if not groups:
            return None
        main = groups[0] if len(groups) == 1 else (Or(groups) if relaxed else Q.And(groups))
        boost = self._bigram_query(parsed)
        if boost is not None:
            main = Q.AndMaybe(main, boost)
        excluded = [q for q in (self.item_query(item) for item in parsed.excluded) if q is not None]
        if excluded:
            main = Q.AndNot(main, Or(excluded))
        return main

    def _bigram_query(self, parsed: ParsedQuery) -> Q.Query | None:
        if not self.bigram_fields:
            return None
        text = " ".join(item.text for group in parsed.groups for item in group)
        terms = []
        for field in self.bigram_fields:
            seen = set()
            for token in self.schema[field].analyzer(text, mode="query"):
                if token.text not in seen:
                    seen.add(token.text)
                    terms.append(Q.Term(field, token.text))
        return Or(terms) if terms else None
