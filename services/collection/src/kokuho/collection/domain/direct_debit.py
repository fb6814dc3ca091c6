"""口座振替: account registrations from the request form (口座振替依頼書) under four eyes, and
what a debit result means for the ledger.

- A registration is keyed in by one clerk and takes effect only when a second person confirms
  it against the form (C-11: every data entry from a form is checked by another user); the
  account it replaces is kept, marked replaced (C-24: the prior value stays).
- The holder's name (口座名義) is carried in the Zengin layout's half-width kana; the caller
  normalises it (``jaconv``) and this module refuses what still does not fit.
- A debit result other than 0 (振替済) leaves the instalment owed: ``DirectDebitFailed`` is
  recorded and an ordinary payment slip (納付書) goes out for it.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date

from kokuho.collection.domain.errors import (
    ChangeNotFound,
    ChangeNotPending,
    CollectionError,
    SameStaffConfirming,
)
from kokuho.collection.domain.events import DirectDebitFailed
from kokuho.collection.domain.zengin import RESULTS
from kokuho.platform.staff import same_person

HOLDER = re.compile(r"^[ 0-9A-Z\uff66-\uff9f().\-/]{1,30}$")


class AccountInvalid(CollectionError):
    """A bank, branch or holder name the Zengin layout or the code list refuses."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class DebitAccount:
    registration_id: str
    household: str
    bank_code: str
    branch_code: str
    account_type: str  # ordinary | current | tax_reserve
    account_number: str  # 7 digits: never on a topic, never in a log
    holder_kana: str  # half-width kana, as the bank format carries it
    bank_name: str
    branch_name: str
    status: str  # pending | active | rejected | replaced
    entered_by: str
    entered_on: date
    confirmed_by: str | None = None
    confirmed_on: date | None = None


def check_holder(kana: str) -> str:
    if not HOLDER.match(kana) or len(kana.encode("cp932")) > 30:
        raise AccountInvalid(
            "the holder's name is not 1-30 half-width kana, upper-case letters or digits",
            "holder",
        )
    return kana


def confirm(account: DebitAccount | None, confirmer: str, on: date) -> DebitAccount:
    if account is None:
        raise ChangeNotFound("no such direct-debit registration")
    if account.status != "pending":
        raise ChangeNotPending(f"the registration is {account.status}")
    if same_person(account.entered_by, confirmer):
        raise SameStaffConfirming("the person who entered the form cannot confirm it (C-11)")
    return dataclasses.replace(account, status="active", confirmed_by=confirmer, confirmed_on=on)


def reject(account: DebitAccount | None, by: str, on: date) -> DebitAccount:
    if account is None:
        raise ChangeNotFound("no such direct-debit registration")
    if account.status != "pending":
        raise ChangeNotPending(f"the registration is {account.status}")
    return dataclasses.replace(account, status="rejected", confirmed_by=by, confirmed_on=on)


def failed(
    fiscal_year: int, period: int, amount: int, code: str, debit_date: date, on: date
) -> DirectDebitFailed:
    if code == "0" or code not in RESULTS:
        raise ValueError(f"{code} is not a failure code")
    return DirectDebitFailed(fiscal_year, period, amount, code, RESULTS[code], debit_date, on)


def debit_date(mmdd: str, requested: list[date], today: date) -> date:
    """The year of a result file's MMDD: the request file of that day, else the last such day
    not after today (a result arrives days after the debit)."""
    month, day = int(mmdd[:2]), int(mmdd[2:])
    for d in sorted(requested, reverse=True):
        if (d.month, d.day) == (month, day) and d <= today:
            return d
    for year in (today.year, today.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    raise AccountInvalid(f"{mmdd} is not a past day")
