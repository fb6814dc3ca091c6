"""``/api/v1/ltc-self-pay-imports`` and ``/api/v1/combined-care-applications``: 高額介護合算療養費
(rules.md §3.5): the LTC insurer's file (batch), the application with its calculation (clerk),
the review by a second person (supervisor; 409 ``same-person-review``), read, and the notice."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import Field

from kokuho.benefits.adapters.combined_care_notice_pdf import render_combined_care_notice
from kokuho.benefits.api.deps import (
    Batch,
    BenefitsDep,
    Clerk,
    ReadDep,
    Reader,
    Reviewer,
    Today,
    WriteDep,
)
from kokuho.benefits.app import combined_care
from kokuho.benefits.app.ports import PayeeAccount
from kokuho.benefits.domain import combined_care as cc
from kokuho.benefits.domain.ltc_file import LtcFileRefused
from kokuho.platform.models import RequestModel, ResponseModel
from kokuho.platform.names import PersonNameKana
from kokuho.platform.problems import FieldError, Problem

router = APIRouter(prefix="/api/v1", tags=["combined care"])
PAYMENT_LEAD = timedelta(days=14)
NUMBER10 = r"^[0-9]{10}$"


class LtcFileIn(RequestModel):
    file_name: str = Field(min_length=1, max_length=200)
    content: str = Field(min_length=1, max_length=50_000_000)


class LtcReceiptOut(ResponseModel):
    import_id: UUID
    base_date: date
    rows: int
    households: int


class CombinedCareIn(RequestModel):
    nhi_household_number: str = Field(pattern=NUMBER10)
    year: int = Field(ge=2019, le=2099, description="the base date is July 31 of this year")
    payee_addressee_number: str = Field(pattern=NUMBER10)
    bank_code: str = Field(pattern=r"^[0-9]{4}$")
    branch_code: str = Field(pattern=r"^[0-9]{3}$")
    account_type: Literal["ordinary", "current"]
    account_number: str = Field(pattern=r"^[0-9]{7}$")
    holder_kana: PersonNameKana


class CombinedCareReviewIn(RequestModel):
    approve: bool
    reason: str = Field(default="", max_length=500)
    payment_date: date | None = None


class MemberOut(ResponseModel):
    addressee_number: str
    age_band: str
    medical_self_pay: int
    ltc_self_pay: int


class CombinedCareOut(ResponseModel):
    application_id: UUID
    nhi_household_number: str
    base_date: date
    status: str
    under_70_category: str | None
    elderly_category: str | None
    members: list[MemberOut]
    excess: int
    medical_share: int
    ltc_share: int
    steps: list[str]
    amount: int
    paid: int
    reason: str
    entered_by: str
    reviewed_by: str | None
    decided_on: date | None

    @classmethod
    def of(cls, s: cc.CombinedCare) -> CombinedCareOut:
        a, c = s.application, s.application.calculation
        return cls(
            application_id=a.application_id,
            nhi_household_number=a.nhi_household_number,
            base_date=cc.period_of(a.year)[1],
            status=s.status,
            under_70_category=a.under_70_category.value if a.under_70_category else None,
            elderly_category=a.elderly_category.value if a.elderly_category else None,
            members=[
                MemberOut(
                    addressee_number=m.person,
                    age_band=m.age_band.value,
                    medical_self_pay=m.medical,
                    ltc_self_pay=m.ltc,
                )
                for m in a.members
            ],
            excess=c.excess,
            medical_share=c.medical_share,
            ltc_share=c.ltc_share,
            steps=list(c.steps),
            amount=s.amount,
            paid=s.paid,
            reason=s.reason,
            entered_by=a.entered_by,
            reviewed_by=s.reviewed_by,
            decided_on=s.decided_on,
        )


@router.post("/ltc-self-pay-imports", status_code=201)
async def import_ltc(body: LtcFileIn, user: Batch, write: WriteDep) -> LtcReceiptOut:
    """The LTC insurer's ``KKH-KGS`` file: all or nothing (422 ``ltc-file-refused`` naming each
    line), taken once (409 for the same content)."""
    try:
        return await write.run(
            lambda uow: combined_care.import_ltc_file(
                uow, body.file_name, body.content, user.user_id
            ),
            lambda r: LtcReceiptOut(
                import_id=r.import_id, base_date=r.base_date, rows=r.rows, households=r.households
            ),
            status_code=201,
        )
    except LtcFileRefused as refused:
        raise Problem(
            422,
            "ltc-file-refused",
            detail=str(refused),
            errors=[
                FieldError(pointer=f"/body/content/line/{e.line}", reason=e.reason)
                for e in refused.errors[:1000]
            ],
        ) from None


@router.post("/combined-care-applications", status_code=201)
async def apply(
    body: CombinedCareIn, user: Clerk, today: Today, ports: BenefitsDep, write: WriteDep
) -> CombinedCareOut:
    """The application, calculated on the claims, the 高額療養費 decided and the LTC file."""
    account = PayeeAccount(
        body.nhi_household_number,
        body.payee_addressee_number,
        body.bank_code,
        body.branch_code,
        body.account_type,
        body.account_number,
        body.holder_kana,
        today,
        user.user_id,
    )
    return await write.run(
        lambda uow: combined_care.apply_combined_care(
            uow, ports, body.nhi_household_number, body.year, account, user.user_id, today
        ),
        CombinedCareOut.of,
        status_code=201,
    )


@router.post("/combined-care-applications/{application_id}/review")
async def review(
    application_id: UUID,
    body: CombinedCareReviewIn,
    user: Reviewer,
    today: Today,
    write: WriteDep,
) -> CombinedCareOut:
    command = cc.Review(
        body.approve, body.reason, user.user_id, today, body.payment_date or today + PAYMENT_LEAD
    )
    return await write.run(
        lambda uow: combined_care.review_combined_care(uow, application_id, command),
        CombinedCareOut.of,
    )


@router.get("/combined-care-applications/{application_id}")
async def read(application_id: UUID, user: Reader, read: ReadDep) -> CombinedCareOut:
    return await read.run(
        lambda uow: combined_care.read_combined_care(uow, application_id), CombinedCareOut.of
    )


@router.get(
    "/combined-care-applications/{application_id}/notice",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "the notice as PDF"}},
)
async def notice(application_id: UUID, user: Reader, today: Today, read: ReadDep) -> Response:
    state = await read.run(
        lambda uow: combined_care.read_combined_care(uow, application_id), lambda s: s
    )
    if state.status == "pending":
        raise cc.CombinedCareNotPending("application_id: not reviewed yet")
    return Response(render_combined_care_notice(state, today), media_type="application/pdf")
