"""The erasure records (C-96) for auditors and supervisors: what the retention job erased
(premiums of expired fiscal years, incomes, pensions; ADR 0096), from which store, when.
Every read is audited."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, cast

from fastapi import APIRouter, Query
from pydantic import BaseModel

from kokuho.assessment.api.deps import ReadDep
from kokuho.assessment.app import retention
from kokuho.assessment.app.retention import ErasureRecord, RetentionUnit
from kokuho.platform.auth import StaffUser, require_roles
from kokuho.platform.models import Page
from kokuho.platform.pagination import decode_cursor, encode_cursor

router = APIRouter(prefix="/api/v1", tags=["retention"])

ErasureReader = Annotated[StaffUser, require_roles("assessment.supervisor", "auditor")]


class ErasureRecordOut(BaseModel):
    data_class: str
    #: ``<household>/<fiscal year>`` for a premium, ``<addressee>/<year>`` for an income or
    #: a pension
    subject: str
    store: str
    erased_on: date
    erased_at: datetime
    erased_by: str
    basis: str


@router.get("/erasure-records")
async def list_erasure_records(
    _user: ErasureReader,
    read: ReadDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
    cursor: str | None = None,
) -> Page[ErasureRecordOut]:
    after = decode_cursor(cursor, position=r"[0-9]{1,18}")

    def page(found: list[tuple[int, ErasureRecord]]) -> Page[ErasureRecordOut]:
        return Page[ErasureRecordOut](
            items=[ErasureRecordOut.model_validate(x, from_attributes=True) for _, x in found],
            next_cursor=encode_cursor(str(found[-1][0])) if len(found) == limit else None,
        )

    result: Page[ErasureRecordOut] = await read.run(
        lambda uow: retention.erasure_records(
            cast(RetentionUnit, uow), limit, int(after) if after else None
        ),
        page,
    )
    return result
