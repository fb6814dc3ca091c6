"""``/api/v1/lump-sum-applications``: 葬祭費 and 出産育児一時金 applied for (clerk), reviewed by a
second person (supervisor; never the one who entered it: 409 ``same-person-review``), read, and
their notice as PDF."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from kokuho.benefits.adapters.lump_sum_notice_pdf import render_lump_sum_notice
from kokuho.benefits.api.deps import BenefitsDep, Clerk, ReadDep, Reader, Reviewer, Today, WriteDep
from kokuho.benefits.api.lump_sum_schemas import LumpSumApplicationIn, LumpSumOut, LumpSumReviewIn
from kokuho.benefits.app import lump_sums
from kokuho.benefits.domain import lump_sum as ls

router = APIRouter(prefix="/api/v1", tags=["lump-sum benefits"])


@router.post("/lump-sum-applications", status_code=201)
async def apply(
    body: LumpSumApplicationIn, user: Clerk, today: Today, write: WriteDep
) -> LumpSumOut:
    """Enter an application (pending review); 422 naming the field, prescribed rights
    (``lump-sum-prescribed``), 409 ``lump-sum-already-applied``."""
    command, account = body.command(user, today)
    return await write.run(
        lambda uow: lump_sums.apply_lump_sum(uow, command, account), LumpSumOut.of, status_code=201
    )


@router.post("/lump-sum-applications/{application_id}/review")
async def review(
    application_id: UUID,
    body: LumpSumReviewIn,
    user: Reviewer,
    today: Today,
    ports: BenefitsDep,
    write: WriteDep,
) -> LumpSumOut:
    """Approve (the amount in force, the payment ordered) or refuse with a reason."""
    command = ls.Review(body.approve, body.reason, user.user_id, today, body.payment_day(today))
    return await write.run(
        lambda uow: lump_sums.review_lump_sum(uow, ports, application_id, command),
        lambda reviewed: LumpSumOut.of(reviewed.state),
    )


@router.get("/lump-sum-applications/{application_id}")
async def read(application_id: UUID, user: Reader, read: ReadDep) -> LumpSumOut:
    return await read.run(lambda uow: lump_sums.read_lump_sum(uow, application_id), LumpSumOut.of)


@router.get(
    "/lump-sum-applications/{application_id}/notice",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "the notice as PDF"}},
)
async def notice(application_id: UUID, user: Reader, today: Today, read: ReadDep) -> Response:
    """支給決定通知書 or 不支給決定通知書 once reviewed; 409 ``lump-sum-not-pending`` before."""
    state = await read.run(lambda uow: lump_sums.read_lump_sum(uow, application_id), lambda s: s)
    if state.status == "pending":
        raise ls.LumpSumNotPending("application_id: not reviewed yet")
    pdf = render_lump_sum_notice(state, today, None)
    return Response(pdf, media_type="application/pdf")
