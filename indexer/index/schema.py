"""The Whoosh schema of a generation and the mapping from records to Whoosh documents.

Fields (what is stored is marked *):

* ``id`` *         ID, unique: the record id.
* ``title`` *      TEXT (field_boost 2.0), stored for highlighting.
* ``body`` *       TEXT, stored: highlighting needs the original text.
* ``pages`` *      STORED only: JSON ``[[number, text], ...]`` of a PDF's pages (absent
                   otherwise). The page texts are part of ``body``; the best-matching
                   page of a hit comes from per-page term counts written once per
                   generation (:mod:`indexer.index.page_terms`).
* ``record`` *     STORED only: the whole record as JSON *without* ``body`` and
                   ``pages`` (they are stored once, above); :func:`stored_record`
                   reassembles the full record from a hit's stored fields.
* ``origin`` *     ID: absolute path of the source file the record came from.
* ``content_hash`` * ID: the record's content hash (drives ``update``).
* ``source_path``  ID: ``source.path`` (relative to its folder root).
* ``city``         KEYWORD (comma separated, case kept): English city names (facet values).
* ``city_ko``      KEYWORD: Korean city names, for filtering/searching by them.
* ``city_id``      KEYWORD: GeoNames ids.
* ``topic``        KEYWORD: topic slugs (facet).
* ``sdg``          KEYWORD: SDG numbers as strings "1".."17" (facet).
* ``lang``, ``type`` ID, sortable (facets).
* ``year``         NUMERIC, sortable; absent when the record has no date.
* ``title_bigram``, ``body_bigram``  TEXT: Hangul bigrams at low weight (recall only).
* ``date``         NUMERIC YYYYMMDD, sortable; 0 when the record has no date, so that
                   ``sortedby("date", reverse=True)`` (newest first) puts them last.

Extending: add entries to :data:`EXTRA_FIELDS` (field name -> (field type, function
record -> value)); ``make_schema`` and ``record_to_document`` pick them up.
"""
from __future__ import annotations

import json
from typing import Any, Callable

from whoosh import fields
from whoosh.analysis import Analyzer

from indexer.analysis import FIELD_BOOSTS, hangul_bigram_analyzer, policy_analyzer
from indexer.index.analyzed import ANALYZED_KEY

#: Bumped when the schema changes incompatibly; written into generation metadata.
SCHEMA_VERSION = 1


def text_analyzer() -> Analyzer:
    """The analyzer of every full-text field: the single point to swap it."""
    return policy_analyzer()


#: Extra fields: name -> (factory of the Whoosh field type, function record -> value or None).
EXTRA_FIELDS: dict[str, tuple[Callable[[], fields.FieldType], Callable[[dict[str, Any]], Any]]] = {}

# Hangul bigram twins of title/body: they only add recall (see indexer.analysis).
EXTRA_FIELDS["title_bigram"] = (
    lambda: fields.TEXT(analyzer=hangul_bigram_analyzer(), phrase=False, field_boost=FIELD_BOOSTS["title_bigram"]),
    lambda record: record["title"])
EXTRA_FIELDS["body_bigram"] = (
    lambda: fields.TEXT(analyzer=hangul_bigram_analyzer(), phrase=False, field_boost=FIELD_BOOSTS["body_bigram"]),
    lambda record: record["body"])


def make_schema() -> fields.Schema:
    """A fresh schema instance (analyzers included)."""
    analyzer = text_analyzer()
    schema = fields.Schema(
        id=fields.ID(unique=True, stored=True),
        title=fields.TEXT(analyzer=analyzer, field_boost=FIELD_BOOSTS["title"], stored=True),
        body=fields.TEXT(analyzer=analyzer, field_boost=FIELD_BOOSTS["body"], stored=True),
        pages=fields.STORED(),
        record=fields.STORED(),
        origin=fields.ID(stored=True),
        content_hash=fields.ID(stored=True),
        source_path=fields.ID(),
        city=fields.KEYWORD(commas=True, lowercase=False, scorable=False),
        city_ko=fields.KEYWORD(commas=True, lowercase=False, scorable=False),
        city_id=fields.KEYWORD(commas=True, scorable=False),
        topic=fields.KEYWORD(commas=True, lowercase=False, scorable=False),
        sdg=fields.KEYWORD(commas=True, scorable=False),
        lang=fields.ID(sortable=True),
        type=fields.ID(sortable=True),
        year=fields.NUMERIC(int, bits=32, sortable=True),
        date=fields.NUMERIC(int, bits=32, sortable=True),
    )
    for name, (field_factory, _) in EXTRA_FIELDS.items():
        schema.add(name, field_factory())
    return schema


def _keywords(values: list[Any]) -> str:
    return ",".join(str(v).replace(",", " ").strip() for v in values if str(v).strip())


def record_to_document(record: dict[str, Any], origin: str) -> dict[str, Any]:
    """The keyword arguments of ``writer.add_document`` for one schema-valid record."""
    stored = {k: v for k, v in record.items() if k not in ("body", "pages") and not k.startswith("_")}
    cities = record.get("cities") or []
    doc: dict[str, Any] = {
        "id": record["id"],
        "title": record["title"],
        "body": record["body"],
        "record": json.dumps(stored, ensure_ascii=False, sort_keys=True),
        "origin": origin,
        "content_hash": record["content_hash"],
        "source_path": (record.get("source") or {}).get("path") or (record.get("source") or {}).get("url") or "",
        "city": _keywords([c["name"] for c in cities]),
        "city_ko": _keywords([c["name_ko"] for c in cities if c.get("name_ko")]),
        "city_id": _keywords([c["geonameid"] for c in cities]),
        "topic": _keywords(record.get("topics") or []),
        "sdg": _keywords(record.get("sdgs") or []),
        "lang": record["lang"],
        "type": record["type"],
        "date": int(record["date"].replace("-", "")) if record.get("date") else 0,
    }
    if record.get("date"):
        doc["year"] = int(record["date"][:4])
    if record.get("pages"):
        doc["pages"] = json.dumps([[p["number"], p["text"]] for p in record["pages"]], ensure_ascii=False)
    for name, (_, value_of) in EXTRA_FIELDS.items():
        value = value_of(record)
        if value is not None:
            doc[name] = value
    if record.get(ANALYZED_KEY):  # terms analyzed where the record was enriched (see analyzed)
        doc[ANALYZED_KEY] = record[ANALYZED_KEY]
    return {k: v for k, v in doc.items() if v != ""}


def stored_record(stored: dict[str, Any]) -> dict[str, Any]:
    """Reassemble the full record from a hit's stored fields (``hit.fields()``)."""
    record = json.loads(stored["record"])
    record["body"] = stored.get("body", "")
    if stored.get("pages"):
        record["pages"] = [{"number": n, "text": t} for n, t in json.loads(stored["pages"])]
    return record
