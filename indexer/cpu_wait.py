"""Time a process group spent waiting for a CPU, from Linux's scheduler statistics.

A conversion's wall-time budget is meant for the work a file takes and for hangs, not for
the time a busy machine keeps it off the CPU: at a load of three per core a file that needs
30 s of OCR takes 90 s of wall time. ``/proc/<pid>/task/<tid>/schedstat`` gives each task's
nanoseconds spent runnable but waiting on a run queue; :class:`WaitClock` sums the growth of
that figure over every task of a process group (a converter worker and the OCR processes it
starts) between samples, so a wall budget can be charged only for the rest.

Where the statistics cannot be read (not Linux, ``/proc`` hidden) nothing is excused and the
budget is plain wall time.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

PROC = Path("/proc")


def _pgrp(pid: str) -> int | None:
    try:
        stat = (PROC / pid / "stat").read_bytes()
    except OSError:
        return None
    # "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses
    fields = stat[stat.rfind(b")") + 2:].split()
    return int(fields[2]) if len(fields) > 2 else None


def group_waits(pgids: set[int]) -> dict[int, dict[tuple[int, int], int]]:
    """Per process group in ``pgids``: run-queue wait in ns of each of its tasks ``(pid, tid)``
    (one pass over ``/proc``; {} for a group it cannot read)."""
    waits: dict[int, dict[tuple[int, int], int]] = {pgid: {} for pgid in pgids}
    try:
        pids = [name for name in os.listdir(PROC) if name.isdigit()]
    except OSError:
        return waits
    for pid in pids:
        group = waits.get(_pgrp(pid))  # type: ignore[arg-type]
        if group is not None:
            group.update(_task_waits(pid))
    return waits


def _task_waits(pid: str) -> dict[tuple[int, int], int]:
    """Run-queue wait in ns of each task (thread) of process ``pid``."""
    found: dict[tuple[int, int], int] = {}
    try:
        tids = os.listdir(PROC / pid / "task")
    except OSError:
        return found
    for tid in tids:
        try:
            fields = (PROC / pid / "task" / tid / "schedstat").read_text().split()
            found[(int(pid), int(tid))] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    return found


class WaitClock:
    """Wall time of a process group since it started, less the time it waited for a CPU.

    Fed by :meth:`sample` with :func:`group_waits`; a task started between two samples
    counts all its waiting (it started after the earlier one), a task gone by the next
    sample loses what it waited since the last (sample often). The time excused in an
    interval is at most the interval.
    """

    def __init__(self, pgid: int):
        self.pgid = pgid
        self.started = self.sampled = time.monotonic()
        # the group's leader alone (its other processes start with the work it is timed for):
        # a few files read, not a pass over /proc, once per file converted
        self.waits: dict[tuple[int, int], int] = _task_waits(str(pgid))
        self.excused = 0.0
        #: Seconds charged at the last sample.
        self.charged = 0.0

    def sample(self, waits: dict[tuple[int, int], int]) -> float:
        """Take the group's waits now; the seconds charged so far (elapsed minus waiting)."""
        now = time.monotonic()
        grown = sum(max(0, wait - self.waits.get(task, 0)) for task, wait in waits.items())
        self.excused += min(grown / 1e9, now - self.sampled)
        self.waits, self.sampled = waits, now
        self.charged = now - self.started - self.excused
        return self.charged

    def elapsed(self) -> float:
        """Plain wall seconds since the start."""
        return time.monotonic() - self.started
