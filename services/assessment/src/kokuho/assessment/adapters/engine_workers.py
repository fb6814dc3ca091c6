"""Where the annual run's premium engine runs (ADR 0103): one thread beside the writes, or
worker processes that hand back their plans encoded (ADR 0106); and the cyclic garbage
collector paused for the run (ADR 0114)."""

from __future__ import annotations

import gc
import multiprocessing
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from pydantic_core import to_json

from kokuho.assessment.adapters.rows import RawChunk, assessment_row, chunk_facts
from kokuho.assessment.app.annual_run import ChunkFacts, ChunkPlan, EncodedEvent, encoded_event
from kokuho.events.ports import StreamAppend


def engine_executor(workers: int) -> Executor:
    """``workers`` spawned processes, or for 0 one thread: the engine then runs while this
    thread waits for PostgreSQL to take the previous chunk's COPY (the GIL is free during that
    wait). A worker process lives for one run and makes no reference cycles (its chunk's
    records, the engine's tuples, JSON), so its collector is off for its life (ADR 0114)."""
    if workers > 0:
        return ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn"), initializer=gc.disable
        )
    return ThreadPoolExecutor(1)


@dataclass(frozen=True)
class EncodedPlan:
    """A worker process's plan as the writing process writes it: the read model's COPY rows
    (``assessment_row``, documents as JSON text) and each ``PremiumAssessed`` as JSON
    (``encoded_event``). Text and bytes pickle and unpickle at almost no cost; the nested
    dicts they replace cost the writing process ~70 µs a household to unpickle (ADR 0106)."""

    rows: list[tuple[Any, ...]]
    events: list[EncodedEvent]
    unchanged: int
    refused: list[dict[str, str]]
    totals: Counter[str]
    reductions: Counter[str]
    #: in the thread (``plan_chunk(validated=True)``): the events already validated there
    appends: list[StreamAppend] = field(default_factory=list)


def encoded_plan(plan: Callable[[ChunkFacts], ChunkPlan], chunk: RawChunk) -> EncodedPlan:
    """``plan`` (``plan_chunk``) of the chunk's facts, built here from its rows, encoded: in a
    worker process (``validated=False``) the events as JSON for ``validated_appends``, sharing
    the components' and instalments' JSON with the rows; in the thread, their appends as they
    are."""
    planned = plan(chunk_facts(chunk))
    rows: list[tuple[Any, ...]] = []
    events: list[EncodedEvent] = []
    if planned.appends:
        rows = [assessment_row(a) for a in planned.assessments]
    else:
        for stored, data in zip(planned.assessments, planned.event_data, strict=True):
            components, instalments = to_json(stored.components), to_json(stored.instalments)
            rows.append(assessment_row(stored, components.decode(), instalments.decode()))
            events.append(encoded_event(stored, data, components, instalments))
    return EncodedPlan(
        rows,
        events,
        planned.unchanged,
        planned.refused,
        planned.totals,
        planned.reductions,
        planned.appends,
    )
