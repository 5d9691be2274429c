"""The document record: stable ids, content hashes and schema validation."""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs

from indexer.errors import RecordError

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
DOCUMENT_SCHEMA = SCHEMA_DIR / "document.schema.json"

ID_PATTERN = re.compile(r"^[A-Za-z0-9._~:-]{1,200}$")
MAX_ID_LENGTH = 200

#: Fields whose content defines the record: a change in any of them changes the hash.
HASHED_FIELDS = ("title", "body", "type", "date", "author", "url", "pages", "needs_ocr")


@lru_cache(maxsize=1)
def _document_schema() -> dict[str, Any]:
    return json.loads(DOCUMENT_SCHEMA.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    schema = _document_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@lru_cache(maxsize=1)
def _fast_validator() -> Any:
    """The same schema compiled by jsonschema-rs: a tenth of the time per record. It is the
    stricter of the two (ASCII ``\\d``, ``$`` only at the very end), so a record it refuses
    is judged again by :func:`_validator`, which keeps the verdict and the message."""
    return jsonschema_rs.validator_for(_document_schema(), validate_formats=False)


def _surely_valid(record: dict[str, Any]) -> bool:
    try:
        return bool(_fast_validator().is_valid(record))
    except (ValueError, TypeError):  # a value jsonschema-rs cannot read: let jsonschema judge
        return False


def validate(record: dict[str, Any]) -> None:
    """Raise RecordError naming the first schema violation of ``record``."""
    if _surely_valid(record) or _validator().is_valid(record):
        return
    error = jsonschema.exceptions.best_match(_validator().iter_errors(record))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "record"
        raise RecordError(f"{where}: {error.message}")


def slugify(text: str, limit: int = 80) -> str:
    """Lowercase ASCII slug of ``text`` (may be empty for non-Latin text)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0] or slug[:limit]
    return slug


def short_hash(*parts: str, length: int = 8) -> str:
    """A short, stable hex digest of ``parts``."""
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:length]


def make_id(source: str, title: str, date: str | None = None, whole_file: bool = False) -> str:
    """A URL-safe id that is stable and unique per source: readable where the name allows.

    ``source`` is the file's path relative to its source root (``plans/2024 계획.pdf``).
    A file that is one record (PDF, HWP, HWPX, DOCX) is named by that path alone, so its id
    survives a better title or a new text; one of many records in a file (a listing page,
    an export) adds its date and title. The readable part is an ASCII slug of the path (empty
    for a Korean name); a short hash of the whole path (and title) keeps ids apart where the
    slugs meet, so two files never share an id.
    """
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", source)
    readable = unicodedata.normalize("NFKD", re.sub(r"[^\x00-\u024f]+", "-", stem))  # Hangul parts apart
    readable = readable.encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"-{2,}", "-", re.sub(r"[^A-Za-z0-9._~-]+", "-", readable)).strip("-._~")[:60].rstrip("-._~")
    if whole_file:
        return f"{slug}:{short_hash(source)}" if slug else f"file:{short_hash(source)}"
    parts = [slug or "source"]
    if date:
        parts.append(date)
    title_slug = slugify(title, limit=60)
    digest = short_hash(source, title)
    parts.append(f"{title_slug}-{digest}" if title_slug else digest)
    return ":".join(parts)[:MAX_ID_LENGTH]


def check_given_id(given: Any) -> str:
    """Return an id given by an export unchanged, or raise RecordError saying why not."""
    if not isinstance(given, str) or not given:
        raise RecordError(f"id must be a non-empty string, got {given!r}")
    if len(given) > MAX_ID_LENGTH:
        raise RecordError(f"id longer than {MAX_ID_LENGTH} characters: {given[:40]!r}...")
    if not ID_PATTERN.match(given):
        raise RecordError(f"id is not URL-safe (letters, digits and -_.~: only): {given!r}")
    return given


def content_hash(record: dict[str, Any]) -> str:
    """Hash of the record's content fields, independent of key order."""
    payload = {key: record.get(key) for key in HASHED_FIELDS if record.get(key) is not None}
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()[:32]


#: Characters of text kept per record (about 300 dense PDF pages); the rest is cut at
#: ingestion with a warning, so no record makes indexing or a request unboundedly long.
MAX_TEXT_CHARS = 1_000_000


def cap_text(record: dict[str, Any], limit: int = MAX_TEXT_CHARS) -> int:
    """Cut ``body`` (and the pages it is made of) to ``limit`` characters in place; return how many were cut."""
    body = record.get("body") or ""
    if len(body) <= limit:
        return 0
    record["body"] = body[:limit]
    if record.get("pages"):
        kept, used = [], 0
        for page in record["pages"]:
            room = limit - used
            if room <= 0:
                break
            kept.append(page if len(page["text"]) <= room else dict(page, text=page["text"][:room]))
            used += len(page["text"]) + 2  # pages are joined with a blank line
        record["pages"] = kept
    return len(body) - limit
