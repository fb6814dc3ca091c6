"""減免 applications: entered by a clerk, decided by another (a supervisor, C-11)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from kokuho.assessment.api.deps import (
    AssessmentDep,
    Clerk,
    ReadDep,
    Reader,
    Supervisor,
    WriteDep,
)
from kokuho.assessment.api.outputs import exemption_out
from kokuho.assessment.api.schemas import DecisionIn, ReductionExemptionIn, ReductionExemptionOut
from kokuho.assessment.app import reductions

router = APIRouter(prefix="/api/v1", tags=["assessment"])


@router.post("/reduction-exemptions", status_code=201)
async def apply_reduction_exemption(
    body: ReductionExemptionIn, user: Clerk, write: WriteDep
) -> ReductionExemptionOut:
    """Enter a 減免 application; a supervisor other than the clerk decides it (C-11)."""
    command = reductions.EnterApplication(
        nhi_household_number=body.nhi_household_number,
        fiscal_year=body.fiscal_year,
        reason_code=body.reason_code,
        reason=body.reason,
        ratio_percent=body.ratio_percent,
        actor=user.user_id,
    )
    return await write.run(
        lambda uow: reductions.enter_application(uow, command), exemption_out, status_code=201
    )


@router.post("/reduction-exemptions/{application_id}/decision")
async def decide_reduction_exemption(
    application_id: UUID,
    body: DecisionIn,
    user: Supervisor,
    ports: AssessmentDep,
    write: WriteDep,
) -> ReductionExemptionOut:
    """Approve or reject with a reason (C-24); the decider must not be the clerk who entered
    it (C-11). An approval re-assesses the household."""
    command = reductions.DecideApplication(
        application_id=application_id,
        approve=body.approve,
        reason=body.reason,
        actor=user.user_id,
        today=ports.today(),
    )
    return await write.run(
        lambda uow: reductions.decide_application(uow, ports.rules, command),
        lambda decided: exemption_out(decided[0], decided[1].assessment if decided[1] else None),
    )


@router.get("/reduction-exemptions/{application_id}")
async def get_reduction_exemption(
    application_id: UUID, user: Reader, read: ReadDep
) -> ReductionExemptionOut:
    application = await read.run(
        lambda uow: reductions.read_application(uow, application_id), lambda a: a
    )
    if application is None:
        raise reductions.ApplicationNotFound(application_id)
    return exemption_out(application)
