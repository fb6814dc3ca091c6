"""``/api/v1/repayments``: 不当利得 / 返納金 cases detected from losses of qualification,
proposed by a clerk, reviewed by a second person (supervisor; never the proposer: 409
``same-person-review``), read, and the 納入通知書 as PDF once claimed."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from fastapi import APIRouter, Response

from kokuho.benefits.adapters.repayment_notice_pdf import render_repayment_notice
from kokuho.benefits.api.deps import Clerk, ReadDep, Reader, Reviewer, Today, WriteDep
from kokuho.benefits.api.repayment_schemas import (
    OpenRepaymentsOut,
    RepaymentDetectionIn,
    RepaymentDetectionOut,
    RepaymentOut,
    RepaymentProposalIn,
    RepaymentReviewIn,
)
from kokuho.benefits.app import repayments
from kokuho.benefits.domain import repayment as rp

router = APIRouter(prefix="/api/v1", tags=["repayments"])
#: 納期限 when the reviewer gives none (configuration: the city's practice, not a rules.md figure)
DUE_LEAD = timedelta(days=30)


@router.post("/repayment-detections")
async def detect(
    body: RepaymentDetectionIn, user: Clerk, today: Today, write: WriteDep
) -> RepaymentDetectionOut:
    """Look for claims after a loss again (claims received after the loss was consumed)."""
    command = rp.Detect(body.nhi_household_number, body.addressee_number, body.loss_date, (), today)
    return await write.run(
        lambda uow: repayments.detect_repayment(uow, command),
        lambda s: RepaymentDetectionOut(
            found=s is not None, repayment=RepaymentOut.of(s) if s else None
        ),
    )


@router.get("/repayments")
async def open_cases(user: Reader, read: ReadDep) -> OpenRepaymentsOut:
    """Cases detected or proposed, not yet decided (the first 1,000, oldest first)."""
    return await read.run(
        lambda uow: repayments.open_repayments(uow, 1000),
        lambda found: OpenRepaymentsOut(repayments=[RepaymentOut.of(s) for s in found]),
    )


@router.get("/repayments/{repayment_id}")
async def read(repayment_id: UUID, user: Reader, read: ReadDep) -> RepaymentOut:
    return await read.run(lambda uow: repayments.read_repayment(uow, repayment_id), RepaymentOut.of)


@router.post("/repayments/{repayment_id}/proposal")
async def propose(
    repayment_id: UUID, body: RepaymentProposalIn, user: Clerk, today: Today, write: WriteDep
) -> RepaymentOut:
    """The first pair of eyes: claim (the detected amount, or less with a reason) or withdraw."""
    command = rp.Propose(body.claim, body.amount, body.reason, user.user_id, today)
    return await write.run(
        lambda uow: repayments.propose_repayment(uow, repayment_id, command), RepaymentOut.of
    )


@router.post("/repayments/{repayment_id}/review")
async def review(
    repayment_id: UUID, body: RepaymentReviewIn, user: Reviewer, today: Today, write: WriteDep
) -> RepaymentOut:
    """The second pair of eyes (C-11): agree (claimed, ``RepaymentClaimed`` for collection; or
    withdrawn) or return it to the clerk with a reason."""
    command = rp.Review(
        body.agree, body.reason, user.user_id, today, body.due_date or today + DUE_LEAD
    )
    return await write.run(
        lambda uow: repayments.review_repayment(uow, repayment_id, command), RepaymentOut.of
    )


@router.get(
    "/repayments/{repayment_id}/notice",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "the notice as PDF"}},
)
async def notice(repayment_id: UUID, user: Reader, today: Today, read: ReadDep) -> Response:
    """返納金納入通知書 once claimed; 409 ``repayment-not-open`` before."""
    state = await read.run(lambda uow: repayments.read_repayment(uow, repayment_id), lambda s: s)
    if state.status != "claimed":
        raise rp.RepaymentNotOpen(f"repayment_id: the case is {state.status}, not claimed")
    return Response(render_repayment_notice(state, today), media_type="application/pdf")
