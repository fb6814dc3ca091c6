"""``GET /api/v1/erasure-records`` (C-96): what a service's retention job and confirmed erasure
requests erased, oldest first, paged by cursor, for the roles the service names; every read is
audited with the subjects it names. A service with a retention job mounts
``erasure_records_router(<roles>)`` once (ADRs 0096, 0097)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from kokuho.platform.auth import require_roles
from kokuho.platform.calls import ReadDep
from kokuho.platform.erasure_records import ErasureRecord, PostgresErasureRecords
from kokuho.platform.models import Page, ResponseModel
from kokuho.platform.pagination import decode_cursor, encode_cursor


class ErasureRecordOut(ResponseModel):
    data_class: str
    #: an addressee number, or ``<household>/<fiscal year>`` / ``<addressee>/<year>``
    subject: str
    store: str
    erased_on: date
    erased_at: datetime
    erased_by: str
    basis: str


#: what an auditor's read of some records is audited with: (addressee numbers, extra detail)
AuditedAs = Callable[[list[ErasureRecord]], tuple[list[str], dict[str, Any]]]


def subjects_are_people(records: list[ErasureRecord]) -> tuple[list[str], dict[str, Any]]:
    """The default: each record's subject is an addressee number."""
    return sorted({r.subject for r in records}), {}


def erasure_records_router(
    *roles: str, tag: str, audited_as: AuditedAs = subjects_are_people
) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=[tag])

    # the guard as a route dependency: an annotation local to this function would not resolve
    @router.get("/erasure-records", dependencies=[require_roles(*roles)])
    async def list_erasure_records(
        read: ReadDep,
        limit: Annotated[int, Query(ge=1, le=200)] = 100,
        cursor: str | None = None,
    ) -> Page[ErasureRecordOut]:
        """C-96: the erasure records, oldest first (``next_cursor`` for the next page)."""
        after = decode_cursor(cursor, position=r"[0-9]{1,18}")

        async def work(uow: Any) -> list[tuple[int, ErasureRecord]]:
            async with uow:
                found = await PostgresErasureRecords(uow.conn).page(
                    limit, int(after) if after else None
                )
                people, detail = audited_as([r for _, r in found])
                await uow.audit.record(
                    subjects=people, detail={"view": "erasure-records", **detail}
                )
                return found

        def page(found: list[tuple[int, ErasureRecord]]) -> Page[ErasureRecordOut]:
            return Page[ErasureRecordOut](
                items=[ErasureRecordOut.model_validate(r, from_attributes=True) for _, r in found],
                next_cursor=encode_cursor(str(found[-1][0])) if len(found) == limit else None,
            )

        result: Page[ErasureRecordOut] = await read.run(work, page)
        return result

    return router
