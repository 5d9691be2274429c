"""The index commands: exit codes, messages, kill -9 mid-build and concurrent builds."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.cli import main
from indexer.index import live_path, open_live, verify
from tests.indexer.index.conftest import write_text

REPO = Path(__file__).resolve().parents[3]


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_build_stats_verify_rollback_delete(sources, tmp_path):
    index = tmp_path / "index"
    result = run("build", sources["a"], sources["b"], "--index", index)
    assert result.exit_code == 0, result.output
    assert "records indexed: 4" in result.output and "seconds:" in result.output
    first = live_path(index).name
    result = run("stats", "--index", index, "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["records"] == 4 and data["generation"] == first and data["by_lang"] == {"en": 4}
    assert run("verify", "--index", index).exit_code == 0

    ix, _ = open_live(index)
    with ix.reader() as reader:
        victim = next(f["id"] for _, f in reader.iter_docs() if f["id"].startswith("a1"))
    result = run("delete", victim, "--index", index)
    assert result.exit_code == 0 and "deleted 1" in result.output
    assert json.loads(run("stats", "--index", index, "--json").stdout)["records"] == 3
    assert run("delete", "no-such-id", "--index", index).exit_code == 1

    result = run("rollback", "--index", index)
    assert result.exit_code == 0 and first in result.output
    assert json.loads(run("stats", "--index", index, "--json").stdout)["records"] == 4
    result = run("rollback", "--index", index)
    assert result.exit_code == 1 and "no previous generation" in result.stderr


def test_refuses_shrinking_build_without_force(sources, tmp_path):
    index = tmp_path / "index"
    assert run("build", sources["a"], sources["b"], "--index", index).exit_code == 0
    live = live_path(index).name
    result = run("build", sources["b"], "--index", index)
    assert result.exit_code == 1
    assert "less than half" in result.stderr and "--force" in result.stderr and "Traceback" not in result.output
    assert live_path(index).name == live
    result = run("build", sources["b"], "--index", index, "--force")
    assert result.exit_code == 0 and live_path(index).name != live


def test_usage_and_missing_index(tmp_path):
    assert run("build", "--index", tmp_path / "i").exit_code == 2
    result = run("stats", "--index", tmp_path / "nothing")
    assert result.exit_code == 1 and "no index" in result.stderr


def test_verify_command_detects_corrupted_segment(sources, tmp_path):
    index = tmp_path / "index"
    assert run("build", sources["a"], sources["b"], "--index", index).exit_code == 0
    seg = next(live_path(index).glob("*.seg"))
    data = bytearray(seg.read_bytes())
    mid = len(data) // 2
    data[mid:mid + 32] = bytes(b ^ 0x5A for b in data[mid:mid + 32])
    seg.write_bytes(bytes(data))
    result = run("verify", "--index", index)
    assert result.exit_code == 1 and "corrupted" in result.stderr and seg.name in result.stderr


def _big_export(path: Path, count: int) -> None:
    rng = random.Random(7)
    words = ("seoul busan city policy housing transport climate energy water park smart mobility "
             "budget citizen green tax school health safety culture").split()
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            handle.write(json.dumps({"id": f"big-{i}", "title": " ".join(rng.choices(words, k=6)),
                                     "text": " ".join(rng.choices(words, k=250))}) + "\n")


def _wait_for(predicate, timeout: float, proc: subprocess.Popen) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.01)
    return False


def _survivors(marker: str) -> list[int]:
    found = []
    for proc_dir in Path("/proc").glob("[0-9]*"):
        try:
            if marker in (proc_dir / "cmdline").read_bytes().decode("utf-8", "replace"):
                found.append(int(proc_dir.name))
        except OSError:
            continue
    return found


@pytest.mark.slow
def test_concurrent_build_busy_then_kill9_leaves_live_untouched(sources, tmp_path):
    index = tmp_path / "index"
    assert run("build", sources["a"], sources["b"], "--index", index).exit_code == 0
    live = live_path(index).name
    big = tmp_path / "big"
    big.mkdir()
    _big_export(big / "export.jsonl", 900)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    cli = [sys.executable, "-m", "indexer.cli"]
    proc = subprocess.Popen(cli + ["build", str(big), "--index", str(index), "--workers", "2"],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        lock = index / "LOCK"
        assert _wait_for(lambda: lock.read_text().startswith(f"{proc.pid} "), 30, proc), "build never took the lock"
        started = time.monotonic()
        second = subprocess.run(cli + ["build", str(sources["a"]), "--index", str(index)],
                                cwd=REPO, env=env, capture_output=True, text=True, timeout=30)
        assert second.returncode == 3
        assert "busy" in second.stderr and str(proc.pid) in second.stderr and "Traceback" not in second.stderr
        assert time.monotonic() - started < 10
        partial = index / "generations"
        assert _wait_for(lambda: any(partial.glob(".tmp-*")), 60, proc), "build finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    deadline = time.monotonic() + 5  # the writer processes die with their parent
    while _survivors(str(big)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _survivors(str(big)) == []
    assert live_path(index).name == live
    assert verify(index) == []
    ix, _ = open_live(index)
    with ix.searcher() as searcher:
        from whoosh.qparser import QueryParser
        assert len(searcher.search(QueryParser("body", ix.schema).parse("reservoir"))) == 1
    result = run("build", sources["a"], sources["b"], "--index", index)
    assert result.exit_code == 0, result.output
    assert live_path(index).name != live and not list((index / "generations").glob(".tmp-*"))
