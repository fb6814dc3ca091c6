"""``/api/v1/high-cost-applications`` (申請 with the payee account), the decisions of a
household and month with their notice PDF, and ``/api/v1/monthly-runs`` (ask for a month's
run, read its progress)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Response

from kokuho.benefits.adapters.notice_pdf import render_notice
from kokuho.benefits.api.deps import Batch, BenefitsDep, Clerk, ReadDep, Reader, Today, WriteDep
from kokuho.benefits.api.high_cost_schemas import (
    MONTH,
    HighCostApplicationIn,
    HighCostApplicationOut,
    HighCostDecisionOut,
    MonthlyRunIn,
    MonthlyRunOut,
    PaymentOut,
)
from kokuho.benefits.app import high_cost
from kokuho.benefits.domain.claims import month_of

router = APIRouter(prefix="/api/v1", tags=["high-cost benefit"])

HouseholdNumber = Annotated[str, Path(pattern=r"^[0-9]{10}$", description="国保世帯番号")]
Month = Annotated[str, Path(pattern=MONTH, description="診療月 YYYY-MM")]
PAYMENT_LEAD = timedelta(days=14)


@router.post("/high-cost-applications", status_code=201)
async def apply(
    body: HighCostApplicationIn, user: Clerk, today: Today, write: WriteDep
) -> HighCostApplicationOut:
    """The household's application: its payee account is kept (for this and later months)
    and every decision decided and not paid is ordered to it."""
    command = high_cost.Apply(body.payee(user, today), today, today + PAYMENT_LEAD)
    return await write.run(
        lambda uow: high_cost.apply_for_high_cost(uow, command),
        lambda applied: HighCostApplicationOut(
            nhi_household_number=applied.payee.nhi_household_number,
            payee_addressee_number=applied.payee.payee_addressee_number,
            payments=[PaymentOut.of(p) for p in applied.payments],
        ),
        status_code=201,
    )


@router.get("/households/{nhi_household_number}/high-cost-decisions/{treatment_month}")
async def read_decision(
    nhi_household_number: HouseholdNumber, treatment_month: Month, user: Reader, read: ReadDep
) -> HighCostDecisionOut:
    month = month_of(treatment_month)
    assert month is not None
    return await read.run(
        lambda uow: high_cost.read_decision(uow, nhi_household_number, month),
        HighCostDecisionOut.of,
    )


@router.get(
    "/households/{nhi_household_number}/high-cost-decisions/{treatment_month}/notice",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "the notice as PDF"}},
)
async def read_notice(
    nhi_household_number: HouseholdNumber,
    treatment_month: Month,
    user: Reader,
    today: Today,
    read: ReadDep,
) -> Response:
    """支給決定通知書 (paid) or 支給申請のお知らせ (申請勧奨, awaiting the application)."""
    month = month_of(treatment_month)
    assert month is not None
    decision, payments = await read.run(
        lambda uow: high_cost.read_decision(uow, nhi_household_number, month), lambda v: v
    )
    return Response(render_notice(decision, payments, today), media_type="application/pdf")


@router.post("/monthly-runs", status_code=202)
async def request_monthly_run(
    body: MonthlyRunIn, user: Batch, today: Today, ports: BenefitsDep, write: WriteDep
) -> MonthlyRunOut:
    """Ask for the run of a treatment month; the service's job runs it (resumable). 202 with
    its status; the month's open run when one is requested or running already. A month no
    limit table covers is refused now (422), not left to fail in the job."""
    month = month_of(body.treatment_month)
    assert month is not None
    ports.limits.for_month(month)
    payment_date = body.payment_date or today + PAYMENT_LEAD
    return await write.run(
        lambda uow: high_cost.request_monthly_run(uow, month, payment_date, user.user_id),
        MonthlyRunOut.of,
        status_code=202,
    )


@router.get("/monthly-runs/{treatment_month}")
async def read_monthly_run(treatment_month: Month, user: Reader, read: ReadDep) -> MonthlyRunOut:
    """The month's latest run: status (requested, running, finished), counts, held."""
    month = month_of(treatment_month)
    assert month is not None
    return await read.run(lambda uow: high_cost.read_monthly_run(uow, month), MonthlyRunOut.of)
