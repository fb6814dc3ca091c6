"""葬祭費 (国保法58条1項) and 出産育児一時金 (国保法58条1項) of one application: an event-sourced
aggregate, stream ``lump-sum-funeral-<deceased>`` (once per deceased) or
``lump-sum-childbirth-<mother>-<birth date>`` (once per birth).

``decide_apply`` takes the application (refused when the right is prescribed: 2 years from the
day after the funeral or the birth, 国保法110条; or contradictory); ``decide_review`` is the
second pair of eyes (C-11: never the person who entered it, ``same_person``), which approves
(the amount in force on the day of death or birth, rules.md §3.8, per child; with the 直接支払
制度 the part the federation paid the facility is deducted and the difference goes to the
household) or refuses with a reason. ``evolve`` folds the events. The lifecycle (review,
payment or withholding, release, prescription) is :mod:`.application_review`'s, shared with
療養費. Pure: no I/O.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any

from kokuho.benefits.domain import application_review as review
from kokuho.benefits.domain.application_review import (
    PRESCRIPTION_YEARS,
    LumpSumAlreadyApplied,
    LumpSumInvalid,
    LumpSumNotFound,
    LumpSumNotPending,
    LumpSumPrescribed,
    PaymentOrdered,
    PaymentWithheld,
    SamePersonReview,
)

__all__ = [
    "PRESCRIPTION_YEARS",
    "LumpSumAlreadyApplied",
    "LumpSumInvalid",
    "LumpSumNotFound",
    "LumpSumNotPending",
    "LumpSumPrescribed",
    "PaymentOrdered",
    "PaymentWithheld",
    "SamePersonReview",
]

NAMESPACE = uuid.UUID("2b7c1a4e-93d5-4f61-8a2e-5c0d7e9f1a36")


class LumpSumKind(StrEnum):
    FUNERAL = "funeral"  # 葬祭費
    CHILDBIRTH = "childbirth"  # 出産育児一時金


class BirthCategory(StrEnum):
    COVERED = "covered"  # 産科医療補償制度 facility, 22 weeks or more
    NOT_COVERED = "not_covered"
    ABROAD = "abroad"  # paid the not-covered amount


@dataclass(frozen=True)
class Amounts:
    """The amounts in force from ``effective_from`` (parameters/lump-sums.toml)."""

    effective_from: date
    funeral: int
    childbirth_covered: int
    childbirth_not_covered: int


@dataclass(frozen=True)
class AmountSchedule:
    periods: tuple[Amounts, ...]

    def on(self, day: date) -> Amounts:
        in_force = [p for p in sorted(self.periods, key=lambda p: p.effective_from)]
        found = [p for p in in_force if p.effective_from <= day]
        if not found:
            raise LumpSumInvalid(f"event_date: no amounts in force on {day}")
        return found[-1]


@dataclass(frozen=True)
class Apply:
    application_id: uuid.UUID
    kind: LumpSumKind
    nhi_household_number: str
    subject_addressee_number: str  # the deceased, or the mother
    event_date: date  # the day of death, or of birth
    payee_addressee_number: str
    entered_by: str
    today: date
    funeral_date: date | None = None
    birth_category: BirthCategory | None = None
    children: int = 1
    institution_paid: int = 0  # 直接支払制度: what the federation paid the facility


@dataclass(frozen=True)
class Review:
    approve: bool
    reason: str
    reviewed_by: str
    today: date
    payment_date: date
    #: the household is under 給付の一時差止 today (rules.md §4.6): decide, do not pay
    withheld: bool = False


@dataclass(frozen=True)
class Applied:
    application: Apply


@dataclass(frozen=True)
class Decided:
    application_id: uuid.UUID
    approved: bool
    amount: int
    to_institution: int
    to_household: int
    reason: str
    reviewed_by: str
    decided_on: date


Event = Applied | Decided | PaymentOrdered | PaymentWithheld


@dataclass(frozen=True)
class LumpSum:
    application: Apply
    status: str = "pending"  # pending | approved | rejected
    amount: int = 0
    to_institution: int = 0
    to_household: int = 0
    reason: str = ""
    reviewed_by: str | None = None
    decided_on: date | None = None
    paid: int = 0
    version: int = 0


def stream_id(a: Apply) -> str:
    if a.kind is LumpSumKind.FUNERAL:
        return f"lump-sum-funeral-{a.subject_addressee_number}"
    return f"lump-sum-childbirth-{a.subject_addressee_number}-{a.event_date:%Y%m%d}"


def _lapses(a: Apply) -> date:
    start = a.funeral_date if a.kind is LumpSumKind.FUNERAL and a.funeral_date else a.event_date
    return review.lapses_on(start)


def decide_apply(state: LumpSum | None, command: Apply) -> list[Event]:
    if state is not None:
        raise LumpSumAlreadyApplied(f"subject_addressee_number: {command.kind} applied already")
    if command.event_date > command.today:
        raise LumpSumInvalid("event_date: after today")
    if command.kind is LumpSumKind.FUNERAL:
        if command.funeral_date is None or command.funeral_date < command.event_date:
            raise LumpSumInvalid("funeral_date: required, not before the day of death")
        if command.funeral_date > command.today:
            raise LumpSumInvalid("funeral_date: after today")
    elif command.birth_category is None or not 1 <= command.children <= 10:
        raise LumpSumInvalid("birth_category: required, and children 1 to 10")
    if command.institution_paid < 0:
        raise LumpSumInvalid("institution_paid: negative")
    if command.today > _lapses(command):
        raise LumpSumPrescribed(f"event_date: the right lapsed on {_lapses(command)} (国保法110条)")
    return [Applied(command)]


def amount_of(a: Apply, schedule: AmountSchedule) -> int:
    amounts = schedule.on(a.event_date)
    if a.kind is LumpSumKind.FUNERAL:
        return amounts.funeral
    covered = a.birth_category is BirthCategory.COVERED
    per_child = amounts.childbirth_covered if covered else amounts.childbirth_not_covered
    return per_child * a.children


def decide_review(state: LumpSum | None, command: Review, schedule: AmountSchedule) -> list[Event]:
    a: Apply = review.check_review(state, command.reviewed_by)
    if not command.approve:
        review.check_refusal(command.reason)
        return [
            Decided(
                a.application_id, False, 0, 0, 0, command.reason, command.reviewed_by, command.today
            )
        ]
    amount = amount_of(a, schedule)
    to_institution = min(a.institution_paid, amount)
    decided = Decided(
        a.application_id,
        True,
        amount,
        to_institution,
        amount - to_institution,
        command.reason,
        command.reviewed_by,
        command.today,
    )
    following = review.pay(
        NAMESPACE,
        a.application_id,
        decided.to_household,
        withheld=command.withheld,
        by=command.reviewed_by,
        today=command.today,
        payment_date=command.payment_date,
    )
    return [decided, *following]


def decide_release(state: LumpSum, ordered_by: str, today: date, payment_date: date) -> list[Event]:
    """The 給付の一時差止 is released: order what was approved and not paid (once)."""
    return list(
        review.release(NAMESPACE, state, state.to_household, ordered_by, today, payment_date)
    )


def _applied(state: LumpSum | None, e: Applied) -> LumpSum:
    return LumpSum(e.application, version=1)


def _decided(state: LumpSum | None, e: Decided) -> LumpSum:
    assert state is not None
    return replace(
        state,
        status="approved" if e.approved else "rejected",
        amount=e.amount,
        to_institution=e.to_institution,
        to_household=e.to_household,
        reason=e.reason,
        reviewed_by=e.reviewed_by,
        decided_on=e.decided_on,
        version=state.version + 1,
    )


EVOLVE: dict[type, Callable[[Any, Any], LumpSum]] = {
    PaymentWithheld: review.withheld,
    Applied: _applied,
    Decided: _decided,
    PaymentOrdered: review.paid,
}


def replay(events: list[Event], state: LumpSum | None = None) -> LumpSum | None:
    return review.replay(EVOLVE, events, state)
