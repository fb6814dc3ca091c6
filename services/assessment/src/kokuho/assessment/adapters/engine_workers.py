"""Where the annual run's premium engine runs (ADR 0103): one thread beside the writes, or
worker processes; and the cyclic garbage collector's thresholds for the run."""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager

#: the cyclic garbage collector's thresholds during a run: a chunk allocates millions of
#: short-lived objects without cycles, and the default (700 allocations) ran full collections
#: over every chunk held in memory; a fifth of the writing process's CPU (issue 15, ADR 0103)
RUN_GC_THRESHOLD = (50_000, 50, 1000)


@contextmanager
def run_gc_threshold() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(*RUN_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def engine_executor(workers: int) -> Executor:
    """``workers`` spawned processes (with the run's collector thresholds), or for 0 one
    thread: the engine then runs while this thread waits for PostgreSQL to take the previous
    chunk's COPY (the GIL is free during that wait)."""
    if workers > 0:
        return ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=gc.set_threshold,
            initargs=RUN_GC_THRESHOLD,
        )
    return ThreadPoolExecutor(1)
