"""``/api/v1/withheld-payments``: the payments decided and withheld under delinquency's 給付の
一時差止 (rules.md §4.6), for staff; each is ordered once when delinquency releases the
household."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from fastapi import APIRouter

from kokuho.benefits.api.deps import ReadDep, Reader
from kokuho.benefits.app import withholding
from kokuho.benefits.domain.withholding import BASIS, WithheldPayment
from kokuho.platform.models import ResponseModel

router = APIRouter(prefix="/api/v1", tags=["withheld payments"])


class WithheldPaymentOut(ResponseModel):
    benefit_kind: str
    nhi_household_number: str
    decision_id: UUID
    treatment_month: str | None
    amount: int
    withheld_on: date
    basis: str

    @classmethod
    def of(cls, p: WithheldPayment) -> WithheldPaymentOut:
        return cls(
            benefit_kind=p.benefit_kind,
            nhi_household_number=p.nhi_household_number,
            decision_id=p.decision_id,
            treatment_month=f"{p.treatment_month:%Y-%m}" if p.treatment_month else None,
            amount=p.amount,
            withheld_on=p.withheld_on,
            basis=BASIS,
        )


class WithheldPaymentsOut(ResponseModel):
    payments: list[WithheldPaymentOut]


@router.get("/withheld-payments")
async def withheld_payments(user: Reader, read: ReadDep) -> WithheldPaymentsOut:
    """Every payment withheld and not yet ordered, by household."""
    return await read.run(
        withholding.list_withheld,
        lambda found: WithheldPaymentsOut(payments=[WithheldPaymentOut.of(p) for p in found]),
    )
