"""Where chunks of records are repaired: the executor seam of the batch engine.

The engine hands each chunk to an executor, ``executor.submit(spec, units)``, and later
asks the returned handle for its ``result()`` (a list of :class:`~repair.batch.work.Outcome`)
in submission order. Three executors ship:

- :class:`InProcess`: this process, with an explicit Repairer; a chunk runs when its result
  is asked for, so Ctrl-C stops the run at once;
- :class:`ProcessPool`: spawned worker processes, each building the Repairer for the
  configuration once (``repair.pipeline.get_repairer``);
- ``repair.distributed.DaskExecutor``: the workers of a Dask cluster, the same way.

Each has ``config`` (what the run's journal records) and ``shutdown(cancel)``. Progress
within a chunk is optional: an executor with ``watch(callback)`` calls
``callback(handle, units_done, size_done)`` as the units of a chunk are done (InProcess from
the chunk itself; ProcessPool from ``poll()``, which the engine calls while it waits).

Ctrl-C: InProcess stops at once (the chunk under way raises KeyboardInterrupt); pool workers
ignore SIGINT, and ``shutdown(cancel=True)`` ends them, so that the parent alone decides what
was done and the run stops within a second, whatever ``--workers``.
"""
from __future__ import annotations

import contextlib
import itertools
import os
import signal
import sys
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor

from ..config import RepairConfig
from ..pipeline import Repairer, get_repairer
from .work import Outcome, Unit, process, process_with


class _Deferred:
    """A chunk to run in this process when its result is first asked for."""

    def __init__(self, repairer: Repairer, spec, units: list[Unit], watcher=None):
        self._args = (repairer, spec, units)
        self._watcher = watcher
        self._result: list[Outcome] | None = None

    def result(self, timeout: float | None = None) -> list[Outcome]:
        if self._result is None:
            watcher = self._watcher
            on_unit = None if watcher is None else (lambda done, size: watcher(self, done, size))
            self._result = process(*self._args, on_unit=on_unit)
            self._args = None
        return self._result

    def cancel(self) -> bool:
        self._args = None
        return True


class InProcess:
    """Repair chunks in this process with ``repairer``."""

    def __init__(self, repairer: Repairer):
        self.repairer = repairer
        self.config = repairer.config
        self._watcher = None

    def watch(self, callback) -> None:
        """Call ``callback(handle, units_done, size_done)`` after each unit of a chunk."""
        self._watcher = callback

    def submit(self, spec, units: list[Unit]) -> _Deferred:
        return _Deferred(self.repairer, spec, units, self._watcher)

    def shutdown(self, cancel: bool = False) -> None:
        pass


class ProcessPool:
    """Repair chunks in ``workers`` spawned processes; each builds the Repairer for ``config``
    once, with ``threads`` intra-op threads for its models (the cores shared out among the
    workers, so that N workers do not each start a thread per core)."""

    def __init__(self, config: RepairConfig, workers: int, threads: int | None = None):
        import multiprocessing

        self.config = config
        threads = threads or max(1, (os.cpu_count() or 1) // workers)
        context = multiprocessing.get_context("spawn")
        self._ticks = context.SimpleQueue()  # (tag, units done, size done) from the workers
        self._tags = itertools.count()
        self._handles: dict[int, Future] = {}
        self._watcher = None
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=init_worker,
                                         initargs=(config, threads, os.getpid(), self._ticks))

    def watch(self, callback) -> None:
        """Call ``callback(handle, units_done, size_done)`` (from :meth:`poll`) as workers
        get on with a chunk."""
        self._watcher = callback

    def submit(self, spec, units: list[Unit]) -> Future:
        if self._watcher is None:
            return self._pool.submit(process_with, self.config, spec, units)
        tag = next(self._tags)
        fut = self._pool.submit(process_reporting, self.config, spec, units, tag)
        self._handles[tag] = fut
        # a finished chunk's future holds its records: forget it as soon as it is done (not when
        # the engine next waits on a late chunk), or memory grows with the input
        fut.add_done_callback(lambda _f, tag=tag: self._handles.pop(tag, None))
        return fut

    def tracked(self) -> int:
        """How many chunks this pool still keeps track of (submitted, not finished)."""
        return len(self._handles)

    def poll(self) -> None:
        """Pass on the workers' progress reports (to the callback given to :meth:`watch`)."""
        while not self._ticks.empty():
            try:
                tag, done, size = self._ticks.get()
            except (EOFError, OSError):
                return
            fut = self._handles.get(tag)
            if fut is not None and not fut.done() and self._watcher is not None:
                self._watcher(fut, done, size)

    def shutdown(self, cancel: bool = False) -> None:
        if not cancel:
            self._pool.shutdown(wait=True)
            return
        # stop now: end the workers (they ignore SIGINT) rather than wait for their chunks. A
        # chunk still on its way to a worker may be stuck in the pipe, which nobody will read
        # now: the pool's queue must not wait for it, or the process would hang at exit.
        processes = list((getattr(self._pool, "_processes", None) or {}).values())
        call_queue = getattr(self._pool, "_call_queue", None)
        if call_queue is not None:
            with contextlib.suppress(Exception):
                call_queue.cancel_join_thread()
        self._pool.shutdown(wait=False, cancel_futures=True)
        for p in processes:
            if p.is_alive():
                p.terminate()
        for p in processes:
            p.join(timeout=2)


#: In a pool worker: where progress reports go (set by :func:`init_worker`).
_TICKS = None
#: Seconds between two progress reports of a worker.
TICK_SECONDS = 0.2


def process_reporting(config: RepairConfig, spec, units: list[Unit], tag: int) -> list[Outcome]:
    """:func:`~repair.batch.work.process_with`, reporting progress to the parent now and then."""
    last = [time.monotonic()]

    def on_unit(done: int, size: int) -> None:
        now = time.monotonic()
        if _TICKS is not None and now - last[0] >= TICK_SECONDS and done < len(units):
            last[0] = now
            try:
                _TICKS.put((tag, done, size))
            except (OSError, ValueError):
                pass

    return process_with(config, spec, units, on_unit)


def init_worker(config: RepairConfig, threads: int, parent: int, ticks=None) -> None:
    """Pool initializer: ignore Ctrl-C (the parent handles it and ends the workers), limit
    the models' threads, end the process if its parent dies, and build the Repairer now. A
    failure to build it is not raised here (that would break the pool with no message): the
    first chunk raises it again, and the parent shows it."""
    global _TICKS
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _TICKS = ticks
    _exit_when_orphaned(parent)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(threads))
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(threads)
    try:
        get_repairer(config)
    except Exception:  # noqa: BLE001 - raised again by process_with on the first chunk
        pass


def _exit_when_orphaned(parent: int, every: float = 1.0) -> None:
    """A pool worker whose parent was killed (SIGKILL, OOM killer) can wait forever on the
    pool's queue locks, holding its models in memory; a daemon thread ends the process
    once the parent is gone. Nothing is lost: the parent's journal has every finished
    chunk, and ``--resume`` redoes the rest."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(3)

    threading.Thread(target=watch, name="mt-repair-orphan-watch", daemon=True).start()


def executor_for(repairer: Repairer | None, config: RepairConfig, workers: int):
    """The executor a local run uses: this process (with ``repairer``, or the cached one for
    ``config``) for one worker, a process pool for more."""
    if workers <= 1:
        return InProcess(repairer if repairer is not None else get_repairer(config))
    return ProcessPool(repairer.config if repairer is not None else config, workers)
