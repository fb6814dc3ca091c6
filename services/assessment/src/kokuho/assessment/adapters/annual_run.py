"""The annual run (本算定) on PostgreSQL: chunks of households loaded with a handful of
set-based queries, assessed in memory, written with COPY (events, outbox, assessments) and a
checkpoint in the same transaction, so a crash resumes after the last committed chunk and a
re-run publishes nothing for households whose premium did not change."""

from __future__ import annotations

import asyncio
import json
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from kokuho.assessment.adapters.engine_workers import EncodedPlan, encoded_plan, engine_executor
from kokuho.assessment.adapters.rows import (
    ASSESSMENT_COLUMNS,
    RawChunk,
    plain_rows,
)
from kokuho.assessment.adapters.unit_of_work import SOURCE
from kokuho.assessment.app.annual_run import plan_chunk, validated_appends
from kokuho.assessment.app.ports import ParametersFor
from kokuho.assessment.domain.instalments import due_dates
from kokuho.events.ports import EventContext, StreamAppend
from kokuho.events.runtime.store import PostgresEventStore, random_ids
from kokuho.platform.collector import collector_paused


@dataclass
class RunSummary:
    run_id: UUID
    fiscal_year: int
    resumed: bool
    households: int = 0
    assessed: int = 0
    unchanged: int = 0
    refused: list[dict[str, str]] = field(default_factory=list)
    totals: Counter[str] = field(default_factory=Counter)
    reductions: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": str(self.run_id),
            "fiscal_year": self.fiscal_year,
            "resumed": self.resumed,
            "households": self.households,
            "assessed": self.assessed,
            "unchanged": self.unchanged,
            "refused": self.refused,
            "totals": dict(self.totals),
            "statutory_reductions": dict(self.reductions),
        }


async def copy_assessments(conn: asyncpg.Connection, rows: list[tuple[Any, ...]]) -> None:
    """COPY the read model's rows (``assessment_row``) into a temporary table, then one upsert
    into the read model."""
    if not rows:
        return
    await conn.execute(
        "CREATE TEMPORARY TABLE IF NOT EXISTS incoming_assessments"
        " (LIKE assessments INCLUDING DEFAULTS) ON COMMIT DROP"
    )
    await conn.execute("TRUNCATE incoming_assessments")
    await conn.copy_records_to_table(
        "incoming_assessments", columns=list(ASSESSMENT_COLUMNS), records=rows
    )
    columns = ", ".join(ASSESSMENT_COLUMNS)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in ASSESSMENT_COLUMNS[2:])
    await conn.execute(
        f"INSERT INTO assessments ({columns}) SELECT {columns} FROM incoming_assessments"  # noqa: S608
        f" ON CONFLICT (nhi_household_number, fiscal_year) DO UPDATE SET {updates},"
        " assessed_at = now()"
    )


async def _load_chunk(
    conn: asyncpg.Connection, fiscal_year: int, after: str, size: int
) -> RawChunk:
    """The next ``size`` households after ``after`` and their facts, as plain rows: built into
    the engine's records (``chunk_facts``) by the process that computes them (ADR 0106)."""
    heads = await conn.fetch(
        "SELECT * FROM households WHERE nhi_household_number > $1"
        " ORDER BY nhi_household_number LIMIT $2",
        after,
        size,
    )
    numbers = [h["nhi_household_number"] for h in heads]
    members = await conn.fetch(
        "SELECT * FROM household_members WHERE nhi_household_number = ANY($1::text[])"
        " ORDER BY nhi_household_number, addressee_number",
        numbers,
    )
    householders = {h["householder_addressee_number"] for h in heads}
    # every household's people (``people_of``): its members and its householder
    people = sorted({m["addressee_number"] for m in members} | householders)
    incomes = await conn.fetch(
        "SELECT * FROM incomes WHERE income_year = $2 AND addressee_number = ANY($1::text[])",
        people,
        fiscal_year - 1,
    )
    previous = await conn.fetch(
        "SELECT * FROM assessments WHERE fiscal_year = $2"
        " AND nhi_household_number = ANY($1::text[])",
        numbers,
        fiscal_year,
    )
    ratios = await conn.fetch(
        "SELECT nhi_household_number, ratio_percent FROM reduction_exemptions"
        " WHERE fiscal_year = $2 AND status = 'approved'"
        " AND nhi_household_number = ANY($1::text[]) ORDER BY entered_at",
        numbers,
        fiscal_year,
    )
    pensions = await conn.fetch(
        "SELECT * FROM pensions WHERE fiscal_year = $2 AND addressee_number = ANY($1::text[])",
        sorted(householders),
        fiscal_year,
    )
    requested = await conn.fetch(
        "SELECT nhi_household_number, method FROM collection_method_requests"
        " WHERE fiscal_year = $2 AND nhi_household_number = ANY($1::text[])",
        numbers,
        fiscal_year,
    )
    return RawChunk(
        *(plain_rows(r) for r in (heads, members, incomes, previous, ratios, pensions, requested))
    )


def checkpoint_loaded(
    pending: deque[tuple[RawChunk, asyncio.Future[EncodedPlan]]], loaded: str
) -> str:
    """Where the next load starts: after the last household already loaded."""
    return pending[-1][0].last_household if pending else loaded


class _WriteBehind:
    """One chunk's write in flight while the next is validated (ADR 0106): the writes stay one
    at a time and in order, so the checkpoint is always the end of a committed prefix."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        summary: RunSummary,
        progress: Callable[[RunSummary], None] | None,
        stop_after_chunks: int | None,
    ) -> None:
        self.pool, self.summary, self.progress = pool, summary, progress
        self.stop_after = stop_after_chunks
        self.chunks = 0
        self.stopped = False
        self.writing: asyncio.Future[str] | None = None

    async def write(self, chunk: RawChunk, plan: EncodedPlan, appends: list[StreamAppend]) -> None:
        if not await self.drain():
            return  # stopped after the previous chunk: this one is not written, as in a crash
        self.writing = asyncio.ensure_future(
            _write_chunk(self.pool, self.summary.run_id, chunk, plan, appends, self.summary)
        )

    async def drain(self) -> bool:
        """Wait for the write in flight; False once ``stop_after_chunks`` chunks are written."""
        writing, self.writing = self.writing, None
        if writing is not None:
            await writing
            self.chunks += 1
            if self.progress is not None:
                self.progress(self.summary)
            if self.stop_after is not None and self.chunks >= self.stop_after:
                self.stopped = True
        return not self.stopped


async def _write_chunk(
    pool: asyncpg.Pool,
    run_id: UUID,
    chunk: RawChunk,
    plan: EncodedPlan,
    appends: list[StreamAppend],
    summary: RunSummary,
) -> str:
    """Events (COPY), the read model (COPY + upsert) and the checkpoint in one transaction."""
    checkpoint = chunk.last_household
    async with pool.acquire() as conn, conn.transaction():
        if appends:
            await PostgresEventStore(conn, source=SOURCE).append_batch(appends)
        await copy_assessments(conn, plan.rows)
        summary.households += chunk.households
        summary.assessed += len(plan.rows)
        summary.unchanged += plan.unchanged
        summary.refused += plan.refused
        summary.totals.update(plan.totals)
        summary.reductions.update(plan.reductions)
        await conn.execute(
            "UPDATE annual_runs SET checkpoint = $2, households = $3, assessed = $4,"
            " unchanged = $5, refused = $6::jsonb, totals = $7::jsonb,"
            " reductions = $8::jsonb WHERE run_id = $1",
            run_id,
            checkpoint,
            summary.households,
            summary.assessed,
            summary.unchanged,
            json.dumps(summary.refused, ensure_ascii=False),
            json.dumps(dict(summary.totals)),
            json.dumps(dict(summary.reductions)),
        )
    return checkpoint


async def _start_or_resume(
    pool: asyncpg.Pool, fiscal_year: int, actor: str
) -> tuple[RunSummary, str]:
    """The year's unfinished run and its checkpoint, or a new run from the first household."""
    async with pool.acquire() as conn:
        running = await conn.fetchrow(
            "SELECT * FROM annual_runs WHERE fiscal_year = $1 AND status = 'running'",
            fiscal_year,
        )
        if running is None:
            run_id = uuid4()
            await conn.execute(
                "INSERT INTO annual_runs (run_id, fiscal_year, status, started_by)"
                " VALUES ($1, $2, 'running', $3)",
                run_id,
                fiscal_year,
                actor,
            )
            return RunSummary(run_id, fiscal_year, resumed=False), ""
    summary = RunSummary(
        running["run_id"],
        fiscal_year,
        resumed=True,
        households=running["households"],
        assessed=running["assessed"],
        unchanged=running["unchanged"],
        refused=json.loads(running["refused"]),
        totals=Counter(json.loads(running["totals"])),
        reductions=Counter(json.loads(running["reductions"])),
    )
    return summary, str(running["checkpoint"])


Pending = deque[tuple[RawChunk, "asyncio.Future[EncodedPlan]"]]


async def _load_ahead(
    pool: asyncpg.Pool,
    executor: Executor,
    plan: Callable[[RawChunk], EncodedPlan],
    pending: Pending,
    depth: int,
    where: tuple[int, str, int],
) -> bool:
    """Load chunks and hand them to the engine until ``depth`` are in flight; False when no
    household is left. ``where``: the fiscal year, the checkpoint and the chunk size."""
    fiscal_year, checkpoint, chunk_size = where
    while len(pending) <= depth:
        async with pool.acquire() as conn:
            chunk = await _load_chunk(
                conn, fiscal_year, checkpoint_loaded(pending, checkpoint), chunk_size
            )
        if not chunk.households:
            return False
        future: asyncio.Future[EncodedPlan] = asyncio.wrap_future(
            executor.submit(partial(plan, chunk))
        )
        pending.append((chunk, future))
    return True


async def _finish(pool: asyncpg.Pool, run_id: UUID) -> None:
    async with pool.acquire() as conn:
        await conn.execute(
            "UPDATE annual_runs SET status = 'finished', finished_at = now() WHERE run_id = $1",
            run_id,
        )


def _planner(workers: int, **options: Any) -> Callable[[RawChunk], EncodedPlan]:
    """``plan_chunk`` with the run's ``options``, encoded (``encoded_plan``): in a worker
    process (``workers`` > 0) the events' data only, validated by the writing process."""
    return partial(
        encoded_plan,
        partial(plan_chunk, **options, new_ids=random_ids, validated=workers == 0),
    )


async def run_annual(
    pool: asyncpg.Pool,
    rulebook: ParametersFor,
    fiscal_year: int,
    *,
    actor: str,
    today: date,
    chunk_size: int = 2000,
    topic: str,
    progress: Callable[[RunSummary], None] | None = None,
    stop_after_chunks: int | None = None,
    workers: int = 0,
) -> RunSummary:
    """Run (or resume) the annual assessment of ``fiscal_year``: ``workers`` processes compute
    (0: one thread); ``stop_after_chunks`` stops early, as a crash would (the resume test)."""
    params = rulebook(fiscal_year)  # refuses a year without complete parameters
    dues = due_dates(fiscal_year, params.instalments, rulebook.is_holiday)
    summary, checkpoint = await _start_or_resume(pool, fiscal_year, actor)
    context = EventContext(correlation_id=summary.run_id)
    # the engine computes chunks while this process loads the next and writes the finished ones
    executor, depth = engine_executor(workers), max(workers, 1)
    plan = _planner(
        workers, params=params, dues=dues, today=today, actor=actor, topic=topic, context=context
    )
    pending: Pending = deque()
    writes = _WriteBehind(pool, summary, progress, stop_after_chunks)
    loaded = checkpoint  # the last household loaded (ahead of the last one written)
    with collector_paused():
        try:
            exhausted = False
            while not writes.stopped:
                if not exhausted:
                    exhausted = not await _load_ahead(
                        pool, executor, plan, pending, depth, (fiscal_year, loaded, chunk_size)
                    )
                if not pending:
                    if await writes.drain():
                        await _finish(pool, summary.run_id)
                    break
                chunk, future = pending.popleft()
                loaded = chunk.last_household
                planned = await future
                # a worker's events come as JSON: validated here, once (ADR 0106), while
                # PostgreSQL takes the previous chunk
                appends = planned.appends or validated_appends(
                    planned.events, topic=topic, context=context
                )
                await writes.write(chunk, planned, appends)
            for _, other in pending:
                other.cancel()
        finally:
            await writes.drain()
            executor.shutdown(wait=True, cancel_futures=True)
    return summary
