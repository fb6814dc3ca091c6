"""``/api/v1/medical-expense-applications``: 療養費 (補装具, 柔道整復, はり・きゅう, 海外療養費)
applied for (clerk), reviewed by a second person (supervisor; never the one who entered it: 409
``same-person-review``), read, and the notice as PDF."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from kokuho.benefits.adapters.medical_expense_notice_pdf import render_medical_expense_notice
from kokuho.benefits.api.deps import BenefitsDep, Clerk, ReadDep, Reader, Reviewer, Today, WriteDep
from kokuho.benefits.api.medical_expense_schemas import (
    MedicalExpenseApplicationIn,
    MedicalExpenseOut,
    MedicalExpenseReviewIn,
)
from kokuho.benefits.app import medical_expenses
from kokuho.benefits.domain import medical_expense as me
from kokuho.benefits.domain.application_review import LumpSumNotPending

router = APIRouter(prefix="/api/v1", tags=["medical expense benefits"])


@router.post("/medical-expense-applications", status_code=201)
async def apply(
    body: MedicalExpenseApplicationIn, user: Clerk, today: Today, write: WriteDep
) -> MedicalExpenseOut:
    """Enter an application (pending review); 422 naming the field, ``lump-sum-prescribed``
    (2 years from the day after payment, 国保法110条)."""
    command, account = body.command(user, today)
    return await write.run(
        lambda uow: medical_expenses.apply_medical_expense(uow, command, account),
        MedicalExpenseOut.of,
        status_code=201,
    )


@router.post("/medical-expense-applications/{application_id}/review")
async def review(
    application_id: UUID,
    body: MedicalExpenseReviewIn,
    user: Reviewer,
    today: Today,
    ports: BenefitsDep,
    write: WriteDep,
) -> MedicalExpenseOut:
    """Approve (the insurer's share at the member's rate, the payment ordered) or refuse."""
    command = me.Review(
        body.approve,
        body.reason,
        user.user_id,
        today,
        body.payment_day(today),
        rate_percent=0,  # the use case sets the member's rate
        rate_basis="",
    )
    return await write.run(
        lambda uow: medical_expenses.review_medical_expense(uow, ports, application_id, command),
        lambda reviewed: MedicalExpenseOut.of(reviewed.state),
    )


@router.get("/medical-expense-applications/{application_id}")
async def read(application_id: UUID, user: Reader, read: ReadDep) -> MedicalExpenseOut:
    return await read.run(
        lambda uow: medical_expenses.read_medical_expense(uow, application_id),
        MedicalExpenseOut.of,
    )


@router.get(
    "/medical-expense-applications/{application_id}/notice",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "the notice as PDF"}},
)
async def notice(application_id: UUID, user: Reader, today: Today, read: ReadDep) -> Response:
    """支給決定通知書 or 不支給決定通知書 once reviewed; 409 ``lump-sum-not-pending`` before."""
    state = await read.run(
        lambda uow: medical_expenses.read_medical_expense(uow, application_id), lambda s: s
    )
    if state.status == "pending":
        raise LumpSumNotPending("application_id: not reviewed yet")
    return Response(render_medical_expense_notice(state, today), media_type="application/pdf")
