"""Resolving the work list: a resolution entered (``close`` at once; ``assign`` and ``refund``
pending), then confirmed or rejected by a second person (C-11); every step audited."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated
from uuid import uuid4

from fastapi import APIRouter, Path

from kokuho.collection.api.deps import (
    Clerk,
    CollectionDep,
    ReadDep,
    Reader,
    Supervisor,
    Today,
    WriteDep,
)
from kokuho.collection.api.schemas import (
    ResolutionIn,
    ResolutionOut,
    WorkItemDetailOut,
    WorkItemOut,
)
from kokuho.collection.app import work_items
from kokuho.collection.app.ports import WorkItem
from kokuho.collection.domain.work_items import ProposeResolution, Resolution

router = APIRouter(prefix="/api/v1/work-items", tags=["work items"])

ItemId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$", description="the work item")]
ResolutionId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$", description="its resolution")]


def _out(resolution: Resolution, new_items: list[str] | None = None) -> ResolutionOut:
    return ResolutionOut(**asdict(resolution), new_work_items=new_items or [])


def _resolved(r: work_items.Resolved) -> ResolutionOut:
    return _out(r.resolution, [i.item_id for i in r.new_items])


@router.get("/{item_id}")
async def get_work_item(item_id: ItemId, user: Reader, read: ReadDep) -> WorkItemDetailOut:
    """The item (open or resolved) with every resolution entered for it."""

    def out(found: tuple[WorkItem, list[Resolution]]) -> WorkItemDetailOut:
        item, resolutions = found
        return WorkItemDetailOut(
            item=WorkItemOut.model_validate(item), resolutions=[_out(r) for r in resolutions]
        )

    return await read.run(lambda uow: work_items.read(uow, item_id), out)


@router.post("/{item_id}/resolutions", status_code=201)
async def resolve_work_item(
    item_id: ItemId, body: ResolutionIn, user: Clerk, today: Today, write: WriteDep
) -> ResolutionOut:
    """``close`` takes effect at once (201, ``closed``); ``assign`` and ``refund`` move money
    and wait for a second person (201, ``pending``). 409 while one waits or once resolved;
    422 ``action-not-allowed`` for an action the item's kind does not take."""
    command = ProposeResolution(
        str(uuid4()),
        item_id,
        body.action,
        body.reason,
        body.household,
        body.fiscal_year,
        body.period,
        user.user_id,
        today,
    )
    return await write.run(lambda uow: work_items.propose(uow, command), _resolved, status_code=201)


@router.post("/{item_id}/resolutions/{resolution_id}/confirmation")
async def confirm_resolution(
    item_id: ItemId,
    resolution_id: ResolutionId,
    user: Supervisor,
    ports: CollectionDep,
    write: WriteDep,
) -> ResolutionOut:
    """By a supervisor other than the one who entered it (403 ``same-staff-confirming``): the
    payment received in the household, or the refund decided, once."""
    return await write.run(
        lambda uow: work_items.decide(
            uow, ports.rules, item_id, resolution_id, user.user_id, ports.today(), confirmed=True
        ),
        _resolved,
    )


@router.post("/{item_id}/resolutions/{resolution_id}/rejection")
async def reject_resolution(
    item_id: ItemId,
    resolution_id: ResolutionId,
    user: Supervisor,
    ports: CollectionDep,
    write: WriteDep,
) -> ResolutionOut:
    """Nothing moves; the item stays open for another resolution."""
    return await write.run(
        lambda uow: work_items.decide(
            uow, ports.rules, item_id, resolution_id, user.user_id, ports.today(), confirmed=False
        ),
        _resolved,
    )
