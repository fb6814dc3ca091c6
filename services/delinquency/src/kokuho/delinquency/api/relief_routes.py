"""Deferrals and relief: requested by an officer, decided by a different supervisor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from kokuho.delinquency.api.common import act, change, new_id
from kokuho.delinquency.api.deps import (
    DelinquencyDep,
    Household,
    Officer,
    Supervisor,
    Today,
    WriteDep,
)
from kokuho.delinquency.api.schemas import ActOut, CaseOut, DecisionIn, EndIn, ReliefIn
from kokuho.delinquency.domain.relief import DecideRelief, EndRelief, RequestRelief

router = APIRouter(prefix="/api/v1/cases/{household}/reliefs", tags=["relief"])
ReliefId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


@router.post("", status_code=201)
async def request_relief(
    household: Household,
    body: ReliefIn,
    user: Officer,
    ports: DelinquencyDep,
    today: Today,
    write: WriteDep,
) -> ActOut:
    """徴収猶予, 換価猶予 or 執行停止 with its legal ground (pending until decided)."""
    relief_id = new_id()
    command = RequestRelief(
        relief_id,
        body.kind,
        body.ground,
        body.starts_on,
        body.ends_on,
        body.amount,
        body.security_amount,
        user.user_id,
        body.reason,
        today,
        ports.rules,
    )
    return await act(write, household, command, relief_id)


@router.post("/{relief_id}/decision")
async def decide_relief(
    household: Household,
    relief_id: ReliefId,
    body: DecisionIn,
    user: Supervisor,
    today: Today,
    write: WriteDep,
) -> CaseOut:
    """Four eyes: 403 ``same-person-decides`` when the requester decides."""
    command = DecideRelief(relief_id, body.approve, user.user_id, body.note, today)
    return await change(write, household, command)


@router.post("/{relief_id}/end")
async def end_relief(
    household: Household,
    relief_id: ReliefId,
    body: EndIn,
    user: Supervisor,
    today: Today,
    write: WriteDep,
) -> CaseOut:
    """取消 of an approved relief (the means were found, a condition broken)."""
    command = EndRelief(relief_id, body.reason, user.user_id, body.ended_on, today)
    return await change(write, household, command)
