"""Build, update and delete: each writes a new generation and switches to it atomically."""
from __future__ import annotations

import logging
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from whoosh import index as whoosh_index

from indexer.errors import IndexerError, RecordError
from indexer.index import generations as gens
from indexer.index.analyzed import ANALYZED_KEY
from indexer.index.derived import write_derived
from indexer.index.lock import IndexLock
from indexer.index.schema import SCHEMA_VERSION, text_analyzer
from indexer.index.writing import LIMIT_MB, add_records, create_index, open_writer
from indexer.records import validate

log = logging.getLogger(__name__)


@dataclass
class BuildSummary:
    """What a build, update or delete did."""

    operation: str
    generation: str | None = None
    previous: str | None = None
    records: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    added: int = 0
    changed: int = 0
    deleted: int = 0
    unchanged: int = 0
    missing: list[str] = field(default_factory=list)
    switched: bool = False
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        data = dict(self.__dict__)
        data["skipped"] = [{"path": p, "reason": r} for p, r in self.skipped]
        return data


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _resolve(path: str | Path) -> str:
    return str(Path(path).resolve())


def _clean(records: Iterable[dict[str, Any]], origins: dict[str, str],
           skipped: list[tuple[str, str]], validated: bool = False) -> list[dict[str, Any]]:
    """Schema-valid records with unique ids (first wins); rejects go to ``skipped``.

    ``validated``: the records were validated already (``extract_sources`` validates each
    one in ``finalize``), so the schema check is not repeated (it costs about 0.1 ms per
    record, serially, before the parallel part of a build).
    """
    seen: dict[str, str] = {}
    kept = []
    for record in records:
        where = origins.get(str(record.get("id")), "") or str(record.get("id"))
        try:
            if not validated:
                validate(record)
        except RecordError as exc:
            skipped.append((where, f"invalid record {record.get('id')!r}: {exc}"))
            continue
        if record["id"] in seen:
            skipped.append((where, f"duplicate id {record['id']!r} (kept the one from {seen[record['id']]})"))
            continue
        seen[record["id"]] = where
        kept.append(record)
    return kept


def _metadata(operation: str, previous: str | None, records: int, sources: list[str],
              skipped: list[tuple[str, str]], started: float, **extra: Any) -> dict[str, Any]:
    return {
        "operation": operation,
        "previous": previous,
        "built_at": _now(),
        "records": records,
        "sources": sources,
        "skipped": [{"path": p, "reason": r} for p, r in skipped],
        "skipped_counts": dict(Counter(r for _, r in skipped)),
        "seconds": round(time.monotonic() - started, 3),
        "schema_version": SCHEMA_VERSION,
        "analyzer": type(text_analyzer()).__name__,
        **extra,
    }


def _publish(index_dir: Path, name: str, tmp: Path, metadata: dict[str, Any],
             live_count: int | None, force: bool, check: bool = True, derived: bool = False) -> None:
    """Refuse or finalize + switch + prune; the temporary folder is removed on refusal.

    ``derived``: the generation's derived arrays are written already.
    """
    try:
        if check:
            gens.check_switch(metadata["records"], live_count, force)
        if not derived:
            write_derived(tmp)
        gens.finalize(index_dir, name, tmp, metadata)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    gens.switch(index_dir, name)
    gens.prune(index_dir)


def _embed(tmp: Path, index_dir: Path, workers: int = 1) -> dict[str, Any]:
    """The post-commit step of an update or delete: embed the chunks of every record of the
    generation in ``tmp`` (read back from its committed index); unchanged chunks come from
    the index folder's embedding cache."""
    from indexer.embed.store import write_embeddings  # loads numpy only; the encoder on first use
    from indexer.index.schema import stored_record

    with whoosh_index.open_dir(str(tmp)).reader() as reader:
        records = [stored_record(fields) for _, fields in reader.iter_docs()]
    return write_embeddings(tmp, records, index_dir, workers=workers).as_dict()


def _live_embeds(index_dir: Path) -> bool:
    """Whether the live generation has embeddings (an update or delete keeps them then)."""
    from indexer.embed.store import Embeddings

    return Embeddings.present(gens.live_path(index_dir))


def _check_failed_files(index_dir: Path, skipped: list[tuple[str, str]], force: bool) -> None:
    """Refuse (SwitchRefusedError) a build in which a file that holds live records failed whole:
    its records would vanish from the index though the file is still there. The guard counts
    the live records of each failed file, so one failed export cannot pass under "half"."""
    from whoosh.query import Term

    failed = {_resolve(p): reason for p, reason in skipped  # a symlink (never read) is not its target
              if p and not Path(p).is_symlink() and Path(p).is_file()}
    if force or not failed or gens.live_name(index_dir) is None:
        return
    ix, _ = gens.open_live(index_dir)
    lost = []
    with ix.searcher() as searcher:
        for path, reason in sorted(failed.items()):
            held = sum(1 for _ in searcher.docs_for_query(Term("origin", path)))
            if held:
                lost.append(f"{path} ({held} live records): {reason}")
    if lost:
        raise gens.SwitchRefusedError(
            f"{len(lost)} source file(s) holding live records failed; not switching (use --force): "
            + "; ".join(lost[:5]))


def _live_count(index_dir: Path) -> tuple[str | None, int | None]:
    name = gens.live_name(index_dir)
    if name is None:
        return None, None
    ix, _ = gens.open_live(index_dir)
    with ix.reader() as reader:
        return name, reader.doc_count()


def build_records(records: Iterable[dict[str, Any]], origins: dict[str, str], index_dir: Path,
                  sources: list[str] | None = None, skipped: list[tuple[str, str]] | None = None,
                  workers: int = 1, force: bool = False, progress: bool | None = None,
                  embed: bool = True) -> BuildSummary:
    """Index ``records`` as a complete new generation of ``index_dir`` and switch to it.

    ``embed``: also write the generation's sentence embeddings (semantic search).
    """
    started = time.monotonic()
    index_dir = Path(index_dir)
    with IndexLock(index_dir, "build"):
        gens.clean_stale(index_dir)
        return _build_locked(list(records), origins, index_dir, sources or [], list(skipped or []),
                             workers, force, progress, started, embed=embed)


def _build_locked(records: list[dict[str, Any]], origins: dict[str, str], index_dir: Path,
                  sources: list[str], skipped: list[tuple[str, str]], workers: int, force: bool,
                  progress: bool | None, started: float, validated: bool = False,
                  embed: bool = True) -> BuildSummary:
    previous, live_count = _live_count(index_dir)
    records = _clean(records, origins, skipped, validated)
    name, tmp = gens.new_tmp_generation(index_dir)
    extra: dict[str, Any] = {}
    run = None
    try:
        gens.check_switch(len(records), live_count, force, skipped)  # refused before anything is embedded
        _check_failed_files(index_dir, skipped, force)
        if embed:  # the encoder's processes take the CPU the writers leave idle (see EmbeddingRun)
            from indexer.embed.store import EmbeddingRun

            run = EmbeddingRun.start(tmp, records, index_dir, workers)
        count = create_index(tmp, records, origins, workers=workers, progress=progress)
        for record in records:  # their terms are written: free them before the derived arrays
            record.pop(ANALYZED_KEY, None)
        gens.check_switch(count, live_count, force)
        write_derived(tmp, workers=1 if run is not None else workers)  # the embedding run has the others
        if run is not None:
            extra["embeddings"] = run.finish().as_dict()
            run = None
    except BaseException:
        if run is not None:
            run.cancel()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    metadata = _metadata("build", previous, count, sources, skipped, started, workers=workers, **extra)
    _publish(index_dir, name, tmp, metadata, live_count, force, check=False, derived=True)  # checked above
    return BuildSummary("build", name, previous, count, skipped, added=count, switched=True,
                        seconds=time.monotonic() - started)


def build_index(paths: list[Path], index_dir: Path, workers: int = 1, force: bool = False,
                progress: bool | None = None, embed: bool = True) -> BuildSummary:
    """Extract ``paths`` (files or folders) and build a new live generation from them."""
    from indexer.extract import extract_sources  # imported late: the index package loads without it

    started = time.monotonic()
    index_dir = Path(index_dir)
    with IndexLock(index_dir, "build"):
        gens.clean_stale(index_dir)
        result = extract_sources([Path(p) for p in paths], workers=workers, analyze=True)
        return _build_locked(result.records, result.origins, index_dir, [_resolve(p) for p in paths],
                             list(result.errors), workers, force, progress, started, validated=True,
                             embed=embed)


def _under(origin: str, roots: list[str]) -> bool:
    return any(origin == root or origin.startswith(root.rstrip("/") + "/") for root in roots)


def _copy_live(index_dir: Path) -> tuple[str, Path, str, int]:
    """Copy the live generation into a new temporary one: (name, tmp, live name, live count)."""
    live = gens.live_path(index_dir)
    name, tmp = gens.new_tmp_generation(index_dir)
    try:
        tmp.rmdir()
        shutil.copytree(live, tmp, ignore=lambda _d, names: [n for n in names
                                                              if n.endswith("LOCK") or n == gens.METADATA])
        with whoosh_index.open_dir(str(tmp)).reader() as reader:
            count = reader.doc_count()
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return name, tmp, live.name, count


def update_records(records: Iterable[dict[str, Any]], origins: dict[str, str], index_dir: Path,
                   sources: list[str], skipped: list[tuple[str, str]] | None = None,
                   force: bool = False, progress: bool | None = None) -> BuildSummary:
    """Apply what differs (by content hash) among the records from ``sources`` as a new generation."""
    started = time.monotonic()
    index_dir = Path(index_dir)
    with IndexLock(index_dir, "update"):
        gens.clean_stale(index_dir)
        return _update_locked(list(records), origins, index_dir, [_resolve(s) for s in sources],
                              list(skipped or []), force, progress, started)


def update_index(paths: list[Path], index_dir: Path, workers: int = 1, force: bool = False,
                 progress: bool | None = None) -> BuildSummary:
    """Re-extract ``paths`` and apply only the changes among their records (see update_records)."""
    from indexer.extract import extract_sources

    started = time.monotonic()
    index_dir = Path(index_dir)
    with IndexLock(index_dir, "update"):
        gens.clean_stale(index_dir)
        gens.live_path(index_dir)  # fail early when there is nothing to update
        # not analyzed here: most records of an update are unchanged and never written; the
        # writer analyzes the few that are
        result = extract_sources([Path(p) for p in paths], workers=workers)
        return _update_locked(result.records, result.origins, index_dir, [_resolve(p) for p in paths],
                              list(result.errors), force, progress, started, validated=True, workers=workers)


def _update_locked(records: list[dict[str, Any]], origins: dict[str, str], index_dir: Path,
                   roots: list[str], skipped: list[tuple[str, str]], force: bool,
                   progress: bool | None, started: float, validated: bool = False,
                   workers: int = 1) -> BuildSummary:
    ix, live_meta = gens.open_live(index_dir)
    with ix.reader() as reader:
        live = {f["id"]: (f.get("origin", ""), f.get("content_hash", "")) for _, f in reader.iter_docs()}
    records = _clean(records, origins, skipped, validated=validated)
    failed = {_resolve(p) for p, _ in skipped if p}
    new = {r["id"]: r for r in records}
    deleted = [i for i, (origin, _) in live.items()
               if _under(origin, roots) and origin not in failed and i not in new]
    added = [r for i, r in new.items() if i not in live]
    changed = [r for i, r in new.items()
               if i in live and live[i] != (origins.get(i, ""), r["content_hash"])]
    summary = BuildSummary("update", previous=live_meta.get("generation"), skipped=skipped,
                           added=len(added), changed=len(changed), deleted=len(deleted),
                           unchanged=len(new) - len(added) - len(changed), records=len(live))
    if not (added or changed or deleted):
        log.info("nothing changed; generation %s stays live", summary.previous)
        summary.generation = summary.previous
        summary.seconds = time.monotonic() - started
        return summary
    name, tmp, previous, live_count = _copy_live(index_dir)
    try:
        tix = whoosh_index.open_dir(str(tmp))
        writer = open_writer(tix)
        try:
            for record_id in deleted + [r["id"] for r in changed]:
                writer.delete_by_term("id", record_id)
            add_records(writer, changed + added, origins, total=len(changed) + len(added),
                        progress=progress, desc="updating")
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        with whoosh_index.open_dir(str(tmp)).reader() as reader:
            count = reader.doc_count()
        extra = {"embeddings": _embed(tmp, index_dir, workers=workers)} if _live_embeds(index_dir) else {}
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    metadata = _metadata("update", previous, count, sorted(set(live_meta.get("sources", [])) | set(roots)),
                         skipped, started, changes={"added": len(added), "changed": len(changed),
                                                    "deleted": len(deleted)}, **extra)
    _publish(index_dir, name, tmp, metadata, live_count, force)
    summary.generation, summary.records, summary.switched = name, count, True
    summary.seconds = time.monotonic() - started
    return summary


def delete_records(ids: list[str], index_dir: Path) -> BuildSummary:
    """Remove the records ``ids`` in a new generation; unknown ids are reported in ``missing``."""
    started = time.monotonic()
    index_dir = Path(index_dir)
    with IndexLock(index_dir, "delete"):
        gens.clean_stale(index_dir)
        ix, live_meta = gens.open_live(index_dir)
        with ix.searcher() as searcher:
            present = [i for i in dict.fromkeys(ids) if searcher.document_number(id=i) is not None]
        missing = [i for i in ids if i not in present]
        if not present:
            raise IndexerError(f"no such record in the live generation: {', '.join(missing)}")
        name, tmp, previous, _ = _copy_live(index_dir)
        try:
            writer = whoosh_index.open_dir(str(tmp)).writer(limitmb=LIMIT_MB)
            for record_id in present:
                writer.delete_by_term("id", record_id)
            writer.commit()
            with whoosh_index.open_dir(str(tmp)).reader() as reader:
                count = reader.doc_count()
            extra = {"embeddings": _embed(tmp, index_dir)} if _live_embeds(index_dir) else {}
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        metadata = _metadata("delete", previous, count, live_meta.get("sources", []),
                             [], started, deleted_ids=present, **extra)
        _publish(index_dir, name, tmp, metadata, None, True, check=False)
    return BuildSummary("delete", name, previous, count, deleted=len(present), missing=missing,
                        switched=True, seconds=time.monotonic() - started)


def rollback(index_dir: Path) -> tuple[str, str]:
    """Make the generation live before the current one live again: ``(from, to)``."""
    index_dir = Path(index_dir)
    with IndexLock(index_dir, "rollback"):
        current = gens.live_name(index_dir)
        previous = gens.previous_of(index_dir)
        gens.switch(index_dir, previous)
    log.info("rolled back from %s to %s", current, previous)
    return str(current), previous
