"""Households: register one, the changes of a whole household (acquisition, loss,
householder, split, merge), and the household's reads."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from kokuho.eligibility.api.changes import enter
from kokuho.eligibility.api.deps import (
    EligibilityDep,
    HistoryReader,
    HouseholdNumber,
    ReadDep,
    Staff,
    WriteDep,
)
from kokuho.eligibility.api.schemas import (
    AcquisitionIn,
    ChangeOut,
    HistoryEventOut,
    HouseholderIn,
    HouseholdOut,
    LossIn,
    MergeIn,
    RegisterHouseholdIn,
    SplitIn,
)
from kokuho.eligibility.app import views

router = APIRouter(prefix="/api/v1", tags=["eligibility"])


@router.post("/households", status_code=201, summary="Register a household with its members")
async def register_household(
    body: RegisterHouseholdIn, user: Staff, ports: EligibilityDep, write: WriteDep
) -> ChangeOut:
    return await enter(write, ports, user, "register_household", body)


@router.post("/households/{household_number}/acquisitions", status_code=201)
async def acquire(
    household_number: HouseholdNumber,
    body: AcquisitionIn,
    user: Staff,
    ports: EligibilityDep,
    write: WriteDep,
) -> ChangeOut:
    """資格取得 (a member joins an existing household)."""
    return await enter(write, ports, user, "acquire", body, household_number)


@router.post("/households/{household_number}/losses", status_code=201)
async def lose(
    household_number: HouseholdNumber,
    body: LossIn,
    user: Staff,
    ports: EligibilityDep,
    write: WriteDep,
) -> ChangeOut:
    """資格喪失."""
    return await enter(write, ports, user, "lose", body, household_number)


@router.post("/households/{household_number}/householder", status_code=201)
async def change_householder(
    household_number: HouseholdNumber,
    body: HouseholderIn,
    user: Staff,
    ports: EligibilityDep,
    write: WriteDep,
) -> ChangeOut:
    """世帯主変更."""
    return await enter(write, ports, user, "change_householder", body, household_number)


@router.post("/households/{household_number}/split", status_code=201)
async def split_household(
    household_number: HouseholdNumber,
    body: SplitIn,
    user: Staff,
    ports: EligibilityDep,
    write: WriteDep,
) -> ChangeOut:
    """世帯分離: members leave for a new household (pending)."""
    return await enter(write, ports, user, "split_household", body, household_number)


@router.post("/households/{household_number}/merge", status_code=201)
async def merge_household(
    household_number: HouseholdNumber,
    body: MergeIn,
    user: Staff,
    ports: EligibilityDep,
    write: WriteDep,
) -> ChangeOut:
    """世帯合併: this household's members join another household (pending)."""
    return await enter(write, ports, user, "merge_household", body, household_number)


@router.get("/households/{household_number}")
async def get_household(
    household_number: HouseholdNumber,
    user: Staff,
    read: ReadDep,
    as_of: Annotated[date | None, Query(description="the household as of this date")] = None,
) -> HouseholdOut:
    # The counter's most frequent read writes only its audit record: no transaction (ADR 0110)
    return await read.run(
        lambda uow: views.household(uow, household_number, as_of),
        HouseholdOut.model_validate,
        audit_only=True,
    )


@router.get("/households/{household_number}/history")
async def get_household_history(
    household_number: HouseholdNumber, user: HistoryReader, read: ReadDep
) -> list[HistoryEventOut]:
    return await read.run(
        lambda uow: views.household_history(uow, household_number),
        lambda rows: [HistoryEventOut.model_validate(r) for r in rows],
    )
