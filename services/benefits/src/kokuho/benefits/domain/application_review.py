"""One application, its four-eyes review and its decision: the lifecycle 葬祭費 / 出産育児一時金
(:mod:`.lump_sum`) and 療養費 / 特別療養費 (:mod:`.medical_expense`) share, written once.

An application is entered by a first person; a second, different person (C-11, ``same_person``)
reviews it once: a refusal gives its reason; an approval of a positive amount orders the
payment to the payee (its id derived from the application's, so a re-run cannot pay twice) or,
while the household is under 給付の一時差止 (rules.md §4.6), withholds it until the release
orders what is unpaid. The right lapses 2 years after it arose (国保法110条). Each benefit keeps
its own application, amount rule and decision event; the errors keep their historical names
(they are the API's problem types). Pure: no I/O.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Protocol, TypeVar

from kokuho.benefits.domain.errors import BenefitsError
from kokuho.platform.staff import same_person

PRESCRIPTION_YEARS = 2  # 国保法110条


class LumpSumInvalid(BenefitsError):
    """The application contradicts itself (the detail names the field)."""


class LumpSumPrescribed(BenefitsError):
    """The right has lapsed: 2 years from the day after it arose (国保法110条)."""


class LumpSumAlreadyApplied(BenefitsError):
    status = 409


class LumpSumNotPending(BenefitsError):
    status = 409


class SamePersonReview(BenefitsError):
    """The reviewer entered the application (C-11: two different people)."""

    status = 409


class LumpSumNotFound(BenefitsError):
    status = 404


@dataclass(frozen=True)
class PaymentOrdered:
    payment_id: uuid.UUID
    application_id: uuid.UUID
    amount: int
    payment_date: date
    ordered_by: str
    ordered_on: date


@dataclass(frozen=True)
class PaymentWithheld:
    """Approved, but the household is under 給付の一時差止 (rules.md §4.6): paid on release."""

    application_id: uuid.UUID
    amount: int
    withheld_on: date


class Entered(Protocol):
    @property
    def application_id(self) -> uuid.UUID: ...

    @property
    def entered_by(self) -> str: ...


class Reviewable(Protocol):
    @property
    def application(self) -> Any: ...

    @property
    def status(self) -> str: ...

    @property
    def paid(self) -> int: ...

    @property
    def version(self) -> int: ...


S = TypeVar("S", bound=Reviewable)


def lapses_on(start: date) -> date:
    """The last day of a right that arose on the day after ``start`` (国保法110条)."""
    try:
        return start.replace(year=start.year + PRESCRIPTION_YEARS)
    except ValueError:  # 29 February
        return date(start.year + PRESCRIPTION_YEARS, 3, 1)


def check_review(state: Reviewable | None, reviewed_by: str) -> Any:
    """The application under review, if a review may decide it now (pending, another person)."""
    if state is None:
        raise LumpSumNotFound("application_id: no such application")
    a = state.application
    if state.status != "pending":
        raise LumpSumNotPending(f"application_id: {state.status} already")
    if same_person(a.entered_by, reviewed_by):
        raise SamePersonReview("reviewed_by: the application was entered by the same person")
    return a


def check_refusal(reason: str) -> None:
    if not reason.strip():
        raise LumpSumInvalid("reason: a refusal gives its reason")


def payment_id(namespace: uuid.UUID, application_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(namespace, f"{application_id}/payment")


def pay(
    namespace: uuid.UUID,
    application_id: uuid.UUID,
    amount: int,
    *,
    withheld: bool,
    by: str,
    today: date,
    payment_date: date,
) -> list[PaymentOrdered | PaymentWithheld]:
    """What follows an approval of ``amount``: nothing, the payment, or its withholding."""
    if amount == 0:
        return []
    if withheld:
        return [PaymentWithheld(application_id, amount, today)]
    return [
        PaymentOrdered(
            payment_id(namespace, application_id), application_id, amount, payment_date, by, today
        )
    ]


def release(
    namespace: uuid.UUID,
    state: Reviewable,
    approved_amount: int,
    ordered_by: str,
    today: date,
    payment_date: date,
) -> list[PaymentOrdered]:
    """The 給付の一時差止 is released: order what was approved and not paid (once)."""
    unpaid = approved_amount - state.paid
    if state.status != "approved" or unpaid <= 0:
        return []
    application_id = state.application.application_id
    return [
        PaymentOrdered(
            payment_id(namespace, application_id),
            application_id,
            unpaid,
            payment_date,
            ordered_by,
            today,
        )
    ]


def paid(state: S | None, e: PaymentOrdered) -> S:
    assert state is not None
    return replace(state, paid=state.paid + e.amount, version=state.version + 1)  # type: ignore[type-var]


def withheld(state: S | None, e: PaymentWithheld) -> S:
    assert state is not None
    return replace(state, version=state.version + 1)  # type: ignore[type-var]


def replay(
    evolve: Mapping[type, Callable[[Any, Any], S]], events: Sequence[object], state: S | None
) -> S | None:
    for event in events:
        state = evolve[type(event)](state, event)
    return state
