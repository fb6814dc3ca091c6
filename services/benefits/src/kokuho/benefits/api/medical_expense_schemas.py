"""Bodies of ``/api/v1/medical-expense-applications`` (療養費)."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID, uuid4

from pydantic import Field

from kokuho.benefits.api.application_schemas import (
    NUMBER10,
    ApplicationReviewIn,
    payee_account,
)
from kokuho.benefits.app.ports import PayeeAccount
from kokuho.benefits.domain import medical_expense as me
from kokuho.platform.auth import StaffUser
from kokuho.platform.models import RequestModel, ResponseModel
from kokuho.platform.names import PersonNameKana

YEN = 100_000_000


class MedicalExpenseApplicationIn(RequestModel):
    kind: me.MedicalExpenseKind = Field(
        description="orthosis 補装具, judo_therapy 柔道整復, acupuncture はり・きゅう, overseas,"
        " special_care 特別療養費 (a household under rules.md §4.6 on care_from)"
    )
    nhi_household_number: str = Field(pattern=NUMBER10, description="国保世帯番号")
    patient_addressee_number: str = Field(pattern=NUMBER10, description="the member treated")
    age_band: me.AgeBand = Field(description="under_70 or 70_74 on the day of the care")
    care_from: date = Field(description="the first day of the care")
    paid_on: date = Field(description="the day the member paid (the right runs 2 years after)")
    paid_amount: int = Field(gt=0, le=YEN, description="what the member paid (abroad: in yen)")
    standard_cost: int = Field(
        gt=0, le=YEN, description="what the same care costs under insurance (基準額)"
    )
    payee_addressee_number: str = Field(pattern=NUMBER10, description="the payee")
    bank_code: str = Field(pattern=r"^[0-9]{4}$")
    branch_code: str = Field(pattern=r"^[0-9]{3}$")
    account_type: Literal["ordinary", "current"]
    account_number: str = Field(pattern=r"^[0-9]{7}$")
    holder_kana: PersonNameKana

    def command(self, user: StaffUser, today: date) -> tuple[me.Apply, PayeeAccount]:
        apply = me.Apply(
            uuid4(),
            self.kind,
            self.nhi_household_number,
            self.patient_addressee_number,
            self.age_band,
            self.care_from,
            self.paid_on,
            self.paid_amount,
            self.standard_cost,
            self.payee_addressee_number,
            user.user_id,
            today,
        )
        return apply, payee_account(self, user, today)


class MedicalExpenseReviewIn(ApplicationReviewIn):
    # the shared review body under this name (the OpenAPI document names it so)
    pass


class MedicalExpenseOut(ResponseModel):
    application_id: UUID
    kind: str
    nhi_household_number: str
    patient_addressee_number: str
    status: str
    paid_amount: int
    standard_cost: int
    allowed_cost: int
    copayment_rate_percent: int
    rate_basis: str
    amount: int
    paid: int
    payment_withheld: bool
    reason: str
    entered_by: str
    reviewed_by: str | None
    decided_on: date | None

    @classmethod
    def of(cls, s: me.MedicalExpense) -> MedicalExpenseOut:
        a = s.application
        return cls(
            application_id=a.application_id,
            kind=a.kind.value,
            nhi_household_number=a.nhi_household_number,
            patient_addressee_number=a.patient_addressee_number,
            status=s.status,
            paid_amount=a.paid_amount,
            standard_cost=a.standard_cost,
            allowed_cost=s.allowed_cost,
            copayment_rate_percent=s.rate_percent,
            rate_basis=s.rate_basis,
            amount=s.amount,
            paid=s.paid,
            payment_withheld=s.status == "approved" and s.amount > s.paid,
            reason=s.reason,
            entered_by=a.entered_by,
            reviewed_by=s.reviewed_by,
            decided_on=s.decided_on,
        )
