"""Where chunks of records are repaired: the executor seam of the batch engine.

The engine hands each chunk to an executor, ``executor.submit(spec, units)``, and later
asks the returned handle for its ``result()`` (a list of :class:`~repair.batch.work.Outcome`)
in submission order. Three executors ship:

- :class:`InProcess`: this process, with an explicit Repairer; a chunk runs when its result
  is asked for, so Ctrl-C stops the run at once;
- :class:`ProcessPool`: spawned worker processes, each building the Repairer for the
  configuration once (``repair.pipeline.get_repairer``);
- ``repair.distributed.DaskExecutor``: the workers of a Dask cluster, the same way.

Each has ``config`` (what the run's journal records) and ``shutdown(cancel)``.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor

from ..config import RepairConfig
from ..pipeline import Repairer, get_repairer
from .work import Outcome, Unit, process, process_with


class _Deferred:
    """A chunk to run in this process when its result is first asked for."""

    def __init__(self, repairer: Repairer, spec, units: list[Unit]):
        self._args = (repairer, spec, units)
        self._result: list[Outcome] | None = None

    def result(self) -> list[Outcome]:
        if self._result is None:
            self._result = process(*self._args)
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

    def submit(self, spec, units: list[Unit]) -> _Deferred:
        return _Deferred(self.repairer, spec, units)

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
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=init_worker, initargs=(config, threads, os.getpid()))

    def submit(self, spec, units: list[Unit]) -> Future:
        return self._pool.submit(process_with, self.config, spec, units)

    def shutdown(self, cancel: bool = False) -> None:
        self._pool.shutdown(wait=not cancel, cancel_futures=cancel)


def init_worker(config: RepairConfig, threads: int, parent: int) -> None:
    """Pool initializer: limit the models' threads, end the process if its parent dies, and
    build the Repairer now. A failure to build it is not raised here (that would break the
    pool with no message): the first chunk raises it again, and the parent shows it."""
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
