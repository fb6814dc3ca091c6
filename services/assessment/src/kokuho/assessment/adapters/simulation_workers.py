"""Worker processes for the rate simulation (ADR 0051): the premium engine is pure Python and
holds the GIL, so a city of 150,000 households under two sets only fits the annual-run budget
when chunks are assessed on every core. The parameter sets go to each worker once, when it
starts; each chunk goes as the rows read and comes back as a :class:`SimulationPart`.

Workers are spawned, not forked: the service's process has an event loop, database
connections and Kafka threads that a fork would copy half-alive."""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager

from kokuho.assessment.app.ports import Assessors, ChunkAssessor, HouseholdRow
from kokuho.assessment.app.rate_simulation import assess_chunk, in_this_process
from kokuho.assessment.domain.income_file import IncomeRecord
from kokuho.assessment.domain.parameters import PremiumParameters
from kokuho.assessment.domain.rate_simulation import SimulationPart

#: the sets of the simulation this worker process serves (set once, by ``_started``)
_SETS: tuple[PremiumParameters, ...] = ()


def _started(sets: tuple[PremiumParameters, ...]) -> None:
    global _SETS
    _SETS = sets


def _assessed(rows: list[HouseholdRow], incomes: dict[str, IncomeRecord]) -> SimulationPart:
    return assess_chunk(_SETS, rows, incomes)


def worker_processes(workers: int) -> Assessors:
    """Assessors in ``workers`` spawned processes; 1 assesses in the caller's process."""
    if workers < 1:
        raise ValueError("the rate simulation needs at least one worker")
    if workers == 1:
        return in_this_process

    @asynccontextmanager
    async def started(sets: Sequence[PremiumParameters]) -> AsyncIterator[ChunkAssessor]:
        pool = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_started,
            initargs=(tuple(sets),),
        )
        loop = asyncio.get_running_loop()

        async def assessor(
            rows: list[HouseholdRow], incomes: dict[str, IncomeRecord]
        ) -> SimulationPart:
            return await loop.run_in_executor(pool, _assessed, rows, incomes)

        try:
            yield assessor
        finally:
            # every chunk was awaited (or cancelled): nothing is left to wait for
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)

    return started
