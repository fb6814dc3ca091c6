"""The resident-register intake (SF-Q03, ADR 0015): a file of the register's changes or a pull
of its feed (batch operators), the work list and the review list (clerks), what became of one
change. The pending ex officio changes it enters are confirmed or rejected at
``/changes/{change_id}/confirm|reject`` like every change (any clerk: the entering "clerk" is
the register)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Query
from pydantic import Field

from kokuho.eligibility.api.deps import (
    BatchOperator,
    EligibilityDep,
    Limit,
    ReadDep,
    RegisterIntakeDep,
    Staff,
    UnitsDep,
    WriteDep,
)
from kokuho.eligibility.app import register_intake, register_lists, register_pull
from kokuho.eligibility.app.register_feed import FeedChange
from kokuho.platform.models import FileContent, Page, RequestModel, ResponseModel
from kokuho.platform.pagination import NUMBER_POSITION, decode_cursor, encode_cursor
from kokuho.platform.problems import FieldError, Problem

router = APIRouter(prefix="/api/v1", tags=["eligibility"])

#: A file of the register may be large (a day of a city): the route's own body limit.
FILE_BODY_LIMIT = 32 * 1024 * 1024
FILES_PATH = "/api/v1/resident-register/files"


class RegisterFileIn(RequestModel):
    file_name: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.-]+$")
    # The parser refuses an individual number line by line, naming the line (C-19).
    content: Annotated[str, FileContent] = Field(
        max_length=30_000_000, description="JSON Lines, one change a line (README, ADR 0015)"
    )


class TakenOut(ResponseModel):
    register_change_id: str
    outcome: Literal["pending-change", "work-item", "review", "already-so", "duplicate"]
    change_id: UUID | None
    item_id: UUID | None


class RegisterFileOut(ResponseModel):
    file_name: str
    lines: int
    counts: dict[str, int]
    changes: list[TakenOut]

    @classmethod
    def of(cls, result: register_intake.FileResult) -> RegisterFileOut:
        return cls(
            file_name=result.file_name,
            lines=result.lines,
            counts=result.counts,
            changes=[TakenOut.model_validate(t.__dict__) for t in result.taken],
        )


class PullOut(ResponseModel):
    read: int
    counts: dict[str, int]
    last_sequence: int
    stopped_at: int | None
    reason: str | None


class RegisterItemOut(ResponseModel):
    item_id: UUID
    list: Literal["work", "review"]
    register_change_id: str
    kind: str
    addressee_number: str
    nhi_household_number: str | None
    fact_date: date
    due_date: date | None
    reason_code: str | None
    reason: str | None
    status: Literal["open", "closed"]
    resolution: str | None
    closed_by: str | None
    closed_at: datetime | None
    register_details: dict[str, Any] | None = Field(
        description="the register's details and household for the clerk (erased on closing)"
    )


class IntakeOut(ResponseModel):
    register_change_id: str
    source: str
    kind: str
    addressee_number: str
    fact_date: date
    notified_date: date
    outcome: str
    change_id: UUID | None
    change_status: str | None
    item_id: UUID | None


class CloseItemIn(RequestModel):
    resolution: register_lists.Resolution


@router.post("/resident-register/files", status_code=201)
async def take_in_file(
    body: RegisterFileIn,
    user: BatchOperator,
    ports: EligibilityDep,
    write: WriteDep,
    intake: RegisterIntakeDep,
) -> RegisterFileOut:
    """A JSON Lines file of the register's changes, all or nothing: any refused line (an
    individual number, a field this format does not declare, a bad date ...) is 422
    ``register-file-rejected`` with ``errors[]`` = ``/body/content/line/N`` and its reason, and
    nothing is taken in. A change id taken in before is a duplicate and changes nothing."""
    parameters = intake.parameters
    try:
        return await write.run(
            lambda uow: register_intake.take_in_file(
                uow, ports, parameters, body.file_name, body.content
            ),
            RegisterFileOut.of,
            status_code=201,
        )
    except register_intake.RegisterFileRejected as refused:
        raise Problem(
            422,
            "register-file-rejected",
            detail=str(refused),
            errors=[
                FieldError(pointer=f"/body/content/line/{x.line}", reason=x.reason)
                for x in refused.errors
            ],
        ) from None


@router.post("/jobs/resident-register")
async def pull_feed(
    user: BatchOperator,
    ports: EligibilityDep,
    units: UnitsDep,
    read: ReadDep,
    intake: RegisterIntakeDep,
) -> PullOut:
    """Read the register's feed now (``serve`` also reads it every
    ``resident_register_poll_seconds``); 409 ``feed-not-configured`` without a feed URL, 503
    ``counterpart-unavailable`` when the register does not answer as documented."""
    if intake.reader is None:
        raise Problem(
            409, "feed-not-configured", detail="KOKUHO_ELIGIBILITY_RESIDENT_REGISTER_URL is not set"
        )
    result = await register_pull.pull_feed(
        units, ports, intake.parameters, intake.feed, intake.reader
    )
    return await read.run(
        lambda uow: register_pull.record_pull(uow, intake.feed, result),
        lambda done: PullOut(
            read=done.read,
            counts=done.counts,
            last_sequence=done.last_sequence,
            stopped_at=done.stopped_at,
            reason=done.reason,
        ),
    )


def _page(listing: register_lists.ItemListing) -> Page[RegisterItemOut]:
    return Page[RegisterItemOut](
        items=[RegisterItemOut.model_validate(i) for i in listing.items],
        next_cursor=encode_cursor(listing.last) if listing.last else None,
    )


async def _list(read: Any, name: str, open_only: bool, limit: int, cursor: str | None) -> Any:
    after = decode_cursor(cursor, position=NUMBER_POSITION)
    return await read.run(
        lambda uow: register_lists.list_items(
            uow, name, open_only, limit, int(after) if after else None
        ),
        _page,
    )


@router.get("/resident-register/work-items")
async def list_work_items(
    user: Staff,
    read: ReadDep,
    limit: Limit = 50,
    cursor: str | None = None,
    open_only: Annotated[bool, Query(alias="open")] = True,
) -> Page[RegisterItemOut]:
    """Persons to ask (a move in: joining NHI? a birth, a household change), by due date."""
    page: Page[RegisterItemOut] = await _list(read, "work", open_only, limit, cursor)
    return page


@router.get("/resident-register/reviews")
async def list_reviews(
    user: Staff,
    read: ReadDep,
    limit: Limit = 50,
    cursor: str | None = None,
    open_only: Annotated[bool, Query(alias="open")] = True,
) -> Page[RegisterItemOut]:
    """Changes of persons unknown here or contradicting our record, with the reason."""
    page: Page[RegisterItemOut] = await _list(read, "review", open_only, limit, cursor)
    return page


@router.post("/resident-register/items/{item_id}/close")
async def close_item(
    item_id: UUID, body: CloseItemIn, user: Staff, ports: EligibilityDep, write: WriteDep
) -> RegisterItemOut:
    """Close a work-list item or a review with its resolution (the NHI change itself, e.g. the
    move-in's 資格取得, is entered at the counter as usual)."""
    return await write.run(
        lambda uow: register_lists.close_item(uow, ports, item_id, body.resolution, user.user_id),
        RegisterItemOut.model_validate,
    )


@router.get("/resident-register/changes/{register_change_id}")
async def get_intake(
    register_change_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")],
    user: Staff,
    read: ReadDep,
) -> IntakeOut:
    """What became of one change of the register (and its pending change's status)."""
    return await read.run(
        lambda uow: register_lists.intake_of(uow, register_change_id), IntakeOut.model_validate
    )


__all__ = ["FILES_PATH", "FILE_BODY_LIMIT", "FeedChange", "router"]
