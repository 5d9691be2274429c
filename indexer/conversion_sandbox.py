"""Source conversion in child processes with limits, so that no single file can take a build down.

Converters parse untrusted files with C libraries (pdfium) and pure-Python parsers
(pdfminer.six) that can be driven into huge allocations or near-endless loops by a
few kilobytes of crafted input. Every source file is therefore converted in a
worker process (forked once, reused for file after file) that runs under:

* an address-space limit (``RLIMIT_AS``): the worker may grow by at most
  ``memory_mb`` beyond its size at start; past it allocations fail
  (``MemoryError``) or the worker dies, and the file is skipped;
* a CPU-time limit per file (``RLIMIT_CPU``, raised before each file): past it the
  conversion is interrupted (``SIGXCPU``) and the file skipped;
* a wall-time limit per file, kept by the parent: a worker still busy with a file
  past it is killed and replaced, and the file skipped. It is charged for the time the
  worker and the processes it started (OCR) ran or slept, not for the time a busy machine
  kept them waiting for a CPU (:mod:`indexer.cpu_wait`), so that a load of builds beside it
  does not skip a large scan; :data:`WAIT_BACKSTOP` times the budget in plain wall time
  stops a file whatever the excuse.

Both time limits grow with the file's size from a small floor (:meth:`ConversionLimits.budgets`),
up to the fixed ceilings: a few kilobytes that would take minutes (a crafted table span, a page
of 100,000 glyphs) are skipped after seconds, and a large scan still gets its minutes.

Limits come from ``POLICY_INDEX_CONVERT_MEMORY_MB``, ``POLICY_INDEX_CONVERT_CPU_SECONDS``
and ``POLICY_INDEX_CONVERT_WALL_SECONDS`` (docs/operations.md).
"""
from __future__ import annotations

import logging
import math
import os
import resource
import signal
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from indexer.cpu_wait import WaitClock, group_waits

log = logging.getLogger(__name__)

#: Plain wall time a file may take, in multiples of its wall budget, however long it waited for a CPU.
WAIT_BACKSTOP = 10.0
#: Seconds between two looks at a busy worker's scheduler statistics.
SAMPLE_SECONDS = 1.0

ENV_PREFIX = "POLICY_INDEX_CONVERT_"


class ConversionLimitExceeded(BaseException):
    """Raised inside a worker when a file used up its CPU seconds.

    A BaseException, so that converters' own ``except Exception`` fallbacks cannot swallow it.
    """


@dataclass(frozen=True)
class ConversionLimits:
    """Per-file limits of source conversion (0 switches a limit off)."""

    #: Address space a worker may add to its size at start, in MB.
    memory_mb: int = 1024
    #: CPU seconds one file may take.
    cpu_seconds: int = 120
    #: Wall-clock seconds one file may take (covers waiting, e.g. on OCR subprocesses).
    wall_seconds: float = 300.0
    #: A file's CPU budget: this floor plus so many seconds per MB of file, at most ``cpu_seconds``.
    cpu_floor_seconds: float = 15.0
    cpu_seconds_per_mb: float = 30.0
    #: A file's wall budget: this floor plus so many seconds per MB, at most ``wall_seconds``.
    wall_floor_seconds: float = 60.0
    wall_seconds_per_mb: float = 60.0

    def budgets(self, size: int | None) -> tuple[float, float]:
        """(CPU, wall) seconds for a file of ``size`` bytes (None: the ceilings; 0: no limit)."""
        if size is None:
            return float(self.cpu_seconds), float(self.wall_seconds)
        mb = size / (1024 * 1024)
        cpu = min(self.cpu_seconds, self.cpu_floor_seconds + self.cpu_seconds_per_mb * mb)
        wall = min(self.wall_seconds, self.wall_floor_seconds + self.wall_seconds_per_mb * mb)
        return (float(math.ceil(cpu)) if self.cpu_seconds else 0.0), (wall if self.wall_seconds else 0.0)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "ConversionLimits":
        """Defaults, overridden by ``POLICY_INDEX_CONVERT_{MEMORY_MB,CPU_SECONDS,WALL_SECONDS}``."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, kind in (("memory_mb", int), ("cpu_seconds", int), ("wall_seconds", float),
                           ("cpu_floor_seconds", float), ("cpu_seconds_per_mb", float),
                           ("wall_floor_seconds", float), ("wall_seconds_per_mb", float)):
            raw = environ.get(ENV_PREFIX + name.upper(), "").strip()
            if raw:
                try:
                    values[name] = max(0, kind(raw))
                except ValueError:
                    log.warning("ignored %s%s=%r: not a number", ENV_PREFIX, name.upper(), raw)
        return cls(**values)


def _address_space() -> int:
    """This process's current virtual memory size in bytes (0 when unknown)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


class _Worker:
    """Body of one worker process: limits set once, then one file per message."""

    def __init__(self, limits: ConversionLimits) -> None:
        self.limits = limits
        self.converting = False
        self.cpu_budget = float(limits.cpu_seconds)

    def _on_sigxcpu(self, signum: int, frame: Any) -> None:
        # Raised again at every SIGXCPU (one per CPU second past the limit) until the file is
        # given up: a raise landing in a finalizer (__del__) is swallowed by Python.
        if self.converting:
            raise ConversionLimitExceeded(f"CPU limit of {self.cpu_budget:g} s exceeded")

    def setup(self) -> None:
        if self.limits.memory_mb:
            cap = _address_space() + self.limits.memory_mb * 1024 * 1024
            hard = resource.getrlimit(resource.RLIMIT_AS)[1]
            if hard != resource.RLIM_INFINITY:
                cap = min(cap, hard)  # a stricter limit set from outside stays
            try:
                resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
            except (ValueError, OSError) as exc:
                log.warning("cannot limit the converter's memory: %s", exc)
        signal.signal(signal.SIGXCPU, self._on_sigxcpu)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when a worker stops

    def _arm_cpu_limit(self) -> None:
        if not self.limits.cpu_seconds:
            return
        usage = resource.getrusage(resource.RUSAGE_SELF)
        used = int(usage.ru_utime + usage.ru_stime) + 1
        hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
        soft = used + int(self.cpu_budget)
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))

    def _disarm_cpu_limit(self) -> None:
        if self.limits.cpu_seconds:
            hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
            resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))

    def run(self, conn: Connection, convert: Callable[..., Any], on_limit: Callable[..., Any]) -> None:
        self.setup()
        while True:
            try:
                task = conn.recv()
            except EOFError:
                return
            if task is None:
                return
            task, self.cpu_budget = task
            self._arm_cpu_limit()
            self.converting = True
            try:
                result = convert(*task)
                self.converting = False
            except ConversionLimitExceeded as exc:
                self.converting = False
                result = on_limit(*task, str(exc))
            except MemoryError:
                self.converting = False
                result = on_limit(*task, f"memory limit of {self.limits.memory_mb} MB exceeded")
            finally:
                self.converting = False
                self._disarm_cpu_limit()
            try:
                conn.send(result)  # pickled whole before a byte is written
            except MemoryError:  # the records fit, their pickle does not: the file is over the limit
                result = None
                conn.send(on_limit(*task, f"memory limit exceeded ({self.limits.memory_mb} MB) by the file's records"))


def _worker_main(conn: Connection, limits: ConversionLimits, convert: Callable[..., Any],
                 on_limit: Callable[..., Any], init: Callable[[], None] | None) -> None:
    os.setpgid(0, 0)  # its own process group: killing it also kills what it started (e.g. OCR)
    if init:
        init()
    try:
        _Worker(limits).run(conn, convert, on_limit)
    finally:
        conn.close()


def _kill_group(process: Any) -> None:
    """SIGKILL a worker and every process it started (its process group)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, TypeError):
        pass
    if process.is_alive():
        process.kill()


class SandboxPool:
    """A pool of limited worker processes mapping ``convert`` over tasks, results in task order.

    ``convert(*task)`` runs in a worker and must return a picklable result;
    ``on_limit(*task, reason)`` builds the result of a task stopped by a limit (it
    runs in the worker for CPU and memory, in the parent when the worker died or
    overran its wall time). A dead or killed worker is replaced; the pool goes on.
    """

    def __init__(self, workers: int, limits: ConversionLimits, convert: Callable[..., Any],
                 on_limit: Callable[..., Any], context: Any, init: Callable[[], None] | None = None,
                 size_of: Callable[..., int | None] | None = None) -> None:
        """``size_of(*task)``: the bytes of a task's file, which its time budgets grow with."""
        self.size = max(1, workers)
        self.limits = limits
        self.size_of = size_of
        self.convert, self.on_limit, self.init = convert, on_limit, init
        self.context = context
        self._workers: list[tuple[Any, Connection]] = []

    def _spawn(self) -> tuple[Any, Connection]:
        parent_end, child_end = self.context.Pipe()
        process = self.context.Process(target=_worker_main, daemon=True,
                                       args=(child_end, self.limits, self.convert, self.on_limit, self.init))
        process.start()
        child_end.close()
        return process, parent_end

    def __enter__(self) -> "SandboxPool":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker (politely, then by force)."""
        for process, conn in self._workers:
            try:
                conn.send(None)
            except (OSError, ValueError):
                pass
        deadline = time.monotonic() + 2.0
        for process, conn in self._workers:
            process.join(max(0.0, deadline - time.monotonic()))
            _kill_group(process)
            process.join()
            conn.close()
        self._workers = []

    def map(self, tasks: Sequence[tuple]) -> Iterator[Any]:
        """Results of ``tasks`` in order, each within the limits."""
        if not tasks:
            return
        while len(self._workers) < min(self.size, len(tasks)):
            self._workers.append(self._spawn())
        idle = list(range(len(self._workers)))
        busy: dict[int, tuple[int, WaitClock, float]] = {}  # worker slot -> (task index, its clock, wall budget)
        done: dict[int, Any] = {}
        following, emitted = 0, 0
        while emitted < len(tasks):
            while idle and following < len(tasks):
                slot = idle.pop()
                cpu, wall = self.limits.budgets(self.size_of(*tasks[following]) if self.size_of else None)
                try:
                    self._workers[slot][1].send((tasks[following], cpu))
                except (OSError, ValueError):  # the worker died while idle: replace it, retry
                    self._replace(slot)
                    idle.append(slot)
                    continue
                busy[slot] = (following, WaitClock(self._workers[slot][0].pid), wall)
                following += 1
            if busy:
                self._collect(tasks, busy, idle, done)
            while emitted in done:
                yield done.pop(emitted)
                emitted += 1

    def _collect(self, tasks: Sequence[tuple], busy: dict[int, tuple[int, WaitClock, float]], idle: list[int],
                 done: dict[int, Any]) -> None:
        # only a conversion that has run a while can be near its budget (charged time <= wall time):
        # the many quick files of a folder cost no pass over /proc
        budgeted = [(clock, wall) for _, clock, wall in busy.values() if wall]
        timed = [(clock, wall) for clock, wall in budgeted if clock.elapsed() >= min(SAMPLE_SECONDS, wall / 2)]
        # charged time grows no faster than wall time: no budget runs out before this wakes
        timeout = min([SAMPLE_SECONDS] + [max(0.0, wall - clock.charged) for clock, wall in timed]
                      + [max(0.0, wall - clock.elapsed()) for clock, wall in budgeted]) if budgeted else None
        ready = wait([self._workers[slot][1] for slot in busy], timeout)
        waits = group_waits({clock.pgid for clock, _ in timed}) if timed else {}
        sampled = {id(clock) for clock, _ in timed}
        for slot in list(busy):
            conn = self._workers[slot][1]
            position, clock, wall = busy[slot]
            if conn in ready:
                try:
                    done[position] = conn.recv()
                except (EOFError, OSError):
                    process = self._workers[slot][0]
                    process.join(1.0)
                    code = process.exitcode
                    why = f"killed by signal {-code}" if code and code < 0 else f"exit code {code}"
                    done[position] = self.on_limit(*tasks[position], f"the converter process died ({why}); "
                                                   f"over a limit or a crash in a parser library")
                    self._replace(slot)
                del busy[slot]
                idle.append(slot)
            elif wall and id(clock) in sampled and (clock.sample(waits.get(clock.pgid, {})) >= wall
                                                    or clock.elapsed() >= WAIT_BACKSTOP * wall):
                log.warning("conversion of task %d over its wall-time limit; killing its worker", position)
                waited = clock.elapsed() - clock.charged
                why = f" ({waited:.0f} s more waiting for a CPU)" if waited >= 1 else ""
                done[position] = self.on_limit(*tasks[position], f"wall-time limit of {wall:g} s exceeded{why}")
                self._replace(slot)
                del busy[slot]
                idle.append(slot)

    def _replace(self, slot: int) -> None:
        process, conn = self._workers[slot]
        _kill_group(process)
        process.join()
        conn.close()
        self._workers[slot] = self._spawn()

