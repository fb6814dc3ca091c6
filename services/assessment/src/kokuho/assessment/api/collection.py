"""特別徴収: the householder's pension and the request for another collection method."""

from __future__ import annotations

from fastapi import APIRouter

from kokuho.assessment.api.deps import AssessmentDep, Clerk, Importer, WriteDep
from kokuho.assessment.api.outputs import reassessed
from kokuho.assessment.api.schemas import (
    CollectionMethodRequestIn,
    CollectionMethodRequestOut,
    PensionIn,
    PensionOut,
)
from kokuho.assessment.app import collection
from kokuho.assessment.domain.special_collection import Pension

router = APIRouter(prefix="/api/v1", tags=["assessment"])


@router.post("/pensions", status_code=201)
async def record_pension(
    body: PensionIn, user: Importer, ports: AssessmentDep, write: WriteDep
) -> PensionOut:
    """Record a person's pension for a fiscal year (NHI-A-24..26); the households already
    assessed for that year are re-assessed, deciding 特別徴収 by rules.md 2.6."""
    command = collection.RecordPension(
        addressee_number=body.addressee_number,
        fiscal_year=body.fiscal_year,
        pension=Pension(body.annual_amount, body.ltc_special_collection, body.ltc_premium),
        previous_february_deduction=body.previous_february_deduction,
        actor=user.user_id,
        today=ports.today(),
    )
    return await write.run(
        lambda uow: collection.record_pension(uow, ports.rules, command),
        lambda outcomes: PensionOut(
            addressee_number=body.addressee_number,
            fiscal_year=body.fiscal_year,
            reassessed=reassessed(outcomes),
        ),
        status_code=201,
    )


@router.post("/collection-method-requests", status_code=201)
async def request_collection_method(
    body: CollectionMethodRequestIn, user: Clerk, ports: AssessmentDep, write: WriteDep
) -> CollectionMethodRequestOut:
    """The householder asks for 普通徴収 (口座振替) instead of 特別徴収, or back; recorded and
    the year's assessment re-assessed (a correction event when the method changes)."""
    command = collection.RequestCollectionMethod(
        nhi_household_number=body.nhi_household_number,
        fiscal_year=body.fiscal_year,
        method=body.method,
        reason=body.reason,
        actor=user.user_id,
        today=ports.today(),
    )
    return await write.run(
        lambda uow: collection.request_collection_method(uow, ports.rules, command),
        lambda outcomes: CollectionMethodRequestOut(
            nhi_household_number=body.nhi_household_number,
            fiscal_year=body.fiscal_year,
            method=body.method,
            reassessed=reassessed(outcomes),
        ),
        status_code=201,
    )
