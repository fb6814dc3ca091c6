"""減免 on application: entered by one clerk, decided by a supervisor who is someone else (C-11);
an approval re-assesses the household."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

from kokuho.assessment.app.assessing import (
    AssessOutcome,
    HouseholdUnknown,
    assess_household,
    people_of,
)
from kokuho.assessment.app.ports import AssessmentUnitPort, ParametersFor
from kokuho.assessment.domain.errors import AssessmentError
from kokuho.assessment.domain.reduction_exemption import ReductionExemption, apply_for, decide
from kokuho.events.contracts.assessment import ReductionExemptionDecided
from kokuho.events.ports import EventContext, StreamAppend


class ApplicationNotFound(AssessmentError):
    status = 404
    slug = "application-not-found"

    def __init__(self, application_id: UUID) -> None:
        super().__init__(f"no 減免 application {application_id}")
        self.application_id = application_id


@dataclass(frozen=True)
class EnterApplication:
    nhi_household_number: str
    fiscal_year: int
    reason_code: str
    reason: str
    ratio_percent: int
    actor: str


async def enter_application(
    uow: AssessmentUnitPort, command: EnterApplication
) -> ReductionExemption:
    """Enter a 減免 application for a known household; a supervisor decides it."""
    async with uow:
        row = await uow.households.load_household(command.nhi_household_number)
        if row is None:
            raise HouseholdUnknown(command.nhi_household_number)
        application = apply_for(
            uuid4(),
            command.nhi_household_number,
            command.fiscal_year,
            command.reason_code,
            command.reason,
            command.ratio_percent,
            command.actor,
        )
        await uow.reductions.save_reduction_exemption(application)
        await uow.audit.record(
            subjects=people_of(row),
            detail={"application_id": str(application.application_id)},
            status_code=201,
        )
        return application


@dataclass(frozen=True)
class DecideApplication:
    application_id: UUID
    approve: bool
    reason: str
    actor: str
    today: date


async def decide_application(
    uow: AssessmentUnitPort,
    rules: ParametersFor,
    command: DecideApplication,
    context: EventContext | None = None,
) -> tuple[ReductionExemption, AssessOutcome | None]:
    """Approve or reject with a reason (C-24) by someone other than the clerk who entered it
    (C-11); ``ReductionExemptionDecided`` is published and an approval re-assesses."""
    async with uow:
        application = await uow.reductions.load_reduction_exemption(command.application_id)
        if application is None:
            raise ApplicationNotFound(command.application_id)
        decided = decide(application, command.actor, command.approve, command.reason)
        await uow.reductions.save_reduction_exemption(decided)
        await uow.events.append_batch([_decided_append(uow.topic, decided, command, context)])
        outcome = None
        if command.approve:
            outcome = await assess_household(
                uow,
                rules,
                nhi_household_number=decided.nhi_household_number,
                fiscal_year=decided.fiscal_year,
                cause="reduction_exemption",
                actor=command.actor,
                today=command.today,
                context=context,
            )
        row = await uow.households.load_household(decided.nhi_household_number)
        await uow.audit.record(
            subjects=people_of(row) if row else [],
            detail={"application_id": str(command.application_id), "approved": command.approve},
        )
        return decided, outcome


def _decided_append(
    topic: str,
    decided: ReductionExemption,
    command: DecideApplication,
    context: EventContext | None,
) -> StreamAppend:
    event = ReductionExemptionDecided(
        application_id=command.application_id,
        nhi_household_number=decided.nhi_household_number,
        fiscal_year=decided.fiscal_year,
        approved=command.approve,
        reason_code=decided.reason_code,
        ratio_percent=decided.ratio_percent,
        entered_by=decided.entered_by,
        decided_by=command.actor,
    )
    return StreamAppend(
        f"reduction-exemption-{command.application_id}",
        0,
        [event],
        topic=topic,
        partition_key=decided.nhi_household_number,
        context=context or EventContext(),
    )


async def read_application(
    uow: AssessmentUnitPort, application_id: UUID
) -> ReductionExemption | None:
    """The application (None: unknown; the read is audited either way)."""
    async with uow:
        application = await uow.reductions.load_reduction_exemption(application_id)
        row = (
            await uow.households.load_household(application.nhi_household_number)
            if application
            else None
        )
        await uow.audit.record(
            subjects=people_of(row) if row else [],
            detail={"application_id": str(application_id)},
        )
        return application
