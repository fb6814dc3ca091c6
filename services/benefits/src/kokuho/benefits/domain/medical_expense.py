"""療養費 (国保法54条, 54条の4: 補装具, 柔道整復, はり・きゅう, 海外療養費) of one application: an
event-sourced aggregate, stream ``medical-expense-<application id>``, on the lifecycle of
:mod:`.application_review` that :mod:`.lump_sum` shares.

``decide_apply`` takes the application (refused when the right is prescribed: 2 years from the
day after the member paid, 国保法110条; or contradictory); ``decide_review`` is the second pair
of eyes (C-11: never the person who entered it, ``same_person``), which approves the insurer's
share (the allowed cost, the lower of what was paid and what the same care costs under
insurance, rules.md §3.8 [B49], less the member's 一部負担割合) or refuses with a reason.
Pure: no I/O.
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
    LumpSumInvalid,
    LumpSumPrescribed,
    PaymentOrdered,
    PaymentWithheld,
)
from kokuho.benefits.domain.special_care import special_care_amount

__all__ = ["PRESCRIPTION_YEARS", "PaymentOrdered", "PaymentWithheld"]

NAMESPACE = uuid.UUID("8e0c3d27-5a1b-4c6f-b9d4-2f7a1e6c0d58")


class MedicalExpenseKind(StrEnum):
    ORTHOSIS = "orthosis"  # 補装具 (治療用装具)
    JUDO_THERAPY = "judo_therapy"  # 柔道整復
    ACUPUNCTURE = "acupuncture"  # はり・きゅう・あん摩マッサージ
    OVERSEAS = "overseas"  # 海外療養費
    SPECIAL_CARE = "special_care"  # 特別療養費 (国保法54条の3, rules.md §4.6; .special_care)


class AgeBand(StrEnum):
    UNDER_70 = "under_70"
    AGED_70_74 = "70_74"


@dataclass(frozen=True)
class Rates:
    """The defaults (parameters/medical-expenses.toml) when benefits decided no rate."""

    default_under_70: int
    default_70_74: int
    round_down_to: int = 1
    #: 特別療養費: the 一部負担金 rounded half up to this many yen (configuration)
    special_care_copay_round_to: int = 10


@dataclass(frozen=True)
class Apply:
    application_id: uuid.UUID
    kind: MedicalExpenseKind
    nhi_household_number: str
    patient_addressee_number: str
    age_band: AgeBand
    care_from: date  # the first day of the care
    paid_on: date  # the day the member paid (the right runs from the next day)
    paid_amount: int  # what the member paid (10割; abroad converted to yen)
    standard_cost: int  # what the same care costs under insurance (基準額)
    payee_addressee_number: str
    entered_by: str
    today: date


@dataclass(frozen=True)
class Review:
    approve: bool
    reason: str
    reviewed_by: str
    today: date
    payment_date: date
    #: the member's 一部負担割合 in percent (the household's decided rate, or the default)
    rate_percent: int
    rate_basis: str
    withheld: bool = False  # 給付の一時差止 (rules.md §4.6)


@dataclass(frozen=True)
class Applied:
    application: Apply


@dataclass(frozen=True)
class Decided:
    application_id: uuid.UUID
    approved: bool
    allowed_cost: int
    rate_percent: int
    rate_basis: str
    amount: int
    reason: str
    reviewed_by: str
    decided_on: date


Event = Applied | Decided | PaymentOrdered | PaymentWithheld


@dataclass(frozen=True)
class MedicalExpense:
    application: Apply
    status: str = "pending"  # pending | approved | rejected
    allowed_cost: int = 0
    rate_percent: int = 0
    rate_basis: str = ""
    amount: int = 0
    reason: str = ""
    reviewed_by: str | None = None
    decided_on: date | None = None
    paid: int = 0
    version: int = 0


def stream_id(a: Apply) -> str:
    return f"medical-expense-{a.application_id}"


def lapses_on(a: Apply) -> date:
    """The last day of the right: 2 years from the day after payment (国保法110条)."""
    return review.lapses_on(a.paid_on)


def decide_apply(state: MedicalExpense | None, command: Apply) -> list[Event]:
    if state is not None:
        raise LumpSumInvalid("application_id: applied already")
    if command.paid_on > command.today:
        raise LumpSumInvalid("paid_on: after today")
    if command.care_from > command.paid_on:
        raise LumpSumInvalid("care_from: after the day paid")
    if command.paid_amount <= 0 or command.standard_cost <= 0:
        raise LumpSumInvalid("paid_amount: the amounts paid and allowed are positive")
    if command.today > lapses_on(command):
        raise LumpSumPrescribed(f"paid_on: the right lapsed on {lapses_on(command)} (国保法110条)")
    return [Applied(command)]


def insurer_share(allowed_cost: int, rate_percent: int, round_down_to: int = 1) -> int:
    """The allowed cost less the member's share, rounded down (configuration)."""
    share = allowed_cost * (100 - rate_percent) // 100
    return share - share % round_down_to


def decide_review(state: MedicalExpense | None, command: Review, rates: Rates) -> list[Event]:
    a: Apply = review.check_review(state, command.reviewed_by)
    allowed = min(a.paid_amount, a.standard_cost)
    if not command.approve:
        review.check_refusal(command.reason)
        return [
            Decided(
                a.application_id,
                False,
                allowed,
                command.rate_percent,
                command.rate_basis,
                0,
                command.reason,
                command.reviewed_by,
                command.today,
            )
        ]
    if a.kind is MedicalExpenseKind.SPECIAL_CARE:
        # the 10割 paid less the 一部負担金 (rounded like at the counter)
        amount = special_care_amount(
            allowed, command.rate_percent, rates.special_care_copay_round_to
        )
    else:
        amount = insurer_share(allowed, command.rate_percent, rates.round_down_to)
    decided = Decided(
        a.application_id,
        True,
        allowed,
        command.rate_percent,
        command.rate_basis,
        amount,
        command.reason,
        command.reviewed_by,
        command.today,
    )
    following = review.pay(
        NAMESPACE,
        a.application_id,
        amount,
        withheld=command.withheld,
        by=command.reviewed_by,
        today=command.today,
        payment_date=command.payment_date,
    )
    return [decided, *following]


def decide_release(
    state: MedicalExpense, ordered_by: str, today: date, payment_date: date
) -> list[Event]:
    """The 給付の一時差止 is released: order what was approved and not paid (once)."""
    return list(review.release(NAMESPACE, state, state.amount, ordered_by, today, payment_date))


def _applied(state: MedicalExpense | None, e: Applied) -> MedicalExpense:
    return MedicalExpense(e.application, version=1)


def _decided(state: MedicalExpense | None, e: Decided) -> MedicalExpense:
    assert state is not None
    return replace(
        state,
        status="approved" if e.approved else "rejected",
        allowed_cost=e.allowed_cost,
        rate_percent=e.rate_percent,
        rate_basis=e.rate_basis,
        amount=e.amount,
        reason=e.reason,
        reviewed_by=e.reviewed_by,
        decided_on=e.decided_on,
        version=state.version + 1,
    )


EVOLVE: dict[type, Callable[[Any, Any], MedicalExpense]] = {
    Applied: _applied,
    Decided: _decided,
    PaymentOrdered: review.paid,
    PaymentWithheld: review.withheld,
}


def replay(events: list[Event], state: MedicalExpense | None = None) -> MedicalExpense | None:
    return review.replay(EVOLVE, events, state)
