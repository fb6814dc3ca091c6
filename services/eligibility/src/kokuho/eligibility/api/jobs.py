"""The daily jobs by hand (batch operators): each person is its own transaction; the run is
audited with whose data it touched."""

from __future__ import annotations

from fastapi import APIRouter

from kokuho.eligibility.api.deps import BatchOperator, EligibilityDep, ReadDep, UnitsDep
from kokuho.eligibility.api.schemas import JobIn, JobOut
from kokuho.eligibility.app import jobs
from kokuho.platform.problems import FieldError, Problem

router = APIRouter(prefix="/api/v1", tags=["eligibility"])


@router.post("/jobs/copayment-rates")
async def run_copayment_rates(
    body: JobIn, user: BatchOperator, ports: EligibilityDep, units: UnitsDep, read: ReadDep
) -> JobOut:
    """Give 70-74 members the co-payment rate of the period containing ``as_of``."""
    result = await jobs.copayment_rates(units, ports, body.as_of)
    return await read.run(
        lambda uow: jobs.record_run(uow, "copayment-rates", body.as_of, result),
        lambda done: JobOut.of(body.as_of, done),
    )


@router.post("/jobs/turning-75")
async def run_turning_75(
    body: JobIn, user: BatchOperator, ports: EligibilityDep, units: UnitsDep, read: ReadDep
) -> JobOut:
    """The daily job: end NHI for everyone whose 75th birthday is on or before ``as_of``
    (at most a month ahead, so that a mistyped year cannot end the city's NHI in advance)."""
    latest = ports.today() + jobs.TURNING_75_MAX_LEAD
    if body.as_of > latest:
        raise Problem(
            422,
            "as-of-too-far-ahead",
            detail=f"as_of may be at most {jobs.TURNING_75_MAX_LEAD.days} days ahead ({latest})",
            errors=[FieldError(pointer="/body/as_of", reason=f"later than {latest}")],
        )
    result = await jobs.turning_75(units, ports, body.as_of)
    return await read.run(
        lambda uow: jobs.record_run(uow, "turning-75", body.as_of, result),
        lambda done: JobOut.of(body.as_of, done),
    )
