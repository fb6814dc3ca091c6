"""Persons: one person's record, the search by kana (C-18: no individual numbers exist here),
and erasure after the retention period (C-95) under four eyes (C-11)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kokuho.eligibility.api.changes import page_of
from kokuho.eligibility.api.deps import (
    AddresseeNumber,
    EligibilityDep,
    Limit,
    ReadDep,
    Staff,
    Supervisor,
    WriteDep,
)
from kokuho.eligibility.api.schemas import (
    KANA_PATTERN,
    ErasureIn,
    ErasureOut,
    PersonFoundOut,
    PersonOut,
)
from kokuho.eligibility.app import persons, views
from kokuho.platform.models import Page
from kokuho.platform.pagination import decode_cursor

router = APIRouter(prefix="/api/v1", tags=["eligibility"])

ADDRESSEE_POSITION = r"[0-9]{10}"


@router.get("/persons/{addressee_number}")
async def get_person(addressee_number: AddresseeNumber, user: Staff, read: ReadDep) -> PersonOut:
    return await read.run(lambda uow: views.person(uow, addressee_number), PersonOut.model_validate)


@router.post("/persons/{addressee_number}/erasure", status_code=202)
async def request_erasure(
    addressee_number: AddresseeNumber,
    body: ErasureIn,
    user: Supervisor,
    ports: EligibilityDep,
    write: WriteDep,
) -> ErasureOut:
    """Request the erasure of a person's details after the retention period (C-95), with its
    reason; another supervisor confirms it (C-11). Refused at once when the person is insured,
    heads a household with insured members (a deemed householder too) or is still within the
    retention period."""
    command = persons.RequestErasure(addressee_number, body.reason, user.user_id)
    return await write.run(
        lambda uow: persons.request_erasure(uow, ports, command),
        ErasureOut.model_validate,
        status_code=202,
    )


@router.post("/persons/{addressee_number}/erasure/confirmation")
async def confirm_erasure(
    addressee_number: AddresseeNumber, user: Supervisor, ports: EligibilityDep, write: WriteDep
) -> ErasureOut:
    """A second supervisor (never the requester) confirms: the details are erased and a
    tombstone goes to the compacted personal-details topic. Identifiers, dates and events stay."""
    command = persons.DecideErasure(addressee_number, user.user_id, confirm=True)
    return await write.run(
        lambda uow: persons.decide_erasure(uow, ports, command), ErasureOut.model_validate
    )


@router.post("/persons/{addressee_number}/erasure/rejection")
async def reject_erasure(
    addressee_number: AddresseeNumber, user: Supervisor, ports: EligibilityDep, write: WriteDep
) -> ErasureOut:
    """A second supervisor rejects the pending request; nothing is erased."""
    command = persons.DecideErasure(addressee_number, user.user_id, confirm=False)
    return await write.run(
        lambda uow: persons.decide_erasure(uow, ports, command), ErasureOut.model_validate
    )


@router.get("/persons")
async def search_persons(
    user: Staff,
    read: ReadDep,
    # Required: a search without a criterion would list every person (issue 9).
    name_kana: Annotated[
        str,
        Query(
            min_length=1,
            max_length=100,
            pattern=KANA_PATTERN,
            description="フリガナ prefix (full-width katakana, as stored); required",
        ),
    ],
    limit: Limit = 50,
    cursor: str | None = None,
) -> Page[PersonFoundOut]:
    after = decode_cursor(cursor, position=ADDRESSEE_POSITION)
    page: Page[PersonFoundOut] = await read.run(
        lambda uow: views.search_persons(uow, name_kana, limit, after),
        lambda listing: page_of(PersonFoundOut, listing),
    )
    return page
