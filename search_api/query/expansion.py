"""Cross-lingual query expansion: glossary translations and city names across scripts.

A query's word groups are scanned for glossary terms and city names, longest
first, across consecutive groups (``public transportation``, ``기후 변화`` and
``Mexico City`` are units). A span of groups ``g_i..g_j`` that names one becomes::

    DisjunctionMax([And(g_i..g_j), Or(alternatives, boost=TRANSLATION_BOOST)])

where the alternatives are the glossary's other-language forms (a multi-word
English form as a phrase, a Korean form analyzed like any query word) and, for
a city, its name in the other script (same weight) and its tag in the
``city``/``city_ko`` keyword fields (``CITY_BOOST``: keyword fields are not
scorable, a tag scores its plain weight 1.0).

Weights: a translated match counts ``TRANSLATION_BOOST`` (0.7) of the same match
on the user's own word, so an equally good record in the query's language ranks
first. Original and translation are combined with a *max* (DisjunctionMax), not a
sum: a bilingual record that says the same thing in both languages gets no double
credit over a record that says it well in one. Hangul bigram fields still only
score the user's own words (a further edge for same-script records). Where no
alternative matches (a monolingual corpus), every score is exactly the unexpanded one.
"""
from __future__ import annotations

import re
from typing import Protocol

from whoosh import query as Q
from whoosh.fields import Schema
from whoosh.query.compound import DefaultOr as Or  # see search_api.query.build

from search_api.query.parse import Item, ParsedQuery


class ItemQueries(Protocol):
    """What expansion needs of a query builder (search_api.query.build.QueryBuilder is one).

    A protocol, so that this module does not import the builder that imports it.
    """

    schema: Schema

    def item_query(self, item: Item) -> Q.Query | None: ...

    def group_query(self, group: list[Item]) -> Q.Query | None: ...

#: Weight of a translated term against the user's own word (1.0).
TRANSLATION_BOOST = 0.7
#: Weight of a match on a city tag (keyword fields score their plain weight, 1.0).
CITY_BOOST = 0.5
#: Longest city name looked up, in query words.
MAX_CITY_WORDS = 4
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _glossary():
    from indexer.crosslingual.glossary import glossary

    return glossary()


def _gazetteer():
    from indexer.enrich.cities import gazetteer

    return gazetteer()


def city_of(words: list[str]):
    """The city that ``words`` (as a user typed them) name, or None."""
    text = " ".join(words)
    if not text.strip():
        return None
    gaz = _gazetteer()
    city = gaz.lookup(text)
    if city is None and len(words) == 1 and _HANGUL.search(text):
        found = gaz.find(text)  # a Korean name followed by a particle or 시/특별시
        city = found[0] if len(found) == 1 else None
    return city


def city_alternatives(builder: ItemQueries, city, korean_query: bool) -> list[Q.Query]:
    """Clauses finding records tagged with ``city`` or naming it in the other script."""
    alts: list[Q.Query] = []
    tags = []
    if "city" in builder.schema:
        tags.append(Q.Term("city", city.name))
    if city.name_ko and "city_ko" in builder.schema:
        tags.append(Q.Term("city_ko", city.name_ko))
    if tags:
        alts.append(Or(tags, boost=CITY_BOOST / TRANSLATION_BOOST))
    other = city.name if korean_query else city.name_ko
    if other:
        text_query = builder.item_query(Item(other, "phrase" if " " in other else "word"))
        if text_query is not None:
            alts.append(text_query)
    return alts


def translation_alternatives(builder: ItemQueries, forms, original: str) -> list[Q.Query]:
    alts = []
    for form in forms:
        if form.lower() == original.lower():
            continue
        kind = "phrase" if " " in form and not _HANGUL.search(form) else "word"
        sub = builder.item_query(Item(form, kind))
        if sub is not None and sub not in alts:
            alts.append(sub)
    return alts


def _group_text(group: list[Item]) -> str | None:
    """The text of a group that is one plain word or phrase (OR-groups are left alone)."""
    if len(group) != 1 or group[0].kind == "prefix":
        return None
    return group[0].text


def expanded_groups(builder: ItemQueries, parsed: ParsedQuery) -> list[Q.Query]:
    """The group queries of ``parsed``, spans naming a glossary term or city OR-ed with translations."""
    plain = [builder.group_query(g) for g in parsed.groups]
    texts = [_group_text(g) for g in parsed.groups]
    glossary = _glossary()
    # analyzed terms of each group, as one sequence remembering the group of each term
    terms: list[str] = []
    owner: list[int] = []
    for gi, text in enumerate(texts):
        if text is None or plain[gi] is None:
            terms.append("\x00")  # a barrier: no match spans an OR-group
            owner.append(gi)
            continue
        for term in glossary.terms(text):
            terms.append(term)
            owner.append(gi)
    spans: dict[int, tuple[int, list[Q.Query]]] = {}  # first group -> (last group, alternatives)
    gi = 0
    n = len(parsed.groups)
    while gi < n:
        best = None
        if texts[gi] is not None and plain[gi] is not None:
            for last in range(min(n, gi + max(MAX_CITY_WORDS, 6)) - 1, gi - 1, -1):
                if any(texts[k] is None or plain[k] is None for k in range(gi, last + 1)):
                    continue
                alts = _span_alternatives(builder, glossary, terms, owner, texts, gi, last)
                if alts:
                    best = (last, alts)
                    break
        if best:
            spans[gi] = best
            gi = best[0] + 1
        else:
            gi += 1
    out: list[Q.Query] = []
    gi = 0
    while gi < n:
        if gi in spans:
            last, alts = spans[gi]
            originals = [q for q in plain[gi:last + 1] if q is not None]
            original = originals[0] if len(originals) == 1 else Q.And(originals)
            out.append(Q.DisjunctionMax([original, Or(alts, boost=TRANSLATION_BOOST)]))
            gi = last + 1
        else:
            if plain[gi] is not None:
                out.append(plain[gi])
            gi += 1
    return out


def _span_alternatives(builder, glossary, terms, owner, texts, first: int, last: int) -> list[Q.Query]:
    words = [texts[k] for k in range(first, last + 1)]
    original = " ".join(words)
    korean = bool(_HANGUL.search(original))
    alts: list[Q.Query] = []
    span_terms = [t for t, g in zip(terms, owner) if first <= g <= last]
    if span_terms and "\x00" not in span_terms:
        for entry, lang in glossary.lookup(span_terms):
            other = entry.forms("en" if lang == "ko" else "ko")
            alts.extend(a for a in translation_alternatives(builder, other, original) if a not in alts)
    if len(words) <= MAX_CITY_WORDS:
        city = city_of(words)
        if city is not None:
            alts.extend(a for a in city_alternatives(builder, city, korean) if a not in alts)
    return alts
