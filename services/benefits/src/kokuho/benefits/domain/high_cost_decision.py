"""The 高額療養費 decision of one household and treatment month: an event-sourced aggregate,
stream ``high-cost-<household>-<YYYY-MM>``.

``decide`` takes the month's calculation (:func:`.high_cost.calculation.calculate`, used as
is) and records a decision only when its inputs changed (a re-run of the month changes
nothing; a 再審査・過誤 adjustment gives a new revision). With the household's application
(payee) on file the benefit not yet paid is ordered to its account; without one a 申請勧奨
(application prompt) is recorded once, and the payment follows the application
(:class:`PayOnApplication`). A revision lower than what was paid orders nothing: the
difference is a 返納金 (unjust enrichment, not built) and is reported as held.
``evolve`` folds the events through a dispatch table. Pure: no I/O.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date

from kokuho.benefits.domain.high_cost.calculation import HighCostResult
from kokuho.benefits.domain.high_cost.limits import ElderlyCategory, Under70Category

#: decision and payment ids are derived from the stream (deterministic, no clock, no random)
NAMESPACE = uuid.UUID("6f1d9a52-4c59-4f0e-9d1e-1b2a6c0f4b11")


def stream_id(nhi_household_number: str, treatment_month: date) -> str:
    return f"high-cost-{nhi_household_number}-{treatment_month:%Y-%m}"


@dataclass(frozen=True)
class Outcome:
    """What a decision keeps of the calculation: amounts, the per-person shares and the
    limits applied (the full explanation is the calculator's, recomputable from the claims)."""

    treatment_month: date
    benefit: int
    self_pay_total: int
    household_borne: int
    many_times: bool
    counts_for_many_times: bool
    persons: tuple[tuple[str, int, int], ...]  # (addressee number, self-pay, benefit)
    limits: tuple[tuple[str, str, int], ...]  # (name, formula, amount)

    @classmethod
    def of(cls, result: HighCostResult) -> Outcome:
        return cls(
            result.treatment_month,
            result.benefit,
            result.self_pay_total,
            result.household_borne,
            result.many_times,
            result.counts_for_many_times,
            tuple((p.person, p.self_pay, p.benefit) for p in result.persons),
            tuple((limit.name, limit.formula, limit.amount) for limit in result.limits),
        )


@dataclass(frozen=True)
class Payee:
    payee_addressee_number: str


@dataclass(frozen=True)
class Settle:
    """The monthly run's command: the month's calculation and what it was made from."""

    nhi_household_number: str
    outcome: Outcome
    inputs_digest: str
    under_70_category: Under70Category | None
    elderly_category: ElderlyCategory | None
    claims: int
    payee: Payee | None
    decided_by: str
    today: date
    payment_date: date
    #: the household is under 給付の一時差止 today (rules.md §4.6): decide, do not pay
    withheld: bool = False


@dataclass(frozen=True)
class PayOnApplication:
    """The household applied (its payee is on file now), or its 給付の一時差止 was released:
    pay what was decided and not paid (unless ``withheld``: record it withheld)."""

    payee: Payee
    ordered_by: str
    today: date
    payment_date: date
    withheld: bool = False


@dataclass(frozen=True)
class Decided:
    decision_id: uuid.UUID
    nhi_household_number: str
    treatment_month: date
    revision: int
    outcome: Outcome
    previous_benefit: int
    inputs_digest: str
    under_70_category: Under70Category | None
    elderly_category: ElderlyCategory | None
    claims: int
    decided_by: str
    decided_on: date


@dataclass(frozen=True)
class Prompted:
    decision_id: uuid.UUID
    nhi_household_number: str
    treatment_month: date
    benefit: int
    prompted_on: date


@dataclass(frozen=True)
class PaymentOrdered:
    payment_id: uuid.UUID
    decision_id: uuid.UUID
    nhi_household_number: str
    treatment_month: date
    payee_addressee_number: str
    amount: int
    payment_date: date
    ordered_by: str
    ordered_on: date


@dataclass(frozen=True)
class PaymentWithheld:
    """The benefit not yet paid is withheld (給付の一時差止, rules.md §4.6): ordered on release."""

    decision_id: uuid.UUID
    nhi_household_number: str
    treatment_month: date
    amount: int
    withheld_on: date


Event = Decided | Prompted | PaymentOrdered | PaymentWithheld


@dataclass(frozen=True)
class HighCostDecision:
    """The decision in force (and the stream's version: how many events it has)."""

    nhi_household_number: str
    treatment_month: date
    decision_id: uuid.UUID
    revision: int
    outcome: Outcome
    inputs_digest: str
    under_70_category: Under70Category | None
    elderly_category: ElderlyCategory | None
    claims: int
    decided_by: str
    decided_on: date
    paid: int = 0
    prompted: bool = False
    version: int = 0

    @property
    def benefit(self) -> int:
        return self.outcome.benefit

    @property
    def unpaid(self) -> int:
        return self.benefit - self.paid


def _pay(
    state: HighCostDecision,
    payee: Payee,
    by: str,
    today: date,
    on: date,
    withheld: bool = False,
) -> list[PaymentOrdered | PaymentWithheld]:
    if state.unpaid <= 0:
        return []
    if withheld:
        return [
            PaymentWithheld(
                state.decision_id,
                state.nhi_household_number,
                state.treatment_month,
                state.unpaid,
                today,
            )
        ]
    payment_id = uuid.uuid5(NAMESPACE, f"{state.decision_id}/payment/{state.paid}")
    return [
        PaymentOrdered(
            payment_id,
            state.decision_id,
            state.nhi_household_number,
            state.treatment_month,
            payee.payee_addressee_number,
            state.unpaid,
            on,
            by,
            today,
        )
    ]


def decide_settle(state: HighCostDecision | None, command: Settle) -> list[Event]:
    result = command.outcome
    if state is None and result.benefit == 0:
        return []  # no benefit: nothing to decide
    if state is not None and state.inputs_digest == command.inputs_digest:
        return []  # the same claims, category and count: the decision stands
    month = result.treatment_month
    revision = (state.revision if state else 0) + 1
    decided = Decided(
        uuid.uuid5(NAMESPACE, f"{stream_id(command.nhi_household_number, month)}/{revision}"),
        command.nhi_household_number,
        month,
        revision,
        result,
        state.benefit if state else 0,
        command.inputs_digest,
        command.under_70_category,
        command.elderly_category,
        command.claims,
        command.decided_by,
        command.today,
    )
    events: list[Event] = [decided]
    after = evolve(state, decided)
    if command.payee is not None:
        events += _pay(
            after,
            command.payee,
            command.decided_by,
            command.today,
            command.payment_date,
            command.withheld,
        )
    elif after.unpaid > 0 and not after.prompted:
        events.append(
            Prompted(
                after.decision_id,
                after.nhi_household_number,
                month,
                after.benefit,
                command.today,
            )
        )
    return events


def decide_pay(state: HighCostDecision, command: PayOnApplication) -> list[Event]:
    return list(
        _pay(
            state,
            command.payee,
            command.ordered_by,
            command.today,
            command.payment_date,
            command.withheld,
        )
    )


def _decided(state: HighCostDecision | None, e: Decided) -> HighCostDecision:
    return HighCostDecision(
        e.nhi_household_number,
        e.treatment_month,
        e.decision_id,
        e.revision,
        e.outcome,
        e.inputs_digest,
        e.under_70_category,
        e.elderly_category,
        e.claims,
        e.decided_by,
        e.decided_on,
        paid=state.paid if state else 0,
        prompted=state.prompted if state else False,
        version=(state.version if state else 0) + 1,
    )


def _prompted(state: HighCostDecision | None, e: Prompted) -> HighCostDecision:
    assert state is not None
    return replace(state, prompted=True, version=state.version + 1)


def _paid(state: HighCostDecision | None, e: PaymentOrdered) -> HighCostDecision:
    assert state is not None
    return replace(state, paid=state.paid + e.amount, version=state.version + 1)


def _withheld(state: HighCostDecision | None, e: PaymentWithheld) -> HighCostDecision:
    assert state is not None
    return replace(state, version=state.version + 1)


EVOLVE: dict[type, Callable[[HighCostDecision | None, Event], HighCostDecision]] = {
    PaymentWithheld: _withheld,  # type: ignore[dict-item]
    Decided: _decided,  # type: ignore[dict-item]
    Prompted: _prompted,  # type: ignore[dict-item]
    PaymentOrdered: _paid,  # type: ignore[dict-item]
}


def evolve(state: HighCostDecision | None, event: Event) -> HighCostDecision:
    return EVOLVE[type(event)](state, event)


def replay(
    events: Iterable[Event], state: HighCostDecision | None = None
) -> HighCostDecision | None:
    for event in events:
        state = evolve(state, event)
    return state
