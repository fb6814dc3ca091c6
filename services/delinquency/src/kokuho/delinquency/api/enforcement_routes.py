"""Enforcement: property investigations and answers, seizures, release, distribution demands
and proceeds (published for collection as ``ProceedsCollected``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from kokuho.delinquency.api.common import act, change, new_id
from kokuho.delinquency.api.deps import DelinquencyDep, Household, Officer, Today, WriteDep
from kokuho.delinquency.api.schemas import (
    ActOut,
    AnswerIn,
    CaseOut,
    DemandIn,
    InvestigationIn,
    ProceedsIn,
    ReleaseIn,
    SeizureIn,
)
from kokuho.delinquency.domain import enforcement as e

router = APIRouter(prefix="/api/v1/cases/{household}", tags=["enforcement"])
ActId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


@router.post("/investigations", status_code=201)
async def start_investigation(
    household: Household, body: InvestigationIn, user: Officer, today: Today, write: WriteDep
) -> ActOut:
    investigation_id = new_id()
    command = e.StartInvestigation(
        investigation_id, body.kind, body.target, user.user_id, body.started_on, today
    )
    return await act(write, household, command, investigation_id)


@router.post("/investigations/{investigation_id}/answer")
async def answer_investigation(
    household: Household,
    investigation_id: ActId,
    body: AnswerIn,
    user: Officer,
    today: Today,
    write: WriteDep,
) -> CaseOut:
    command = e.AnswerInvestigation(
        investigation_id, body.answer, body.found_amount, user.user_id, body.answered_on, today
    )
    return await change(write, household, command)


@router.post("/seizures", status_code=201)
async def seize(
    household: Household,
    body: SeizureIn,
    user: Officer,
    ports: DelinquencyDep,
    today: Today,
    write: WriteDep,
) -> ActOut:
    """差押: a wage seizure reaches the pay less the exempt amount (国税徴収法76条, parameter
    file); real estate the debtor's share (the shares of all owners add up to 1)."""
    seizure_id = new_id()
    w = body.wage
    wage = (
        None
        if w is None
        else e.WagePay(w.gross, w.income_tax, w.resident_tax, w.social_insurance, w.dependants)
    )
    share = body.debtor_share
    command = e.Seize(
        seizure_id,
        body.kind,
        body.description,
        body.amount,
        wage,
        None if share is None else (share.numerator, share.denominator),
        tuple((o.owner, o.numerator, o.denominator) for o in body.co_owners),
        user.user_id,
        body.seized_on,
        today,
        ports.rules,
    )
    return await act(write, household, command, seizure_id)


@router.post("/seizures/{seizure_id}/release")
async def release(
    household: Household,
    seizure_id: ActId,
    body: ReleaseIn,
    user: Officer,
    today: Today,
    write: WriteDep,
) -> CaseOut:
    command = e.ReleaseSeizure(seizure_id, body.reason, user.user_id, body.released_on, today)
    return await change(write, household, command)


@router.post("/distribution-demands", status_code=201)
async def demand_distribution(
    household: Household, body: DemandIn, user: Officer, today: Today, write: WriteDep
) -> ActOut:
    demand_id = new_id()
    command = e.DemandDistribution(
        demand_id, body.authority, body.amount, user.user_id, body.demanded_on, today
    )
    return await act(write, household, command, demand_id)


@router.post("/seizures/{seizure_id}/proceeds", status_code=201)
async def record_proceeds(
    household: Household,
    seizure_id: ActId,
    body: ProceedsIn,
    user: Officer,
    today: Today,
    write: WriteDep,
) -> ActOut:
    """Proceeds of a seizure: published for collection to take in as a payment."""
    proceeds_id = new_id()
    command = e.RecordProceeds(proceeds_id, seizure_id, body.amount, body.received_on, today)
    return await act(write, household, command, proceeds_id)
