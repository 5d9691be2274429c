"""From source files and folders to finalized, enriched, validated document records."""
from __future__ import annotations

import functools
import logging
import os
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from indexer.analysis.shared import shared_analysis
from indexer.converters import HTML_SUFFIXES, SUPPORTED_SUFFIXES, TEXT_SUFFIXES, converter_for, jsonl, preload
from indexer.conversion_sandbox import ConversionLimits, SandboxPool
from indexer.converters.base import LOCATION_KEY, WHOLE_FILE_KEY, RawRecord, collect_skipped
from indexer.converters.cleaning import strip_format_controls, web_url
from indexer.enrich.cities import cities_for, gazetteer
from indexer.enrich.duplicates import SIGNATURE_KEY, link_duplicates, minhash_values
from indexer.enrich.language import detect_language
from indexer.enrich.sdgs import sdgs_for
from indexer.enrich.translations import CONCEPTS_KEY, concepts_of, link_translations
from indexer.enrich.topics import topics_for
from indexer.errors import ConversionError, RecordError
from indexer.index.analyzed import ANALYZED_KEY, analyze_record
from indexer.records import MAX_TEXT_CHARS, cap_text, content_hash, make_id, validate

log = logging.getLogger(__name__)

#: Source name of the site-wide blocks repeated on every page (about texts).
SITE_BLOCK_SOURCE = "site"
#: Raw records enriched per task when extraction runs over several processes.
FINALIZE_BATCH = 100
#: JSON Lines exports larger than this are converted in parts of about this size, each by a
#: limited worker of its own: a large export uses every worker, and no worker holds all of it.
PART_BYTES = 64 * 1024 * 1024
#: Smaller exports are read whole; larger ones in at least two parts per worker, so that every
#: worker converts a share of an export of a few thousand records too.
MIN_PART_BYTES = 4 * 1024 * 1024
#: The formats read in parts (JSON arrays and everything else are read whole).
PARTED_SUFFIXES = frozenset({".jsonl", ".ndjson"})
#: Files of these formats (by name) and at most :data:`BATCH_FILE_BYTES` are converted
#: :data:`BATCH_FILES` to a sandbox task: a folder of many small pages costs one message,
#: one limit armed and one clock per batch instead of per file (see :class:`FileBatch`).
BATCHED_SUFFIXES = frozenset(TEXT_SUFFIXES | HTML_SUFFIXES)
BATCH_FILE_BYTES = 256 * 1024
BATCH_FILES = 32


#: The reason given for a file whose conversion ran out of the converter's memory.
OUT_OF_MEMORY = "memory limit exceeded while converting (out of memory)"


@dataclass
class FileResult:
    """What one source file gave: its records, or the reason it gave none."""

    path: str
    raws: list[RawRecord] = field(default_factory=list)
    error: str | None = None
    #: Parts of the file skipped while the rest was read: (``path:line`` or ``path#n``, reason).
    skipped: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class FileBatch:
    """Small files converted in one sandbox task, one after the other.

    The batch runs under the limits of its largest file alone (a few kilobytes of text or HTML
    take milliseconds; the budgets are seconds). A batch stopped by a limit, whose worker died,
    or in which a file ran out of memory (its batch-mates' records share the worker's) gives
    :class:`BatchStopped`, and each of its files is converted again on its own, under its own
    limits: the file to blame is reported, the others are read.
    """

    pairs: tuple[tuple[Path, Path], ...]


@dataclass(frozen=True)
class BatchStopped:
    """The result of a :class:`FileBatch` stopped by a limit: its files are converted again one by one."""

    reason: str


@dataclass
class ExtractResult:
    """Records of a run, where each came from, and what was skipped and why."""

    records: list[dict[str, Any]] = field(default_factory=list)
    origins: dict[str, str] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def iter_source_files(paths: Iterable[Path], skipped: list[tuple[str, str]] | None = None) -> list[tuple[Path, Path]]:
    """Every (file, root) under ``paths``: a folder is walked for supported formats.

    Symbolic links (to files or folders) are never followed: each is left out and,
    when ``skipped`` is given, reported there, so a source folder cannot pull in
    files from outside itself.
    """
    found: list[tuple[Path, Path]] = []
    for given in paths:
        given = Path(given)
        if given.is_symlink() and not given.is_dir():
            _skip_link(given, skipped)
            continue
        given = given.resolve()
        if not given.is_dir():
            found.append((given, given.parent))
            continue
        walked: list[tuple[Path, Path]] = []
        for folder, dirs, files in os.walk(given):
            here = Path(folder)
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in [d for d in dirs if (here / d).is_symlink()]:
                _skip_link(here / name, skipped)
                dirs.remove(name)
            for name in sorted(files):
                file = here / name
                if name.startswith(".") or file.suffix.lower() not in SUPPORTED_SUFFIXES:
                    continue
                if file.is_symlink():
                    _skip_link(file, skipped)
                elif file.is_file():
                    walked.append((file, given))
        found += sorted(walked, key=lambda pair: pair[0].relative_to(given).parts)
    return found


def _skip_link(path: Path, skipped: list[tuple[str, str]] | None) -> None:
    reason = "symbolic link: not followed (sources must be regular files inside their folder)"
    log.warning("skipped %s: %s", path, reason)
    if skipped is not None:
        skipped.append((str(path), reason))


def convert_file(path: Path, root: Path, part: int = 0, parts: int = 1) -> FileResult:
    """Convert one file, or part ``part`` of ``parts`` of it, into raw records
    (``FileResult.raws``); never raises for bad input."""
    result = FileResult(path=str(path))
    try:
        if path.is_symlink():
            raise ConversionError("symbolic link: not followed")
        if not path.is_file():
            raise ConversionError("no such file")
        with collect_skipped() as skipped:
            try:
                result.raws = _convert(path, root, part, parts)
            finally:
                result.skipped = [(f"{path}{where}", reason) for where, reason in skipped]
    except ConversionError as exc:
        result.error = str(exc)
    except MemoryError:
        result.error = OUT_OF_MEMORY
    except Exception as exc:  # a converter bug must not abort the run
        log.exception("converter failed on %s", path)
        result.error = f"conversion failed: {type(exc).__name__}: {exc}"
    else:
        if not result.raws and parts == 1:  # a part may hold no record: the file is judged whole
            result.error = "no document found in the file"
    if result.error and parts > 1:
        result.error += _part_note(path, root, part, parts)
    return result


def convert_task(*task: Any) -> FileResult | list[FileResult]:
    """A sandbox task's result: :func:`convert_file` of a file or part, or of each file of a batch."""
    if isinstance(task[0], FileBatch):
        results = [convert_file(path, root) for path, root in task[0].pairs]
        if any(r.error == OUT_OF_MEMORY for r in results):  # batch-mates' records may be to blame
            return BatchStopped(OUT_OF_MEMORY)
        return results
    return convert_file(*task)


def _task_over_limit(*task_and_reason: Any) -> FileResult | BatchStopped:
    if isinstance(task_and_reason[0], FileBatch):
        return BatchStopped(task_and_reason[-1])
    return _over_limit(*task_and_reason)


def _task_size(*task: Any) -> int | None:
    """The bytes a task's time budgets grow with: its file's (or part's), or a batch's largest file's."""
    if isinstance(task[0], FileBatch):
        sizes = [_file_size(path, root) for path, root in task[0].pairs]
        return None if None in sizes else max(sizes)  # type: ignore[type-var]
    return _file_size(*task)


def _convert(path: Path, root: Path, part: int, parts: int) -> list[RawRecord]:
    """The raw records of ``path``, or of one part of a JSON Lines export (its format is sniffed
    here, in the worker: a file named ``.jsonl`` that is something else is read whole by part 0)."""
    converter = converter_for(path)
    if parts == 1:
        return converter(path, root)
    if converter is jsonl.convert:
        return jsonl.convert_part(path, root, part, parts)
    return converter(path, root) if part == 0 else []


def finalize_batch(batch: list[tuple[str, int, RawRecord]],
                   analyze: bool = False) -> list[tuple[str, dict | None, str | None]]:
    """Finalize (path, position, raw) triples: (path, record, None) or (where, None, reason)."""
    out = []
    for path, position, raw in batch:
        try:
            notes: list[str] = []
            with shared_analysis():
                record = finalize(raw, Path(path).stem, notes, analyze)
            where = f"{path}{raw.get(LOCATION_KEY) or ''}"
            out.extend((where, None, note) for note in notes)
            out.append((path, record, None))
        except RecordError as exc:
            out.append((f"{path}{raw.get(LOCATION_KEY) or f'#{position + 1}'}", None, str(exc)))
    return out


def finalize(raw: RawRecord, source_name: str, notes: list[str] | None = None,
             analyze: bool = False) -> dict[str, Any]:
    """Derive id, language, cities, topics, SDGs and content hash; validate the record.

    ``analyze``: also analyze its text fields for the index writer (see
    :mod:`indexer.index.analyzed`), once, here in the worker that enriches it.
    Format characters (bidi overrides ...) are removed from the title, author and
    given topics; a ``url`` that is not http(s) is dropped, with a line in ``notes``.
    """
    record = {key: value for key, value in raw.items()
              if key != "site_block" and not key.startswith("_") and value is not None}
    cut = cap_text(record)  # before enrichment, which reads the whole text
    for key in ("title", "author"):
        if isinstance(record.get(key), str):
            record[key] = strip_format_controls(record[key]).strip()
    if _all_str(record.get("topics")):
        record["topics"] = [t for t in (strip_format_controls(t).strip() for t in record["topics"]) if t]
    if "url" in record and web_url(record["url"]) is None:
        if notes is not None:
            notes.append(f"url dropped (only http and https URLs are kept): {str(record['url'])[:80]!r}")
        del record["url"]
    elif "url" in record:
        record["url"] = web_url(record["url"])
    title, body = record.get("title", ""), record.get("body", "")
    if not title.strip():
        raise RecordError("record has no title")
    if "id" not in record:
        if raw.get("site_block"):
            record["id"] = make_id(SITE_BLOCK_SOURCE, title)
        else:
            source = (record.get("source") or {}).get("path") or source_name
            record["id"] = make_id(source, title, record.get("date"), whole_file=bool(raw.get(WHOLE_FILE_KEY)))
    if cut:
        log.warning("%s: record %s cut to %d characters of text (%d more dropped)",
                    source_name, record["id"], MAX_TEXT_CHARS, cut)
        if notes is not None:
            notes.append(f"record {record['id']}: text cut to {MAX_TEXT_CHARS:,} characters ({cut:,} more dropped)")
    if record.get("lang") not in ("ko", "en", "mixed"):
        record["lang"] = detect_language(title, body)
    record["cities"] = _given_cities(record.get("cities")) or cities_for(title, body)
    if not _all_str(record.get("topics")):
        record["topics"] = topics_for(title, body) if (title + body).strip() else []
    if not _all_int(record.get("sdgs")):
        record["sdgs"] = sdgs_for(title, body)
    record["content_hash"] = content_hash(record)
    validate(record)
    if analyze:  # before the concepts: they re-use MeCab's parse of the same text
        record[ANALYZED_KEY] = analyze_record(record)
    record[SIGNATURE_KEY] = minhash_values(record)  # for link_duplicates, which removes it
    concepts = concepts_of(record)
    if concepts is not None:
        record[CONCEPTS_KEY] = sorted(concepts)  # for link_translations, which removes it
    return record


def _run_now(function: Any, *args: Any) -> Future:
    """``function(*args)`` as a finished future (extraction without a pool)."""
    done: Future = Future()
    try:
        done.set_result(function(*args))
    except BaseException as exc:  # raised again by result(), as a pool's future would
        done.set_exception(exc)
    return done


def given_id(path: str) -> bool:
    """Whether the record's id came from its export (JSON/JSONL ids are kept as given)."""
    return Path(path).suffix.lower() in (".json", ".jsonl")


def _next_free(record_id: str, taken: dict[str, str]) -> str:
    """``record_id`` with the first free ordinal (``~2``, ``~3`` ...) of its file."""
    n = 2
    while f"{record_id}~{n}" in taken:
        n += 1
    return f"{record_id}~{n}"


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


def _over_limit(path: Path, root: Path, *part_and_reason: Any) -> FileResult:
    """The result of a file (or part) whose conversion was stopped by a limit of the sandbox."""
    reason = part_and_reason[-1]
    if len(part_and_reason) == 3:
        reason += _part_note(path, root, *part_and_reason[:2])
    return FileResult(path=str(path), error=reason)


def _part_note(path: Path, root: Path, part: int, parts: int) -> str:
    """Which lines of an export a failed part held (the other parts are read)."""
    lo, hi = jsonl.part_range(_file_size(path, root) or 0, part, parts)
    return f", in part {part + 1} of {parts} (the lines that start at bytes {lo:,} to {hi:,}; the other parts are read)"


def conversion_tasks(pairs: list[tuple[Path, Path]], workers: int = 1) -> list[tuple]:
    """The sandbox's tasks for (file, root) pairs: ``(path, root)``, or ``(path, root, part,
    parts)`` for each part of a JSON Lines export over :data:`MIN_PART_BYTES` (parts of at most
    :data:`PART_BYTES`, two per worker at least), or ``(FileBatch,)`` for up to :data:`BATCH_FILES`
    small text and HTML files in a row (chosen by name and size: no byte is read here)."""
    tasks: list[tuple] = []
    batch: list[tuple[Path, Path]] = []
    # batches of at most a share of the files per worker, so that a small folder is still spread
    per_batch = max(1, min(BATCH_FILES, len(pairs) // (4 * max(1, workers))))

    def close_batch() -> None:
        if batch:
            tasks.append((FileBatch(tuple(batch)),) if len(batch) > 1 else batch[0])
            batch.clear()

    for path, root in pairs:
        size = _file_size(path, root)
        suffix = path.suffix.lower()
        if per_batch > 1 and suffix in BATCHED_SUFFIXES and size is not None and size <= BATCH_FILE_BYTES:
            batch.append((path, root))
            if len(batch) >= per_batch:
                close_batch()
            continue
        close_batch()
        size = size or 0
        if suffix in PARTED_SUFFIXES and size > (PART_BYTES if workers == 1 else min(PART_BYTES, MIN_PART_BYTES)):
            parts = max(-(-size // PART_BYTES), 2 * workers if workers > 1 else 1)
            tasks.extend((path, root, part, parts) for part in range(parts))
        else:
            tasks.append((path, root))
    close_batch()
    return tasks


def converted_files(sandbox: SandboxPool, tasks: list[tuple]) -> Iterator[tuple[tuple, FileResult]]:
    """(file or part task, its result) for every file of ``tasks``, in order; the files of a batch
    stopped by a limit come last, each converted again on its own."""
    again: list[tuple] = []
    for task, result in zip(tasks, sandbox.map(tasks)):
        if isinstance(result, BatchStopped):
            log.info("a batch of %d small files was stopped (%s); converting each on its own",
                     len(task[0].pairs), result.reason)
            again.extend(task[0].pairs)
        elif isinstance(result, list):
            yield from zip(task[0].pairs, result)
        else:
            yield task, result
    if again:
        yield from zip(again, sandbox.map(again))


def _worker_pool(workers: int) -> ProcessPoolExecutor:
    """Forked workers that die with this process and inherit what it has loaded.

    The gazetteer, taxonomy and SDG keyword tables are loaded here first, once, so
    that the forked workers share them instead of each loading its own copy.
    """
    from indexer.enrich.sdgs import goals
    from indexer.enrich.topics import taxonomy
    from indexer.index.writing import forked_pool

    gazetteer(), taxonomy(), goals()
    return forked_pool(workers)


def _sandbox(workers: int, limits: ConversionLimits, pairs: list[tuple[Path, Path]]) -> SandboxPool:
    """Converter processes under ``limits``, forked after the shared tables and the converters
    these files' names call for are imported (so no worker imports them again)."""
    from indexer.index.writing import _die_with_parent, parallel_context

    preload({path.suffix.lower() for path, _ in pairs})  # by name: no untrusted byte is read here
    return SandboxPool(workers, limits, convert_task, _task_over_limit, parallel_context(),
                       init=functools.partial(_die_with_parent, os.getpid()), size_of=_task_size)


def _file_size(path: Path, root: Path, *part: int) -> int | None:
    """The bytes of a file (or of its part) to convert (its time budgets grow with them); None
    when unknown."""
    try:
        size = path.lstat().st_size
    except OSError:
        return None
    if part:
        lo, hi = jsonl.part_range(size, *part)
        return hi - lo
    return size


def extract_sources(paths: Iterable[Path], workers: int = 1, progress=None,
                    limits: ConversionLimits | None = None, analyze: bool = False) -> ExtractResult:
    """Convert every file under ``paths`` into records, over ``workers`` processes.

    Each file is converted in a worker process under ``limits`` (memory, CPU and
    wall time; default: from the environment, see :mod:`indexer.conversion_sandbox`);
    a file over a limit is skipped with the reason. The raw records are then
    enriched in parallel batches (so one large export also uses every worker).
    Records with the same id (a site block repeated on every page) are kept once;
    near-duplicates are linked. ``progress``, if given, is called once per file. ``analyze``:
    the records also carry their analyzed text fields for the index writer (a build).
    """
    skipped_links: list[tuple[str, str]] = []
    pairs = iter_source_files(paths, skipped_links)
    result = ExtractResult(files=[str(p) for p, _ in pairs], errors=skipped_links)
    limits = limits or ConversionLimits.from_env()
    pool = _worker_pool(workers) if workers > 1 and pairs else None
    try:
        finalize_each = functools.partial(finalize_batch, analyze=analyze)
        # batches go to the pool as they fill, so enrichment runs while files are still converted
        pending: list[Any] = []
        start = pool.submit if pool else _run_now
        batch: list[tuple[str, int, RawRecord]] = []
        tasks = conversion_tasks(pairs, workers)
        given = 0  # records (and reports) the parts of the current file gave so far
        position = 0
        with _sandbox(workers, limits, pairs) as sandbox:
            for task, file_result in converted_files(sandbox, tasks):
                first = len(task) == 2 or task[2] == 0
                last = len(task) == 2 or task[2] == task[3] - 1
                if first:
                    given = position = 0
                for where, reason in file_result.skipped:
                    result.errors.append((where, reason))
                    log.warning("skipped %s: %s", where, reason)
                if file_result.error:
                    result.errors.append((file_result.path, file_result.error))
                    log.warning("skipped %s: %s", file_result.path, file_result.error)
                given += len(file_result.raws) + len(file_result.skipped) + bool(file_result.error)
                if last and not given:  # every part of the export was empty
                    result.errors.append((file_result.path, "no document found in the file"))
                    log.warning("skipped %s: no document found in the file", file_result.path)
                if progress and last:
                    progress(file_result)
                for raw in file_result.raws:
                    batch.append((file_result.path, position, raw))
                    position += 1
                    if len(batch) >= FINALIZE_BATCH:
                        pending.append(start(finalize_each, batch))
                        batch = []
        if batch:
            pending.append(start(finalize_each, batch))
        finalized = [item for done in pending for item in done.result()]
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
            if record["content_hash"] == hashes[record["id"]]:
                continue  # the same record again (a site block on every page): kept once
            if result.origins[record["id"]] == path and not given_id(path):
                record["id"] = _next_free(record["id"], hashes)  # two records of one file alike in title and date
            else:
                reason = (f"id {record['id']!r} already given by {result.origins[record['id']]} "
                          f"(a different record): not indexed, give one of them another id")
                result.errors.append((path, reason))
                log.warning("skipped %s: %s", path, reason)
                continue
        result.records.append(record)
        result.origins[record["id"]] = path
        hashes[record["id"]] = record["content_hash"]
    link_duplicates(result.records)
    link_translations(result.records)
    return result

