"""``/api/v1/cases``: the cases (list, one, its history), assignment and tasks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from kokuho.delinquency.api.common import change
from kokuho.delinquency.api.deps import (
    Household,
    Limit,
    Officer,
    ReadDep,
    Reader,
    Supervisor,
    Today,
    WriteDep,
)
from kokuho.delinquency.api.schemas import AssignmentIn, CaseOut, HistoryOut
from kokuho.delinquency.app import cases
from kokuho.delinquency.domain.lifecycle import AssignCase, CompleteTask
from kokuho.delinquency.domain.model import STAGES
from kokuho.platform.models import Page
from kokuho.platform.pagination import decode_cursor, next_cursor

router = APIRouter(prefix="/api/v1", tags=["cases"])
Status = Annotated[str | None, Query(pattern=r"^(watching|open|closed)$")]
Stage = Annotated[str | None, Query(pattern="^(" + "|".join(STAGES) + ")$")]
OfficerId = Annotated[str | None, Query(min_length=1, max_length=200)]


@router.get("/cases")
async def list_cases(
    user: Reader,
    read: ReadDep,
    status: Status = None,
    stage: Stage = None,
    officer: OfficerId = None,
    limit: Limit = 50,
    cursor: str | None = None,
) -> Page[CaseOut]:
    after = decode_cursor(cursor, position=r"[0-9]{10}")
    found = await read.run(
        lambda uow: cases.list_cases(
            uow, status=status, stage=stage, officer=officer, after=after, limit=limit
        ),
        lambda x: x,
    )
    return Page[CaseOut](
        items=[CaseOut.of(c) for c in found],
        next_cursor=next_cursor([c.household for c in found], limit),
    )


@router.get("/cases/{household}")
async def get_case(household: Household, user: Reader, read: ReadDep) -> CaseOut:
    return await read.run(lambda uow: cases.read_case(uow, household), CaseOut.of)


@router.get("/cases/{household}/history")
async def get_history(household: Household, user: Reader, read: ReadDep) -> list[HistoryOut]:
    """Every recorded act of the case in order (negotiation records, promises, plans, reliefs,
    investigations, seizures, collection's facts)."""
    return await read.run(
        lambda uow: cases.history(uow, household),
        lambda rows: [HistoryOut.model_validate(r) for r in rows],
    )


@router.post("/cases/{household}/assignment")
async def assign(
    household: Household, body: AssignmentIn, user: Supervisor, today: Today, write: WriteDep
) -> CaseOut:
    command = AssignCase(
        body.officer, body.group, body.division, body.ward, user.user_id, body.assigned_on, today
    )
    return await change(write, household, command)


@router.post("/cases/{household}/tasks/{task_id}/done")
async def complete_task(
    household: Household,
    task_id: Annotated[str, Path(min_length=1, max_length=120)],
    user: Officer,
    today: Today,
    write: WriteDep,
) -> CaseOut:
    return await change(write, household, CompleteTask(task_id, user.user_id, today))
