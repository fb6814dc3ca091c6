"""The daily jobs: end NHI at 75 (rules.md 5.3) and give 70-74 members their co-payment rate.

Each person is one short transaction of its own unit, so a failure stops nothing else and a
re-run picks up whoever is left (a processed person is no longer a candidate)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from kokuho.eligibility.app.changes import Outcome
from kokuho.eligibility.app.direct import act
from kokuho.eligibility.app.errors import ConcurrentChange
from kokuho.eligibility.app.ports import JST, Eligibility, EligibilityUnitPort, Units
from kokuho.eligibility.domain import commands as c
from kokuho.eligibility.domain.errors import EligibilityRuleBroken, NothingChanged, NotInAgeBand
from kokuho.eligibility.domain.rules import anniversary
from kokuho.events.ports import ConcurrencyConflict

log = logging.getLogger(__name__)

SYSTEM_TURNING_75 = "system:turning-75"
SYSTEM_COPAYMENT = "system:copayment-rate"

#: How far ahead the turning-75 job may be run by hand: the losses it records are final
#: events, so a date years ahead (a typo) would end the NHI of everyone born before it. A month
#: lets the office prepare the next month's transfers to 後期高齢者医療; an operations figure,
#: not a legal one.
TURNING_75_MAX_LEAD = timedelta(days=31)

REFUSALS = (EligibilityRuleBroken, ConcurrencyConflict, ConcurrentChange)


@dataclass
class JobResult:
    candidates: int = 0
    processed: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)


async def lose_at_75(
    uow: EligibilityUnitPort, ports: Eligibility, household: str, addressee: str, birth: date
) -> Outcome:
    """The job's step for one person: no notification is needed (rules.md 5.3)."""
    birthday = anniversary(birth, ports.rules.late_elderly_age, ports.rules)
    command = c.LoseQualification(
        addressee, "turned_75", birthday, birthday, max(ports.today(), birthday)
    )
    return await act(uow, ports, household, command, "turned_75", SYSTEM_TURNING_75)


async def determine_copayment_rate(
    uow: EligibilityUnitPort, ports: Eligibility, household: str, addressee: str, as_of: date
) -> Outcome:
    """The job's step for one 70-74 person without a rate for ``as_of``."""
    command = c.DetermineCopaymentRate(addressee, as_of)
    return await act(uow, ports, household, command, "copayment_rate", SYSTEM_COPAYMENT)


async def turning_75(units: Units, ports: Eligibility, as_of: date) -> JobResult:
    result = JobResult()
    async with units() as uow:
        candidates = await uow.qualifications.turning_75(as_of)
    result.candidates = len(candidates)
    for addressee, household, birth_date in candidates:
        try:
            await lose_at_75(units(), ports, household, addressee, birth_date)
        except REFUSALS as refused:
            result.failed.append({"addressee_number": addressee, "reason": type(refused).__name__})
            log.warning("turning-75 refused", extra={"reason": type(refused).__name__})
            continue
        result.processed += 1
        result.subjects.append(addressee)
    return result


async def copayment_rates(units: Units, ports: Eligibility, as_of: date) -> JobResult:
    """Give every 70-74 member without a rate for ``as_of`` the rate of its period: new
    70-year-olds each month, everyone in the band each August (rules.md 3.4)."""
    result = JobResult()
    async with units() as uow:
        candidates = await uow.qualifications.needing_copayment_rate(as_of)
    result.candidates = len(candidates)
    for addressee, household in candidates:
        try:
            await determine_copayment_rate(units(), ports, household, addressee, as_of)
        except (NothingChanged, NotInAgeBand):
            continue  # not yet in the band (before the month after the 70th birthday)
        except REFUSALS as refused:
            result.failed.append({"addressee_number": addressee, "reason": type(refused).__name__})
            continue
        result.processed += 1
        result.subjects.append(addressee)
    return result


Job = Callable[[Units, Eligibility, date], Awaitable[JobResult]]
JOBS: dict[str, Job] = {"turning-75": turning_75, "copayment-rates": copayment_rates}


async def record_run(
    uow: EligibilityUnitPort, name: str, as_of: date, result: JobResult
) -> JobResult:
    """The audit record of a run asked for through the API (whose data it touched)."""
    async with uow:
        await uow.audit.record(subjects=result.subjects, detail={"job": name, "as_of": str(as_of)})
        return result


def seconds_until_next_run(now: datetime, hour_jst: int) -> float:
    """Seconds from ``now`` to the next ``hour_jst``:00 in Japan time."""
    local = now.astimezone(JST)
    run = local.replace(hour=hour_jst, minute=0, second=0, microsecond=0)
    if run <= local:
        run += timedelta(days=1)
    return (run - local).total_seconds()


async def run_daily(units: Units, ports: Eligibility, hour_jst: int, stop: asyncio.Event) -> None:
    """Both jobs inside ``serve``: once at start (catching up after downtime), then every day
    at ``hour_jst``. Running them twice is harmless: a processed person is not a candidate."""
    while not stop.is_set():
        for name, job in JOBS.items():
            try:
                result = await job(units, ports, ports.today())
                log.info(
                    f"{name} run",
                    extra={"processed": result.processed, "refused": len(result.failed)},
                )
            except Exception:
                log.exception(f"{name} run failed; trying again at the next run")
        wait = seconds_until_next_run(ports.now(), hour_jst)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), wait)
