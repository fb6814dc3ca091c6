"""``/api/v1/cases``: open a case (a write) and read one (a read of personal data)."""

from __future__ import annotations

from uuid import UUID, uuid4

from fastapi import APIRouter

from kokuho.benefits.api.deps import Clerk, ReadDep, Reader, Today, WriteDep
from kokuho.benefits.api.schemas import CaseIn, CaseOut
from kokuho.benefits.app import cases

router = APIRouter(prefix="/api/v1", tags=["cases"])


@router.post("/cases", status_code=201)
async def open_case(body: CaseIn, user: Clerk, today: Today, write: WriteDep) -> CaseOut:
    """Open a case for a person; with the same ``Idempotency-Key`` the first answer again."""
    command = body.command(uuid4(), user, today)
    return await write.run(
        lambda uow: cases.open_case(uow, command), CaseOut.model_validate, status_code=201
    )


@router.get("/cases/{case_id}")
async def get_case(case_id: UUID, user: Reader, read: ReadDep) -> CaseOut:
    return await read.run(lambda uow: cases.read_case(uow, case_id), CaseOut.model_validate)
