"""Bodies of ``/api/v1/lump-sum-applications`` (葬祭費, 出産育児一時金)."""

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
from kokuho.benefits.domain import lump_sum as ls
from kokuho.platform.auth import StaffUser
from kokuho.platform.models import RequestModel, ResponseModel
from kokuho.platform.names import PersonNameKana


class LumpSumApplicationIn(RequestModel):
    kind: ls.LumpSumKind = Field(description="funeral (葬祭費) or childbirth (出産育児一時金)")
    nhi_household_number: str = Field(pattern=NUMBER10, description="国保世帯番号")
    subject_addressee_number: str = Field(pattern=NUMBER10, description="the deceased / mother")
    event_date: date = Field(description="死亡年月日, or the day of birth")
    funeral_date: date | None = Field(None, description="葬祭日 (funeral)")
    birth_category: ls.BirthCategory | None = Field(None, description="childbirth")
    children: int = Field(1, ge=1, le=10, description="children born (childbirth)")
    institution_paid: int = Field(
        0, ge=0, le=10_000_000, description="直接支払制度: paid to the facility by the federation"
    )
    payee_addressee_number: str = Field(pattern=NUMBER10, description="the payee (喪主 / 世帯主)")
    bank_code: str = Field(pattern=r"^[0-9]{4}$")
    branch_code: str = Field(pattern=r"^[0-9]{3}$")
    account_type: Literal["ordinary", "current"]
    account_number: str = Field(pattern=r"^[0-9]{7}$")
    holder_kana: PersonNameKana

    def command(self, user: StaffUser, today: date) -> tuple[ls.Apply, PayeeAccount]:
        apply = ls.Apply(
            uuid4(),
            self.kind,
            self.nhi_household_number,
            self.subject_addressee_number,
            self.event_date,
            self.payee_addressee_number,
            user.user_id,
            today,
            self.funeral_date,
            self.birth_category,
            self.children,
            self.institution_paid,
        )
        return apply, payee_account(self, user, today)


class LumpSumReviewIn(ApplicationReviewIn):
    # the shared review body under this name (the OpenAPI document names it so)
    pass


class LumpSumOut(ResponseModel):
    application_id: UUID
    kind: str
    nhi_household_number: str
    subject_addressee_number: str
    event_date: date
    status: str
    amount: int
    to_institution: int
    to_household: int
    paid: int
    payment_withheld: bool = Field(
        description="approved and not paid: 給付の一時差止 (rules.md §4.6), ordered on release"
    )
    reason: str
    entered_by: str
    reviewed_by: str | None
    decided_on: date | None

    @classmethod
    def of(cls, s: ls.LumpSum) -> LumpSumOut:
        a = s.application
        return cls(
            application_id=a.application_id,
            kind=a.kind.value,
            nhi_household_number=a.nhi_household_number,
            subject_addressee_number=a.subject_addressee_number,
            event_date=a.event_date,
            status=s.status,
            amount=s.amount,
            to_institution=s.to_institution,
            to_household=s.to_household,
            paid=s.paid,
            payment_withheld=s.status == "approved" and s.to_household > s.paid,
            reason=s.reason,
            entered_by=a.entered_by,
            reviewed_by=s.reviewed_by,
            decided_on=s.decided_on,
        )
