"""What the bodies of an application reviewed by four eyes share (``/lump-sum-applications``
and ``/medical-expense-applications``): the review and its payment day, the payee account
built from the application's account fields."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal, Protocol

from pydantic import Field

from kokuho.benefits.app.ports import PayeeAccount
from kokuho.platform.auth import StaffUser
from kokuho.platform.models import RequestModel

NUMBER10 = r"^[0-9]{10}$"
#: the payment day when the reviewer names none
PAYMENT_LEAD = timedelta(days=14)


class ApplicationReviewIn(RequestModel):
    approve: bool
    reason: str = Field("", max_length=400, description="required when refusing")
    payment_date: date | None = Field(None, description="default: 14 days from today")

    def payment_day(self, today: date) -> date:
        return self.payment_date or today + PAYMENT_LEAD


class WithAccount(Protocol):
    """An application body's payee and account fields."""

    nhi_household_number: str
    payee_addressee_number: str
    bank_code: str
    branch_code: str
    account_type: Literal["ordinary", "current"]
    account_number: str
    holder_kana: str


def payee_account(body: WithAccount, user: StaffUser, today: date) -> PayeeAccount:
    """The payee's account as entered (kept in benefits' database only)."""
    return PayeeAccount(
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
