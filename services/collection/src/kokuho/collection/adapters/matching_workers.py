"""Where a payment file's slabs are matched (ADR 0116): worker processes that get the ledgers'
snapshots as text and hand back the rows and events encoded, so the matching runs on one core
while the writing process and PostgreSQL work on the other."""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

# imported by the worker's start (``spawn``) before its first slab: the matching's modules
from kokuho.collection.app import payments as _payments  # noqa: F401


def _started() -> None:
    """A worker's first task: it has imported the matching's modules (this module's import)."""


def matching_executor(workers: int) -> Callable[[], Executor]:
    """A factory of the executor one import matches in: ``workers`` spawned processes, started
    at once so they import the matching while the file is parsed; for 0, one thread (the
    matching then runs while this thread waits for PostgreSQL). A worker lives for one import
    and makes no reference cycles, so its collector is off (as the annual run's, ADR 0114)."""

    def make() -> Executor:
        if workers == 0:
            return ThreadPoolExecutor(1)
        executor = ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn"), initializer=gc.disable
        )
        for _ in range(workers):
            executor.submit(_started)
        return executor

    return make
