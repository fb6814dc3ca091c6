"""Batch jobs: the daily turning-75 run. Each person is one short transaction, so a failure
stops nothing else and a re-run picks up whoever is left (the job is naturally resumable:
a processed person no longer holds an open qualification)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

import asyncpg

from kokuho.eligibility.adapters.postgres import PostgresUnit, Topics
from kokuho.eligibility.app.service import EligibilityService
from kokuho.eligibility.domain.errors import EligibilityRuleBroken
from kokuho.events.runtime.store import ConcurrencyConflict

log = logging.getLogger(__name__)


@dataclass
class JobResult:
    candidates: int = 0
    processed: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)


async def turning_75(
    pool: asyncpg.Pool, service: EligibilityService, as_of: date, topics: Topics | None = None
) -> JobResult:
    result = JobResult()
    async with pool.acquire() as conn:
        candidates = await PostgresUnit(conn).persons_turning_75(as_of)
    result.candidates = len(candidates)
    for addressee, household, birth_date in candidates:
        try:
            async with pool.acquire() as conn, conn.transaction():
                await service.lose_at_75(
                    PostgresUnit(conn, topics), household, addressee, birth_date
                )
        except (EligibilityRuleBroken, ConcurrencyConflict) as refused:
            result.failed.append({"addressee_number": addressee, "reason": type(refused).__name__})
            log.warning("turning-75 refused", extra={"reason": type(refused).__name__})
            continue
        result.processed += 1
        result.subjects.append(addressee)
    return result
