"""Faults during builds and in the live index: the service keeps serving a sound generation.

* ``kill -9`` of a build at several points (tests.ops.inject), and at a random moment from outside;
* disk full during a build (a 2 MB tmpfs when running as root; always: an injected ENOSPC);
* a corrupted segment file in the live generation (``verify`` finds it; ``serve`` rolls back);
* a stale LOCK file of a dead process.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from indexer.index import generations as gens
from search_api import create_app
from tests.ops.helpers import CORPUS, PY, REPO, Poller, build, env, indexer, inject, live, mount_tmpfs, serving
from tests.ops.inject import POINTS
from tests.search_api.conftest import LiveServer


def _assert_sound(index_dir: Path) -> None:
    done = indexer("verify", "--index", index_dir)
    assert done.returncode == 0, done.stderr
    live_gen = index_dir / "generations" / live(index_dir)
    assert (live_gen / gens.METADATA).is_file()  # CURRENT never names a partial generation


def test_kill_9_at_every_point_keeps_serving(index_dir):
    app = create_app({"index": str(index_dir), "refresh_interval": 0.05})
    server = LiveServer(app)
    try:
        with Poller([server.url], threads=1) as poller:
            for point in POINTS:
                before = live(index_dir)
                done = inject(point, "build", CORPUS, "--index", index_dir)
                assert done.returncode == -signal.SIGKILL, (point, done.returncode, done.stderr[-2000:])
                after = live(index_dir)
                if point == "before-prune":
                    assert after != before  # switched just before the kill: the new generation is live
                else:
                    assert after == before, point  # the old generation stays live
                _assert_sound(index_dir)
                time.sleep(0.3)
            # a kill -9 from outside at a random moment of the build
            proc = subprocess.Popen([PY, "-m", "indexer.cli", "build", str(CORPUS), "--index", str(index_dir)],
                                    cwd=REPO, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.6)
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
            _assert_sound(index_dir)
            # the next build succeeds (stale lock and partial generations are taken over / removed)
            previous = live(index_dir)
            build(index_dir)
            assert live(index_dir) != previous
            assert not list((index_dir / "generations").glob(".tmp-*"))
            _assert_sound(index_dir)
            time.sleep(0.5)
        assert poller.count > 20
        assert not poller.failures, poller.failures[:5]
        served = set(poller.generations[server.url])
        assert live(index_dir) in served
    finally:
        server.stop()


def test_injected_disk_full_keeps_old_generation(index_dir):
    app = create_app({"index": str(index_dir), "refresh_interval": 0.05})
    server = LiveServer(app)
    try:
        with Poller([server.url], threads=1) as poller:
            before = live(index_dir)
            done = inject("enospc", "build", CORPUS, "--index", index_dir, ENOSPC_AFTER="50000")
            assert done.returncode == 1, (done.returncode, done.stderr[-2000:])
            assert "No space left" in done.stderr, done.stderr[-2000:]
            assert "Traceback" not in done.stderr
            assert live(index_dir) == before
            assert not list((index_dir / "generations").glob(".tmp-*"))  # the partial generation is removed
            _assert_sound(index_dir)
            build(index_dir)
            assert live(index_dir) != before
            time.sleep(0.5)
        assert poller.count > 5 and not poller.failures, poller.failures[:5]
    finally:
        server.stop()


def test_real_disk_full_on_tmpfs(tmp_path):
    disk = tmp_path / "disk"
    if not mount_tmpfs(disk, "16m"):
        pytest.skip("needs root and permission to mount a tmpfs")
    try:
        index_dir = disk / "index"
        build(index_dir)  # a few MB with the derived arrays and embeddings
        before = live(index_dir)
        cache = index_dir / "embed-cache" / "vectors.sqlite"
        cached = cache.stat().st_size
        filler = disk / "filler"
        free = shutil.disk_usage(disk).free
        with filler.open("wb") as handle:  # leave ~150 KB: not enough for another generation
            handle.write(b"\0" * max(0, free - 150 * 1024))
        app = create_app({"index": str(index_dir), "refresh_interval": 0.05})
        server = LiveServer(app)
        try:
            with Poller([server.url], threads=1) as poller:
                done = indexer("build", CORPUS, "--index", index_dir)
                assert done.returncode == 1, (done.returncode, done.stdout, done.stderr[-2000:])
                assert "No space left" in done.stderr or "space" in done.stderr.lower(), done.stderr[-2000:]
                assert "Traceback" not in done.stderr, done.stderr[-2000:]  # one clear line, not a crash
                assert live(index_dir) == before
                assert cache.stat().st_size >= cached  # a full disk is not a damaged cache: kept, not restarted
                _assert_sound(index_dir)
                filler.unlink()
                build(index_dir)
                assert live(index_dir) != before
                time.sleep(0.5)
            assert poller.count > 5 and not poller.failures, poller.failures[:5]
        finally:
            server.stop()
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def _corrupt(gen_path: Path) -> Path:
    segment = max((p for p in gen_path.iterdir() if p.suffix == ".seg"), key=lambda p: p.stat().st_size)
    data = bytearray(segment.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 64] = bytes(b ^ 0xFF for b in data[middle:middle + 64])
    segment.write_bytes(bytes(data))
    return segment


def test_corrupted_segment_is_detected_and_serve_rolls_back(index_dir):
    good = live(index_dir)
    build(index_dir)
    bad = live(index_dir)
    assert bad != good
    _corrupt(index_dir / "generations" / bad)
    done = indexer("verify", "--index", index_dir)
    assert done.returncode == 1
    assert "corrupted" in done.stderr
    with serving(index_dir, workers=1) as server:
        health = server.wait_ready()
        assert health["generation"] == good
        lines = [json.loads(l) for l in server.log().splitlines() if l.startswith("{")]
        errors = [l for l in lines if l["level"] == "ERROR"]
        assert any("DAMAGED" in l["msg"] and l.get("generation") == bad for l in errors), errors
        assert any("ROLLED BACK" in l["msg"] for l in errors), errors
        import requests

        assert requests.get(server.url + "/api/search", params={"q": "seoul"}, timeout=30).status_code == 200
    assert live(index_dir) == good
    assert indexer("verify", "--index", index_dir).returncode == 0


def test_serve_refuses_when_no_generation_is_sound(index_dir):
    _corrupt(index_dir / "generations" / live(index_dir))
    done = subprocess.run([PY, "-m", "search_api.cli", "serve", "--index", str(index_dir), "--port", "0"],
                          capture_output=True, text=True, timeout=120, cwd=REPO, env=env())
    assert done.returncode == 1
    assert "no sound index generation" in done.stderr


def test_stale_lock_of_dead_process(index_dir):
    dead = subprocess.run([PY, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    (index_dir / "LOCK").write_text(f"{pid} build\n")
    # a partial generation left behind by that process
    (index_dir / "generations" / ".tmp-g000099-20200101T000000").mkdir()
    before = live(index_dir)
    build(index_dir)
    assert live(index_dir) != before
    assert not list((index_dir / "generations").glob(".tmp-*"))
    assert gens.live_name(index_dir) == live(index_dir)


def test_busy_index_exits_3(index_dir):
    from indexer.index.lock import IndexLock

    with IndexLock(index_dir, "build"):
        done = indexer("build", CORPUS, "--index", index_dir)
    assert done.returncode == 3
    assert "busy" in done.stderr
