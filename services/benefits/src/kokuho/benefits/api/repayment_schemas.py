"""Bodies of ``/api/v1/repayments`` (不当利得 / 返納金)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field

from kokuho.benefits.domain import repayment as rp
from kokuho.platform.models import RequestModel, ResponseModel

NUMBER10 = r"^[0-9]{10}$"


class RepaymentDetectionIn(RequestModel):
    """Look again for claims after a loss (claims that came after the loss was recorded)."""

    nhi_household_number: str = Field(pattern=NUMBER10)
    addressee_number: str = Field(pattern=NUMBER10)
    loss_date: date


class RepaymentProposalIn(RequestModel):
    claim: bool = Field(description="claim the amount (true) or withdraw the case (false)")
    amount: int | None = Field(
        default=None, gt=0, le=1_000_000_000, description="less than detected: with a reason"
    )
    reason: str = Field(default="", max_length=500)


class RepaymentReviewIn(RequestModel):
    agree: bool = Field(description="agree with the proposal (claim or withdraw) or return it")
    reason: str = Field(default="", max_length=500)
    due_date: date | None = Field(default=None, description="納期限; default 30 days on")


class TargetClaimOut(ResponseModel):
    claim_number: str
    treatment_month: date
    medical_cost: int
    self_pay: int
    insurer_share: int


class RepaymentOut(ResponseModel):
    repayment_id: UUID
    nhi_household_number: str
    addressee_number: str
    loss_date: date
    status: str
    detected_amount: int
    amount: int
    claims: list[TargetClaimOut]
    review_month: date | None
    reason: str
    proposed_by: str | None
    reviewed_by: str | None
    decided_on: date | None
    due_date: date | None

    @classmethod
    def of(cls, s: rp.Repayment) -> RepaymentOut:
        return cls(
            repayment_id=s.repayment_id,
            nhi_household_number=s.nhi_household_number,
            addressee_number=s.addressee_number,
            loss_date=s.loss_date,
            status=s.status,
            detected_amount=s.detected_amount,
            amount=s.amount,
            claims=[
                TargetClaimOut(
                    claim_number=c.claim_number,
                    treatment_month=c.treatment_month,
                    medical_cost=c.medical_cost,
                    self_pay=c.self_pay,
                    insurer_share=c.insurer_share,
                )
                for c in s.claims
            ],
            review_month=s.review_month,
            reason=s.reason,
            proposed_by=s.proposed_by,
            reviewed_by=s.reviewed_by,
            decided_on=s.decided_on,
            due_date=s.due_date,
        )


class RepaymentDetectionOut(ResponseModel):
    found: bool
    repayment: RepaymentOut | None


class OpenRepaymentsOut(ResponseModel):
    repayments: list[RepaymentOut]
