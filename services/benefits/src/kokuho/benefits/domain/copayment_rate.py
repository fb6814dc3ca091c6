"""The 70–74 co-payment rate decision (一部負担金割合 and 所得区分) of one household and income
year: an event-sourced aggregate, stream ``copayment-rate-<household>-<income year>``.

``decide`` judges the facts (:func:`decide_categories`, rules.md §3.4) and records a decision
only when its outcome differs from the one in force (decided each July, and again on every
income change: the same facts twice change nothing). ``evolve`` folds the decisions through a
dispatch table. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from kokuho.benefits.domain.errors import IncomeYearNotEnded
from kokuho.benefits.domain.high_cost.limits import ElderlyCategory, Under70Category
from kokuho.benefits.domain.income_category import (
    HouseholdFacts,
    IncomeLines,
    decide_categories,
    rate_period,
)


@dataclass(frozen=True)
class DecideCopaymentRate:
    facts: HouseholdFacts
    decided_by: str
    today: date


@dataclass(frozen=True)
class CopaymentRateDecided:
    nhi_household_number: str
    income_year: int
    effective_from: date
    effective_to: date
    under_70_category: Under70Category
    elderly_category: ElderlyCategory | None
    copayment_rate_percent: int | None
    addressee_numbers: tuple[str, ...]
    decided_by: str
    decided_on: date
    basis: tuple[str, ...]


Event = CopaymentRateDecided


@dataclass(frozen=True)
class CopaymentRate:
    """The decision in force for a household and income year (and how many were made)."""

    nhi_household_number: str
    income_year: int
    effective_from: date
    effective_to: date
    under_70_category: Under70Category
    elderly_category: ElderlyCategory | None
    copayment_rate_percent: int | None
    addressee_numbers: tuple[str, ...]
    decided_by: str
    decided_on: date
    basis: tuple[str, ...]
    decisions: int = 1

    def outcome(self) -> tuple[object, ...]:
        return (
            self.under_70_category,
            self.elderly_category,
            self.copayment_rate_percent,
            self.addressee_numbers,
        )


def stream_id(nhi_household_number: str, income_year: int) -> str:
    return f"copayment-rate-{nhi_household_number}-{income_year}"


def decide(
    state: CopaymentRate | None, command: DecideCopaymentRate, lines: IncomeLines
) -> list[Event]:
    facts = command.facts
    if facts.income_year >= command.today.year:
        raise IncomeYearNotEnded(f"income_year: {facts.income_year} has not ended")
    decision = decide_categories(facts, lines)
    start, end = rate_period(facts.income_year)
    event = CopaymentRateDecided(
        facts.nhi_household_number,
        facts.income_year,
        start,
        end,
        decision.under_70,
        decision.elderly,
        decision.copayment_rate_percent,
        tuple(sorted(decision.elderly_members)),
        command.decided_by,
        command.today,
        decision.basis,
    )
    if state is not None and state.outcome() == _outcome(event):
        return []
    return [event]


def _outcome(event: CopaymentRateDecided) -> tuple[object, ...]:
    return (
        event.under_70_category,
        event.elderly_category,
        event.copayment_rate_percent,
        event.addressee_numbers,
    )


def _decided(state: CopaymentRate | None, event: CopaymentRateDecided) -> CopaymentRate:
    return CopaymentRate(
        event.nhi_household_number,
        event.income_year,
        event.effective_from,
        event.effective_to,
        event.under_70_category,
        event.elderly_category,
        event.copayment_rate_percent,
        event.addressee_numbers,
        event.decided_by,
        event.decided_on,
        event.basis,
        (state.decisions if state else 0) + 1,
    )


EVOLVE: dict[type, Callable[[CopaymentRate | None, Event], CopaymentRate]] = {
    CopaymentRateDecided: _decided,
}


def evolve(state: CopaymentRate | None, event: Event) -> CopaymentRate:
    return EVOLVE[type(event)](state, event)


def replay(events: Iterable[Event], state: CopaymentRate | None = None) -> CopaymentRate | None:
    for event in events:
        state = evolve(state, event)
    return state
