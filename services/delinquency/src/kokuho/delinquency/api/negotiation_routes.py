"""Negotiation records with promises, instalment plans, and the 特別療養費 acts (advance notice,
special reason) of a case."""

from __future__ import annotations

from fastapi import APIRouter

from kokuho.delinquency.api.common import act, change, new_id
from kokuho.delinquency.api.deps import Household, Officer, Today, WriteDep
from kokuho.delinquency.api.schemas import (
    ActOut,
    CaseOut,
    NegotiationIn,
    NoticeIn,
    PlanIn,
    SpecialReasonIn,
)
from kokuho.delinquency.domain.model import Instalment
from kokuho.delinquency.domain.negotiation import PromiseTerms, RecordNegotiation
from kokuho.delinquency.domain.plans import AgreePlan
from kokuho.delinquency.domain.special_care import RecordAdvanceNotice, RecordSpecialReason

router = APIRouter(prefix="/api/v1/cases/{household}", tags=["negotiation"])


@router.post("/negotiations", status_code=201)
async def record_negotiation(
    household: Household, body: NegotiationIn, user: Officer, today: Today, write: WriteDep
) -> ActOut:
    """折衝記録 (a call of the tax notification centre is one, ``channel=notification_center``);
    a promise with it is monitored from its date."""
    record_id, p = new_id(), body.promise
    promise = None if p is None else PromiseTerms(new_id(), p.kind, p.promised_on, p.amount)
    command = RecordNegotiation(
        record_id,
        user.user_id,
        body.officer_group,
        body.officer_division,
        body.counterparty,
        body.channel,
        body.outcome,
        body.summary,
        body.contacted_on,
        promise,
        today,
    )
    return await act(write, household, command, record_id)


@router.post("/plans", status_code=201)
async def agree_plan(
    household: Household, body: PlanIn, user: Officer, today: Today, write: WriteDep
) -> ActOut:
    """分納: monitored against collection's payments; a short instalment breaks it."""
    plan_id = new_id()
    instalments = tuple(Instalment(i.due_on, i.amount) for i in body.instalments)
    command = AgreePlan(
        plan_id, instalments, user.user_id, body.pledge_received, body.agreed_on, today
    )
    return await act(write, household, command, plan_id)


@router.post("/advance-notices")
async def record_advance_notice(
    household: Household, body: NoticeIn, user: Officer, today: Today, write: WriteDep
) -> CaseOut:
    """The notice to the householder before the 特別療養費 flag (rules.md §4.6)."""
    return await change(write, household, RecordAdvanceNotice(user.user_id, body.sent_on, today))


@router.post("/special-reasons")
async def record_special_reason(
    household: Household, body: SpecialReasonIn, user: Officer, today: Today, write: WriteDep
) -> CaseOut:
    """A special reason (disaster, theft, illness, business closure or loss): no flag."""
    command = RecordSpecialReason(body.reason, body.note, user.user_id, body.recorded_on, today)
    return await change(write, household, command)
