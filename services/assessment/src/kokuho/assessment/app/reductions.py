"""減免 on application: entered by one clerk, decided by a supervisor who is someone else (C-11);
an approval re-assesses the household."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from kokuho.assessment.app.assessing import (
    AssessOutcome,
    HouseholdUnknown,
    ParametersFor,
    assess_household,
)
from kokuho.assessment.app.ports import AssessmentStore
from kokuho.assessment.domain.errors import AssessmentError
from kokuho.assessment.domain.reduction_exemption import ReductionExemption, apply_for, decide
from kokuho.events.contracts.assessment import EVENTS_TOPIC, ReductionExemptionDecided
from kokuho.events.runtime.store import EventContext, EventStore, StreamAppend


class ApplicationNotFound(AssessmentError):
    status = 404
    slug = "application-not-found"

    def __init__(self, application_id: UUID) -> None:
        super().__init__(f"no 減免 application {application_id}")
        self.application_id = application_id


async def enter_application(
    store: AssessmentStore,
    *,
    nhi_household_number: str,
    fiscal_year: int,
    reason_code: str,
    reason: str,
    ratio_percent: int,
    actor: str,
) -> ReductionExemption:
    if await store.load_household(nhi_household_number) is None:
        raise HouseholdUnknown(nhi_household_number)
    application = apply_for(
        uuid4(), nhi_household_number, fiscal_year, reason_code, reason, ratio_percent, actor
    )
    await store.save_reduction_exemption(application)
    return application


async def decide_application(
    store: AssessmentStore,
    events: EventStore,
    parameters_for: ParametersFor,
    *,
    application_id: UUID,
    approve: bool,
    reason: str,
    actor: str,
    today: date,
    context: EventContext | None = None,
) -> tuple[ReductionExemption, AssessOutcome | None]:
    application = await store.load_reduction_exemption(application_id)
    if application is None:
        raise ApplicationNotFound(application_id)
    decided = decide(application, actor, approve, reason)
    await store.save_reduction_exemption(decided)
    await events.append_batch(
        [
            StreamAppend(
                f"reduction-exemption-{application_id}",
                0,
                [
                    ReductionExemptionDecided(
                        application_id=application_id,
                        nhi_household_number=decided.nhi_household_number,
                        fiscal_year=decided.fiscal_year,
                        approved=approve,
                        reason_code=decided.reason_code,
                        ratio_percent=decided.ratio_percent,
                        entered_by=decided.entered_by,
                        decided_by=actor,
                    )
                ],
                topic=EVENTS_TOPIC,
                partition_key=decided.nhi_household_number,
                context=context or EventContext(),
            )
        ]
    )
    outcome = None
    if approve:
        outcome = await assess_household(
            store,
            events,
            parameters_for,
            nhi_household_number=decided.nhi_household_number,
            fiscal_year=decided.fiscal_year,
            cause="reduction_exemption",
            actor=actor,
            today=today,
            context=context,
        )
    return decided, outcome
