"""From source files and folders to finalized, enriched, validated document records."""
from __future__ import annotations

import logging
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from indexer.converters import SUPPORTED_SUFFIXES, converter_for
from indexer.converters.base import RawRecord
from indexer.enrich.cities import cities_for, gazetteer
from indexer.enrich.duplicates import SIGNATURE_KEY, link_duplicates, minhash_values
from indexer.enrich.language import detect_language
from indexer.enrich.sdgs import sdgs_for
from indexer.enrich.translations import link_translations
from indexer.enrich.topics import topics_for
from indexer.errors import ConversionError, RecordError
from indexer.records import MAX_TEXT_CHARS, cap_text, content_hash, make_id, validate

log = logging.getLogger(__name__)

#: Source name of the site-wide blocks repeated on every page (about texts).
SITE_BLOCK_SOURCE = "site"
#: Raw records enriched per task when extraction runs over several processes.
FINALIZE_BATCH = 100


@dataclass
class FileResult:
    """What one source file gave: its records, or the reason it gave none."""

    path: str
    raws: list[RawRecord] = field(default_factory=list)
    error: str | None = None


@dataclass
class ExtractResult:
    """Records of a run, where each came from, and what was skipped and why."""

    records: list[dict[str, Any]] = field(default_factory=list)
    origins: dict[str, str] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def iter_source_files(paths: Iterable[Path]) -> list[tuple[Path, Path]]:
    """Every (file, root) under ``paths``: a folder is walked for supported formats."""
    found: list[tuple[Path, Path]] = []
    for given in paths:
        given = Path(given).resolve()
        if given.is_dir():
            for file in sorted(given.rglob("*")):
                hidden = any(part.startswith(".") for part in file.relative_to(given).parts)
                if file.is_file() and not hidden and file.suffix.lower() in SUPPORTED_SUFFIXES:
                    found.append((file, given))
        else:
            found.append((given, given.parent))
    return found


def convert_file(path: Path, root: Path) -> FileResult:
    """Convert one file into raw records (``FileResult.raws``); never raises for bad input."""
    result = FileResult(path=str(path))
    try:
        if not path.is_file():
            raise ConversionError("no such file")
        result.raws = converter_for(path)(path, root)
    except ConversionError as exc:
        result.error = str(exc)
    except MemoryError:
        result.error = "out of memory while converting"
    except Exception as exc:  # a converter bug must not abort the run
        log.exception("converter failed on %s", path)
        result.error = f"conversion failed: {type(exc).__name__}: {exc}"
    else:
        if not result.raws:
            result.error = "no document found in the file"
    return result


def finalize_batch(batch: list[tuple[str, int, RawRecord]]) -> list[tuple[str, dict | None, str | None]]:
    """Finalize (path, position, raw) triples: (path, record, None) or (where, None, reason)."""
    out = []
    for path, position, raw in batch:
        try:
            out.append((path, finalize(raw, Path(path).stem), None))
        except RecordError as exc:
            out.append((f"{path}#{position + 1}", None, str(exc)))
    return out


def finalize(raw: RawRecord, source_name: str) -> dict[str, Any]:
    """Derive id, language, cities, topics, SDGs and content hash; validate the record."""
    record = {key: value for key, value in raw.items() if key != "site_block" and value is not None}
    cut = cap_text(record)  # before enrichment, which reads the whole text
    title, body = record.get("title", ""), record.get("body", "")
    if not title.strip():
        raise RecordError("record has no title")
    if "id" not in record:
        name = SITE_BLOCK_SOURCE if raw.get("site_block") else source_name
        record["id"] = make_id(name, title, None if raw.get("site_block") else record.get("date"))
    if cut:
        log.warning("%s: record %s cut to %d characters of text (%d more dropped)",
                    source_name, record["id"], MAX_TEXT_CHARS, cut)
    if record.get("lang") not in ("ko", "en", "mixed"):
        record["lang"] = detect_language(title, body)
    record["cities"] = _given_cities(record.get("cities")) or cities_for(title, body)
    if not _all_str(record.get("topics")):
        record["topics"] = topics_for(title, body) if (title + body).strip() else []
    if not _all_int(record.get("sdgs")):
        record["sdgs"] = sdgs_for(title, body)
    record["content_hash"] = content_hash(record)
    validate(record)
    record[SIGNATURE_KEY] = minhash_values(record)  # for link_duplicates, which removes it
    return record


def _given_cities(given: Any) -> list[dict]:
    """Cities an export names, by name (English or Korean) or as full city objects."""
    if not isinstance(given, list):
        return []
    cities = []
    for item in given:
        name = item.get("name") if isinstance(item, dict) else item
        city = gazetteer().lookup(name) if isinstance(name, str) else None
        if city and city.as_record() not in cities:
            cities.append(city.as_record())
    return cities


def _all_str(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _all_int(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, int) and 1 <= v <= 17 for v in value)


def _convert_pair(pair: tuple[Path, Path]) -> FileResult:
    return convert_file(*pair)


def _worker_pool(workers: int) -> ProcessPoolExecutor:
    """Forked workers that die with this process and inherit what it has loaded.

    The gazetteer, taxonomy and SDG keyword tables are loaded here first, once, so
    that the forked workers share them instead of each loading its own copy.
    """
    from indexer.enrich.sdgs import goals
    from indexer.enrich.topics import taxonomy
    from indexer.index.writing import _die_with_parent, parallel_context

    gazetteer(), taxonomy(), goals()
    return ProcessPoolExecutor(max_workers=workers, mp_context=parallel_context(),
                               initializer=_die_with_parent, initargs=(os.getpid(),))


def extract_sources(paths: Iterable[Path], workers: int = 1, progress=None) -> ExtractResult:
    """Convert every file under ``paths`` into records, over ``workers`` processes.

    Files are converted in parallel, then their raw records are enriched in
    parallel batches (so one large export also uses every worker). Records with
    the same id (a site block repeated on every page) are kept once; near-duplicates
    are linked. ``progress``, if given, is called once per file.
    """
    pairs = iter_source_files(paths)
    result = ExtractResult(files=[str(p) for p, _ in pairs])
    pool = _worker_pool(workers) if workers > 1 and pairs else None
    try:
        mapper = pool.map if pool else map
        batch: list[tuple[str, int, RawRecord]] = []
        batches: list[list[tuple[str, int, RawRecord]]] = []
        for file_result in mapper(_convert_pair, pairs):
            if progress:
                progress(file_result)
            if file_result.error:
                result.errors.append((file_result.path, file_result.error))
                log.warning("skipped %s: %s", file_result.path, file_result.error)
            for position, raw in enumerate(file_result.raws):
                batch.append((file_result.path, position, raw))
                if len(batch) >= FINALIZE_BATCH:
                    batches.append(batch)
                    batch = []
        if batch:
            batches.append(batch)
        finalized = [item for done in mapper(finalize_batch, batches) for item in done]
    finally:
        if pool:
            pool.shutdown()
    hashes: dict[str, str] = {}
    for path, record, reason in finalized:
        if record is None:
            result.errors.append((path, reason))
            log.warning("skipped %s: %s", path, reason)
            continue
        if record["id"] in hashes:
            if record["content_hash"] != hashes[record["id"]]:
                log.info("%s: id %s already given by %s; kept the first", path, record["id"], result.origins[record["id"]])
            continue
        result.records.append(record)
        result.origins[record["id"]] = path
        hashes[record["id"]] = record["content_hash"]
    link_duplicates(result.records)
    link_translations(result.records)
    return result

