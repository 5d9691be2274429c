"""Each source is converted in a limited worker process: over a limit the file is skipped, the run goes on."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from indexer.conversion_sandbox import ConversionLimits
from indexer.extract import BATCH_FILES, FileBatch, conversion_tasks, extract_sources, iter_source_files
from tests.conftest import SEED_PAGES
from tests.indexer.converters import hostile_pdfs

GOOD_PAGE = sorted(SEED_PAGES.glob("*.txt"))[0]


def _folder(tmp_path: Path, hostile_name: str, hostile: bytes) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    shutil.copy(GOOD_PAGE, folder / "a-good.txt")
    (folder / hostile_name).write_bytes(hostile)
    (folder / "z-good.jsonl").write_text(json.dumps({"id": "good-after", "title": "Bike lanes", "body": "Seoul."}) + "\n")
    return folder


def _check(result, folder: Path, hostile_name: str, reason: str) -> None:
    skipped = dict(result.errors)
    assert reason in skipped.get(str(folder / hostile_name), ""), result.errors
    sources = {Path(path).name for path in result.origins.values()}
    assert sources == {"a-good.txt", "z-good.jsonl"}  # the files beside it are all read
    assert "good-after" in result.origins


@pytest.mark.parametrize("workers", [1, 2])
def test_a_pdf_over_its_cpu_limit_is_skipped(tmp_path, workers):
    folder = _folder(tmp_path, "slow.pdf", hostile_pdfs.slow_pages(pages=10, operators=100_000))
    # CPU seconds, not wall time: the same on a loaded machine (no wall limit here to race it)
    result = extract_sources([folder], workers=workers, limits=ConversionLimits(cpu_seconds=2, wall_seconds=0))
    _check(result, folder, "slow.pdf", "CPU limit of 2 s exceeded")


def test_a_pdf_over_its_wall_time_limit_is_skipped_and_its_worker_replaced(tmp_path):
    folder = _folder(tmp_path, "slow.pdf", hostile_pdfs.slow_pages(pages=10, operators=100_000))
    result = extract_sources([folder], limits=ConversionLimits(cpu_seconds=0, wall_seconds=3))
    _check(result, folder, "slow.pdf", "wall-time limit of 3 s exceeded")


def test_a_file_over_the_memory_limit_is_skipped(tmp_path):
    line = json.dumps({"title": "Seoul bike lanes", "body": "자전거 도로 " * 2000}, ensure_ascii=False) + "\n"
    big = (line * (24_000_000 // len(line))).encode("utf-8")
    folder = _folder(tmp_path, "m-big.jsonl", big)
    result = extract_sources([folder], limits=ConversionLimits(memory_mb=64, cpu_seconds=60, wall_seconds=60))
    _check(result, folder, "m-big.jsonl", "memory limit exceeded")


def test_limits_come_from_the_environment():
    limits = ConversionLimits.from_env({"POLICY_INDEX_CONVERT_MEMORY_MB": "512",
                                        "POLICY_INDEX_CONVERT_CPU_SECONDS": "30",
                                        "POLICY_INDEX_CONVERT_WALL_SECONDS": "45.5"})
    assert limits == ConversionLimits(memory_mb=512, cpu_seconds=30, wall_seconds=45.5)
    assert ConversionLimits.from_env({}) == ConversionLimits()


def _convert_or_die(name: str) -> str:
    """A task that kills its own process (as a crash in a parser library would) for ``die``."""
    import os
    import signal

    if name == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    return name.upper()


def _given_up(name: str, reason: str) -> str:
    return f"skipped {name}: {reason}"


def test_a_dead_converter_process_is_replaced_and_the_run_goes_on():
    import multiprocessing

    from indexer.conversion_sandbox import SandboxPool

    tasks = [("a",), ("die",), ("b",), ("die",), ("c",)]
    with SandboxPool(2, ConversionLimits(), _convert_or_die, _given_up, multiprocessing.get_context("fork")) as pool:
        results = list(pool.map(tasks))
    assert results[0::2] == ["A", "B", "C"]  # in task order, every other file converted
    assert all(r.startswith("skipped die: the converter process died (killed by signal 9)") for r in results[1::2])


def _spin_or_nap(kind: str, seconds: float) -> str:
    """A task that burns ``seconds`` of its own CPU time (``spin``) or sleeps them (``nap``)."""
    import time

    if kind == "nap":
        time.sleep(seconds)
    else:
        end = time.process_time() + seconds
        while time.process_time() < end:
            pass
    return f"{kind} done"


def _skip_reason(kind: str, seconds: float, reason: str) -> str:
    return f"skipped: {reason}"


def _hogs(cpu: int, count: int) -> list:
    """``count`` processes spinning on CPU ``cpu`` (a machine busy with other builds)."""
    import subprocess
    import sys

    code = f"import os\nos.sched_setaffinity(0, {{{cpu}}})\nwhile True: pass\n"
    return [subprocess.Popen([sys.executable, "-c", code]) for _ in range(count)]


def test_time_spent_waiting_for_a_cpu_is_not_charged_to_a_files_wall_budget():
    import multiprocessing
    import os
    import time

    from indexer.conversion_sandbox import SandboxPool

    if not hasattr(os, "sched_setaffinity") or not os.path.exists("/proc/self/task"):
        pytest.skip("needs Linux scheduler statistics and CPU affinity")
    cpu = min(os.sched_getaffinity(0))
    saved = os.sched_getaffinity(0)
    hogs = _hogs(cpu, 3)
    try:
        os.sched_setaffinity(0, {cpu})  # the pool's worker, forked from here, shares that CPU with the hogs
        limits = ConversionLimits(cpu_seconds=0, wall_seconds=3)
        with SandboxPool(1, limits, _spin_or_nap, _skip_reason, multiprocessing.get_context("fork")) as pool:
            started = time.monotonic()
            spun = list(pool.map([("spin", 1.5)]))
            spin_wall = time.monotonic() - started
            started = time.monotonic()
            napped = list(pool.map([("nap", 30.0)]))
            nap_wall = time.monotonic() - started
    finally:
        os.sched_setaffinity(0, saved)
        for hog in hogs:
            hog.kill()
            hog.wait()
    # 1.5 s of work on a CPU shared four ways takes about 6 s: over the 3 s budget in wall time,
    # within it in the time the worker could run
    assert spin_wall > 3.0, f"no contention ({spin_wall:.1f} s): the test shows nothing"
    assert spun == ["spin done"]
    # sleeping is charged: a hang is still stopped at its budget
    assert napped == ["skipped: wall-time limit of 3 s exceeded"]
    assert nap_wall < 15.0


def test_quick_files_cost_no_pass_over_proc(tmp_path, monkeypatch):
    """A folder of many small files: each converts in milliseconds, so no conversion is sampled
    from /proc (a pass over every process) but after a rare stall; before, each file cost two."""
    from indexer import conversion_sandbox

    passes = []
    real = conversion_sandbox.group_waits
    monkeypatch.setattr(conversion_sandbox, "group_waits", lambda pgids: passes.append(pgids) or real(pgids))
    folder = tmp_path / "many"
    for i in range(300):
        path = folder / f"{i // 100}" / f"note-{i}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"Seoul note {i}\n\nBike lanes and parks, note number {i}.\n", encoding="utf-8")
    result = extract_sources([folder], workers=2, limits=ConversionLimits(wall_seconds=60))
    assert not result.errors and len(result.records) == 300
    assert len(passes) <= 5  # a stall of a second on a loaded machine may take one; before: 600


def _small_pages(folder: Path, count: int) -> list[str]:
    """``count`` small text pages (each its own story), named in order; their titles."""
    titles = []
    for n in range(count):
        title = f"Seoul district {n} opens bike lane number {n * 7 + 3}"
        (folder / f"p{n:03d}.txt").write_text(f"{title}\n\nThe district {n} council said the lane runs "
                                               f"{n + 2} km beside the river and opens in spring.\n", encoding="utf-8")
        titles.append(title)
    return titles


def test_small_files_are_converted_in_batches_and_a_bad_one_is_still_the_only_one_lost(tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    titles = _small_pages(folder, 40)
    # a slow PDF named like a page: sniffed inside the worker, it takes its batch over the CPU limit
    (folder / "p020-slow.txt").write_bytes(hostile_pdfs.slow_pages(pages=10, operators=100_000))
    big = folder / "p030-big.txt"  # over the batched size: a task of its own
    big.write_text("Big page\n\n" + "A long report on Busan ferries. " * 10_000, encoding="utf-8")
    pairs = iter_source_files([folder])
    tasks = conversion_tasks(pairs, workers=2)
    batches = [task[0] for task in tasks if isinstance(task[0], FileBatch)]
    assert batches and all(1 < len(b.pairs) <= BATCH_FILES for b in batches)
    assert (big, folder) in tasks and not any(big in {p for p, _ in b.pairs} for b in batches)
    each = [p for task in tasks for p in ([p for p, _ in task[0].pairs] if isinstance(task[0], FileBatch) else [task[0]])]
    assert sorted(each) == sorted(p for p, _ in pairs)  # every file in one task, once
    result = extract_sources([folder], workers=2, limits=ConversionLimits(cpu_seconds=2, wall_seconds=0))
    skipped = dict(result.errors)
    assert "CPU limit of 2 s exceeded" in skipped.get(str(folder / "p020-slow.txt"), ""), result.errors
    assert len(skipped) == 1, result.errors
    assert {r["title"] for r in result.records} == set(titles) | {"Big page"}  # the slow file's batch-mates are read
