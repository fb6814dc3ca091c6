"""Four eyes (C-11): confirm or reject a pending change, read one, list the pending ones.
``enter`` is the one way every change route enters its change."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter

from kokuho.eligibility.api.deps import EligibilityDep, Limit, ReadDep, Staff, WriteDep
from kokuho.eligibility.api.schemas import ChangeOut, ChangeRecordOut, PendingChangeOut, RejectIn
from kokuho.eligibility.app import changes, views
from kokuho.eligibility.app.ports import Eligibility
from kokuho.platform.auth import StaffUser
from kokuho.platform.calls import Call
from kokuho.platform.models import Page, RequestModel
from kokuho.platform.pagination import UUID_POSITION, decode_cursor, encode_cursor

router = APIRouter(prefix="/api/v1", tags=["eligibility"])


async def enter(
    write: Call,
    ports: Eligibility,
    user: StaffUser,
    kind: str,
    body: RequestModel,
    household_number: str | None = None,
    addressee_number: str | None = None,
) -> ChangeOut:
    """Enter a change of ``kind`` (pending until a second clerk confirms it): 201."""
    command = changes.EnterChange(kind, body, user.user_id, household_number, addressee_number)
    return await write.run(
        lambda uow: changes.enter_change(uow, ports, command), ChangeOut.of, status_code=201
    )


@router.post("/changes/{change_id}/confirm")
async def confirm_change(
    change_id: UUID, user: Staff, ports: EligibilityDep, write: WriteDep
) -> ChangeOut:
    """A different clerk confirms the entry against the form (C-11); the entering clerk gets 403."""
    command = changes.ConfirmChange(change_id, user.user_id)
    return await write.run(lambda uow: changes.confirm_change(uow, ports, command), ChangeOut.of)


@router.post("/changes/{change_id}/reject")
async def reject_change(
    change_id: UUID, body: RejectIn, user: Staff, ports: EligibilityDep, write: WriteDep
) -> ChangeOut:
    command = changes.RejectChange(change_id, user.user_id, body.reason)
    return await write.run(lambda uow: changes.reject_change(uow, ports, command), ChangeOut.of)


@router.get("/changes/{change_id}")
async def get_change(change_id: UUID, user: Staff, read: ReadDep) -> ChangeRecordOut:
    return await read.run(lambda uow: views.change(uow, change_id), ChangeRecordOut.model_validate)


def page_of(out: Any, listing: views.Listing) -> Any:
    """A page of ``out`` models, with the cursor after the last item of a full page."""
    return Page[out](
        items=[out.model_validate(item) for item in listing.items],
        next_cursor=encode_cursor(listing.last) if listing.last else None,
    )


@router.get("/changes")
async def list_pending_changes(
    user: Staff, read: ReadDep, limit: Limit = 50, cursor: str | None = None
) -> Page[PendingChangeOut]:
    after = decode_cursor(cursor, position=UUID_POSITION)
    page: Page[PendingChangeOut] = await read.run(
        lambda uow: views.pending_changes(uow, limit, after),
        lambda listing: page_of(PendingChangeOut, listing),
    )
    return page
