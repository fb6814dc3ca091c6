"""The auditor's list of a service's department-feed deliveries (C-66, ADR 0089).

Every entry an owning service put on a department's feed is recorded in its own database, in
the transaction of the change (``kokuho.events.runtime.feeds``). ``GET /api/v1/feeds/deliveries``
lists them, newest first, for the ``auditor`` role only; the listing is itself audited (whose
deliveries were read). A service that owns feeds mounts ``router`` once.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query

from kokuho.events.runtime.feeds import FeedDelivery, PostgresFeedDeliveries
from kokuho.platform.auth import StaffUser, require_roles
from kokuho.platform.calls import ReadDep
from kokuho.platform.models import ResponseModel
from kokuho.platform.problems import FieldError, Problem

router = APIRouter(prefix="/api/v1/feeds", tags=["feeds"])

Auditor = Annotated[StaffUser, require_roles("auditor")]


class FeedDeliveryOut(ResponseModel):
    """One entry put on a department's feed: what (flow, items, topics), to whom, when, on
    which basis, whose (addressee number), from which of the service's events."""

    delivery_id: UUID
    flow_id: str
    seed_number: int
    recipient: str
    legal_basis: str
    topics: list[str]
    items: list[str]
    addressee_number: str
    source_event_id: UUID
    source_event_type: str
    recorded_at: datetime

    @classmethod
    def of(cls, d: FeedDelivery) -> FeedDeliveryOut:
        return cls(
            delivery_id=d.delivery_id,
            flow_id=d.flow_id,
            seed_number=d.seed_number,
            recipient=d.recipient,
            legal_basis=d.legal_basis,
            topics=list(d.topics),
            items=list(d.items),
            addressee_number=d.addressee_number,
            source_event_id=d.source_event_id,
            source_event_type=d.source_event_type,
            recorded_at=d.recorded_at,
        )


class FeedDeliveryPage(ResponseModel):
    items: list[FeedDeliveryOut]


@router.get("/deliveries")
async def list_feed_deliveries(
    _user: Auditor,
    read: ReadDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    flow_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    addressee_number: Annotated[
        str | None, Query(pattern=r"^[0-9]{10}$", description="宛名番号")
    ] = None,
    on_or_after: Annotated[date | None, Query(description="day (JST), from")] = None,
    on_or_before: Annotated[date | None, Query(description="day (JST), to")] = None,
) -> FeedDeliveryPage:
    """Every entry put on a department feed (C-66), newest first: by flow, person and day."""
    if on_or_after and on_or_before and on_or_before < on_or_after:
        raise Problem(
            422,
            "invalid-period",
            detail="on_or_before is before on_or_after.",
            errors=[FieldError(pointer="/query/on_or_before", reason="before on_or_after")],
        )

    async def work(uow: Any) -> list[FeedDelivery]:
        async with uow:
            rows = await PostgresFeedDeliveries(uow.conn).listed(
                limit,
                flow_id=flow_id,
                addressee_number=addressee_number,
                on_or_after=on_or_after,
                on_or_before=on_or_before,
            )
            await uow.audit.record(
                subjects=sorted({r.addressee_number for r in rows}),
                detail={"feed_deliveries": len(rows), "flow_id": flow_id},
            )
            return rows

    return await read.run(
        work, lambda rows: FeedDeliveryPage(items=[FeedDeliveryOut.of(r) for r in rows])
    )
