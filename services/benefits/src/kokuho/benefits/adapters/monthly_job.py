"""The monthly run in a served process: a job that runs (or resumes) the runs asked for by
``POST /api/v1/monthly-runs``, one at a time, audited as ``system:monthly-run``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from datetime import date, timedelta, timezone
from typing import Any

import asyncpg

from kokuho.benefits.adapters.monthly_run import PostgresMonthlyRunStore
from kokuho.benefits.app.monthly_run import RunOptions, RunSummary, run_month
from kokuho.benefits.domain.high_cost.limits import LimitSchedule
from kokuho.platform.service import ServiceKit

log = logging.getLogger(__name__)
ACTOR = "system:monthly-run"
JST = timezone(timedelta(hours=9), "JST")


async def run_requested(
    pool: asyncpg.Pool,
    limits: LimitSchedule,
    topic: str,
    today: date,
    chunk_size: int,
    progress: Callable[[RunSummary], None] | None = None,
) -> RunSummary | None:
    """Run the oldest requested or unfinished run; None when there is none."""
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT treatment_month, payment_date FROM monthly_runs"
            " WHERE status IN ('requested', 'running') ORDER BY requested_at LIMIT 1"
        )
    if row is None:
        return None
    options = RunOptions(row["treatment_month"], ACTOR, today, row["payment_date"], topic)
    return await run_month(
        PostgresMonthlyRunStore(pool), limits, options, chunk_size=chunk_size, progress=progress
    )


def monthly_run_job(
    limits: LimitSchedule, topic: str, poll: float, chunk: int
) -> Callable[[ServiceKit, asyncio.Event], Coroutine[Any, Any, None]]:
    async def job(kit: ServiceKit, stop: asyncio.Event) -> None:
        while not stop.is_set():
            today = kit.clock().astimezone(JST).date()
            try:
                done = await run_requested(kit.pool(), limits, topic, today, chunk)
            except Exception:  # a failed run stays 'running' and resumes on the next poll
                log.exception("the monthly run failed; it resumes from its checkpoint")
                done = None
            if done is not None:
                log.info("monthly run finished", extra=done.counts())
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), poll)

    return job
