"""Persons: one person's record, the search by kana (C-18: no individual numbers exist here),
and erasure after the retention period (C-95)."""

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


@router.post("/persons/{addressee_number}/erasure")
async def erase_person(
    addressee_number: AddresseeNumber,
    body: ErasureIn,
    user: Supervisor,
    ports: EligibilityDep,
    write: WriteDep,
) -> ErasureOut:
    """Erase a person's details after the retention period (C-95); a tombstone goes to the
    compacted personal-details topic. Identifiers, dates and events stay."""
    command = persons.ErasePerson(addressee_number, body.reason, user.user_id)
    return await write.run(
        lambda uow: persons.erase_person(uow, ports, command), ErasureOut.model_validate
    )


@router.get("/persons")
async def search_persons(
    user: Staff,
    read: ReadDep,
    name_kana: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            pattern=KANA_PATTERN,
            description="フリガナ prefix (full-width katakana, as stored)",
        ),
    ] = None,
    limit: Limit = 50,
    cursor: str | None = None,
) -> Page[PersonFoundOut]:
    after = decode_cursor(cursor, position=ADDRESSEE_POSITION)
    page: Page[PersonFoundOut] = await read.run(
        lambda uow: views.search_persons(uow, name_kana, limit, after),
        lambda listing: page_of(PersonFoundOut, listing),
    )
    return page
