"""Batch jobs: the daily turning-75 run. Each person is one short transaction, so a failure
stops nothing else and a re-run picks up whoever is left (the job is naturally resumable:
a processed person no longer holds an open qualification)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import asyncpg

from kokuho.eligibility.adapters.postgres import PostgresUnit, Topics
from kokuho.eligibility.app.service import JST, EligibilityService
from kokuho.eligibility.domain.errors import EligibilityRuleBroken, NothingChanged, NotInAgeBand
from kokuho.events.runtime.store import ConcurrencyConflict

log = logging.getLogger(__name__)


@dataclass
class JobResult:
    candidates: int = 0
    processed: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)


def seconds_until_next_run(now: datetime, hour_jst: int) -> float:
    """Seconds from ``now`` to the next ``hour_jst``:00 in Japan time."""
    local = now.astimezone(JST)
    run = local.replace(hour=hour_jst, minute=0, second=0, microsecond=0)
    if run <= local:
        run += timedelta(days=1)
    return (run - local).total_seconds()


async def run_daily(
    pool: Callable[[], asyncpg.Pool],
    service: EligibilityService,
    topics: Topics,
    hour_jst: int,
    stop: asyncio.Event,
) -> None:
    """The daily turning-75 run inside ``serve``: once at start (catching up after downtime),
    then every day. Running it twice is harmless: a processed person holds no open
    qualification and is not a candidate again."""
    while not stop.is_set():
        for name, job in (("turning-75", turning_75), ("copayment-rates", copayment_rates)):
            try:
                result = await job(pool(), service, service.today(), topics)
                log.info(
                    f"{name} run",
                    extra={"processed": result.processed, "refused": len(result.failed)},
                )
            except Exception:
                log.exception(f"{name} run failed; trying again at the next run")
        wait = seconds_until_next_run(service.now(), hour_jst)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), wait)


async def copayment_rates(
    pool: asyncpg.Pool, service: EligibilityService, as_of: date, topics: Topics | None = None
) -> JobResult:
    """Give every 70-74 member without a rate for ``as_of`` the rate of its period: new
    70-year-olds each month, everyone in the band each August (rules.md 3.4)."""
    result = JobResult()
    async with pool.acquire() as conn:
        candidates = await PostgresUnit(conn, topics).persons_needing_copayment_rate(as_of)
    result.candidates = len(candidates)
    for addressee, household in candidates:
        try:
            async with pool.acquire() as conn, conn.transaction():
                await service.determine_copayment_rate(
                    PostgresUnit(conn, topics), household, addressee, as_of
                )
        except NothingChanged:
            continue  # not yet in the band (before the month after the 70th birthday)
        except NotInAgeBand:
            continue
        except (EligibilityRuleBroken, ConcurrencyConflict) as refused:
            result.failed.append({"addressee_number": addressee, "reason": type(refused).__name__})
            continue
        result.processed += 1
        result.subjects.append(addressee)
    return result


#: How far ahead the turning-75 job may be run by hand: the losses it records are final
#: events, so a date years ahead (a typo) would end the NHI of everyone born before it. A month
#: lets the office prepare the next month's transfers to 後期高齢者医療; an operations figure,
#: not a legal one.
TURNING_75_MAX_LEAD = timedelta(days=31)


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
