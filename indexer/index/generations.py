"""Generations of an index on disk, the atomic switch and how readers find the live one.

Layout::

    DIR/CURRENT                      name of the live generation (one line), replaced atomically
    DIR/LOCK                         writer lock (see indexer.index.lock)
    DIR/generations/<name>/          one complete Whoosh index + generation.json
    DIR/generations/.tmp-<name>/     a generation being written (never read; removed if stale)

``<name>`` is ``g<counter:06d>-<UTC timestamp>``. A generation is written in a
``.tmp-`` folder, committed, described in ``generation.json`` (with a size and
sha256 of every file, for ``verify``), renamed to its final name and only then
published by replacing ``CURRENT`` with ``os.replace``. A live generation is never
written again. Readers call :func:`open_live` (read ``CURRENT``, open that folder); its
files are read through memory maps shared by every process (:mod:`indexer.index.mapped`).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from whoosh.index import Index

from indexer.errors import IndexerError
from indexer.index.mapped import open_mapped

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
GENERATIONS = "generations"
METADATA = "generation.json"
TMP_PREFIX = ".tmp-"
#: Generations kept: the live one and its predecessors (for rollback).
KEEP = 3
_NAME = re.compile(r"^g(\d{6,})-")


class NoIndexError(IndexerError):
    """The folder has no live generation."""


class SwitchRefusedError(IndexerError):
    """A new generation would replace the live one with too few records."""


class CorruptIndexError(IndexerError):
    """The live generation cannot be read as described by its metadata."""


def generations_dir(index_dir: Path) -> Path:
    """The folder holding every generation of ``index_dir``."""
    return Path(index_dir) / GENERATIONS


def live_name(index_dir: Path) -> str | None:
    """Name of the live generation, or None when there is none."""
    try:
        name = (Path(index_dir) / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name or None


def live_path(index_dir: Path) -> Path:
    """Folder of the live generation; NoIndexError if there is none."""
    name = live_name(index_dir)
    if name is None:
        raise NoIndexError(f"no index in {index_dir} (no {CURRENT} file): run 'policy-index build' first")
    path = generations_dir(index_dir) / name
    if not path.is_dir():
        raise CorruptIndexError(f"{CURRENT} names generation {name!r} but {path} does not exist")
    return path


def read_metadata(gen_path: Path) -> dict[str, Any]:
    """The generation.json of a generation folder."""
    try:
        return json.loads((gen_path / METADATA).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CorruptIndexError(f"{gen_path} has no {METADATA}") from None
    except json.JSONDecodeError as exc:
        raise CorruptIndexError(f"{gen_path / METADATA} is not valid JSON: {exc}") from None


def open_live(index_dir: Path) -> tuple[Index, dict[str, Any]]:
    """Open the live generation read-only: ``(whoosh Index, metadata)``.

    Its segment files are read from the page cache (:func:`~indexer.index.mapped.open_mapped`),
    not copied into this process as ``whoosh.index.open_dir`` would.
    """
    path = live_path(index_dir)
    metadata = read_metadata(path)
    try:
        ix = open_mapped(path)
    except Exception as exc:  # whoosh raises many kinds on a damaged index
        raise CorruptIndexError(f"cannot open generation {path.name}: {exc}") from exc
    return ix, metadata


def _counter(name: str) -> int:
    match = _NAME.match(name)
    return int(match.group(1)) if match else -1


def list_generations(index_dir: Path) -> list[str]:
    """Names of complete generations, oldest first."""
    root = generations_dir(index_dir)
    if not root.is_dir():
        return []
    names = [p.name for p in root.iterdir() if p.is_dir() and _counter(p.name) >= 0]
    return sorted(names, key=_counter)


def new_tmp_generation(index_dir: Path) -> tuple[str, Path]:
    """Reserve the next generation name and create its temporary folder."""
    root = generations_dir(index_dir)
    root.mkdir(parents=True, exist_ok=True)
    taken = [_counter(n) for n in list_generations(index_dir)]
    taken += [_counter(p.name[len(TMP_PREFIX):]) for p in root.glob(TMP_PREFIX + "*")]
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    name = f"g{max(taken, default=0) + 1:06d}-{stamp}"
    tmp = root / f"{TMP_PREFIX}{name}"
    tmp.mkdir()
    return name, tmp


def clean_stale(index_dir: Path) -> list[str]:
    """Remove temporary folders left by killed writers (call with the lock held)."""
    removed = []
    for tmp in generations_dir(index_dir).glob(TMP_PREFIX + "*"):
        shutil.rmtree(tmp, ignore_errors=True)
        removed.append(tmp.name)
        log.info("removed stale partial generation %s", tmp.name)
    return removed


def file_digests(gen_path: Path) -> dict[str, dict[str, Any]]:
    """Size and sha256 of every file of a generation, by path relative to it (lock files and metadata excluded).

    Files in subfolders (``embeddings/``) are listed as ``embeddings/<name>``.
    """
    digests = {}
    for path in sorted(p for p in gen_path.rglob("*") if p.is_file()):
        if path.parent == gen_path and (path.name == METADATA or path.name.endswith("LOCK")):
            continue
        sha = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                sha.update(block)
        digests[path.relative_to(gen_path).as_posix()] = {"size": path.stat().st_size, "sha256": sha.hexdigest()}
    return digests


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_json_atomic(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def finalize(index_dir: Path, name: str, tmp: Path, metadata: dict[str, Any]) -> Path:
    """Write metadata (with file digests) into ``tmp`` and rename it to its final name."""
    for lock_file in tmp.glob("*LOCK"):
        lock_file.unlink(missing_ok=True)
    metadata = dict(metadata, generation=name, files=file_digests(tmp))
    _write_json_atomic(tmp / METADATA, metadata)
    for path in tmp.rglob("*"):  # make the index files durable before publishing
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
    final = generations_dir(index_dir) / name
    os.rename(tmp, final)
    _fsync_dir(final.parent)
    return final


def switch(index_dir: Path, name: str) -> None:
    """Make generation ``name`` live by atomically replacing ``CURRENT``."""
    index_dir = Path(index_dir)
    if not (generations_dir(index_dir) / name / METADATA).is_file():
        raise CorruptIndexError(f"generation {name} is incomplete; not switching")
    tmp = index_dir / f"{CURRENT}.tmp"
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write(name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, index_dir / CURRENT)
    _fsync_dir(index_dir)
    log.info("generation %s is live", name)


def check_switch(new_count: int, live_count: int | None, force: bool,
                 skipped: Sequence[tuple[str, str]] = ()) -> None:
    """Refuse (SwitchRefusedError) an empty generation, or one with under half the live records;
    an empty one's refusal names the first ``skipped`` sources and why."""
    if force:
        return
    if new_count == 0:
        what = f"the live generation ({live_count} records)" if live_count else "an index"
        why = ""
        if skipped:
            more = f"; and {len(skipped) - 3} more" if len(skipped) > 3 else ""
            why = ". Every source was skipped: " + "; ".join(f"{p}: {r}" for p, r in skipped[:3]) + more
        raise SwitchRefusedError(f"the new generation has no records; not replacing {what} (use --force){why}")
    if live_count and new_count * 2 < live_count:
        raise SwitchRefusedError(
            f"the new generation has {new_count} records, less than half the live {live_count}; "
            "not switching (use --force)"
        )


def prune(index_dir: Path, keep: int = KEEP) -> list[str]:
    """Remove generations outside the live one's chain of ``keep`` (live + predecessors)."""
    name = live_name(index_dir)
    if name is None:
        return []
    kept, current = [], name
    while current and len(kept) < keep and (generations_dir(index_dir) / current).is_dir():
        kept.append(current)
        try:
            current = read_metadata(generations_dir(index_dir) / current).get("previous")
        except CorruptIndexError:
            break
    removed = []
    for other in list_generations(index_dir):
        if other not in kept:
            shutil.rmtree(generations_dir(index_dir) / other, ignore_errors=True)
            removed.append(other)
            log.info("pruned generation %s", other)
    return removed


def previous_of(index_dir: Path) -> str:
    """The generation live before the current one; NoIndexError if none is kept."""
    metadata = read_metadata(live_path(index_dir))
    previous = metadata.get("previous")
    if not previous or not (generations_dir(index_dir) / previous / METADATA).is_file():
        raise NoIndexError(f"no previous generation of {metadata.get('generation')} to roll back to")
    return previous
