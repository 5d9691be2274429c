"""Run ``policy-index`` with a fault injected at a named point (used by the fault tests and bench_faults).

    python -m tests.ops.inject POINT -- build SRC --index DIR

Kill points end the process with SIGKILL (as ``kill -9`` would) at that moment:

``after-extract``     sources extracted, nothing written yet
``mid-write``         after the 5th document was added to the new generation's writer
``before-finalize``   the new generation is committed in its ``.tmp-`` folder
``before-switch``     the generation is finalized (renamed) but ``CURRENT`` still names the old one
``before-prune``      ``CURRENT`` names the new generation; older ones not pruned yet

``enospc`` makes every index file write fail with ENOSPC (no space left on device)
once ``ENOSPC_AFTER`` bytes (default 64 KiB) have been written.
"""
from __future__ import annotations

import errno
import os
import signal
import sys


def _die() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def _kill_before(module, name: str) -> None:
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        _die()
        return original(*args, **kwargs)

    setattr(module, name, wrapper)


def install(point: str) -> None:
    from indexer.index import builder
    from indexer.index import generations as gens

    if point == "after-extract":
        _kill_before(builder, "_build_locked")
    elif point == "mid-write":
        from indexer.index.analyzed import AnalyzedWriter as SegmentWriter  # the builds' writer

        original = SegmentWriter.add_document
        added = {"n": 0}

        def add_document(self, **fields):
            added["n"] += 1
            if added["n"] > 5:
                _die()
            return original(self, **fields)

        SegmentWriter.add_document = add_document
    elif point == "before-finalize":
        _kill_before(gens, "finalize")
    elif point == "before-switch":
        _kill_before(gens, "switch")
    elif point == "before-prune":
        _kill_before(gens, "prune")
    elif point == "enospc":
        from whoosh.filedb.structfile import StructFile

        budget = {"left": int(os.environ.get("ENOSPC_AFTER", 65536))}
        original_write = StructFile.write

        def write(self, data, *args):
            budget["left"] -= len(data)
            if budget["left"] < 0:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return original_write(self, data, *args)

        StructFile.write = write
    elif point != "none":
        raise SystemExit(f"unknown fault point {point!r}")


POINTS = ("after-extract", "mid-write", "before-finalize", "before-switch", "before-prune")


def main() -> None:
    argv = sys.argv[1:]
    point, args = argv[0], argv[argv.index("--") + 1:]
    install(point)
    from indexer.cli import main as cli_main

    cli_main(args=args, prog_name="policy-index")


if __name__ == "__main__":
    main()
