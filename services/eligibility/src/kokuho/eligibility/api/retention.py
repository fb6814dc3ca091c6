"""The erasure records (C-96) for auditors and supervisors: what the retention job (and
confirmed erasure requests) erased, of whom, from which store, when. Every read is audited."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel

from kokuho.eligibility.api.deps import AUDITOR, SUPERVISOR, Limit, ReadDep
from kokuho.eligibility.app import retention
from kokuho.eligibility.domain.retention import ErasureRecord
from kokuho.platform.auth import StaffUser, require_roles
from kokuho.platform.models import Page
from kokuho.platform.pagination import decode_cursor, encode_cursor

router = APIRouter(prefix="/api/v1", tags=["eligibility"])

ErasureReader = Annotated[StaffUser, require_roles(AUDITOR, SUPERVISOR)]


class ErasureRecordOut(BaseModel):
    data_class: str
    subject: str
    store: str
    erased_on: date
    erased_at: datetime
    erased_by: str
    basis: str


@router.get("/erasure-records")
async def list_erasure_records(
    user: ErasureReader, read: ReadDep, limit: Limit = 100, cursor: str | None = None
) -> Page[ErasureRecordOut]:
    after = decode_cursor(cursor, position=r"[0-9]{1,18}")

    def page(found: list[tuple[int, ErasureRecord]]) -> Page[ErasureRecordOut]:
        return Page[ErasureRecordOut](
            items=[ErasureRecordOut.model_validate(r, from_attributes=True) for _, r in found],
            next_cursor=encode_cursor(str(found[-1][0])) if len(found) == limit else None,
        )

    result: Page[ErasureRecordOut] = await read.run(
        lambda uow: retention.erasure_records(uow, limit, int(after) if after else None), page
    )
    return result
