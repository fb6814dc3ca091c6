"""The rules the unit tests take (the packaged figures, written out so a test can fail)."""

from __future__ import annotations

from datetime import date

from kokuho.delinquency.domain import lifecycle
from kokuho.delinquency.domain.decide import decide
from kokuho.delinquency.domain.evolve import replay
from kokuho.delinquency.domain.model import Case
from kokuho.delinquency.domain.parameters import Rules, WageExemption
from kokuho.delinquency.domain.review import Review

RULES = Rules(
    prescription_years=2,
    suspension_extinction_years=3,
    deferral_max_months=12,
    special_care_after_months=12,
    withhold_after_months=18,
    advance_notice_days=14,
    wage_exemption=WageExemption(
        base=100_000, per_dependant=45_000, rate_percent=20, rate_cap_multiple=2
    ),
)
HOUSEHOLD = "9920000001"
DUE = date(2026, 6, 30)
DEADLINE = date(2026, 7, 31)


def run(case: Case, *commands: object) -> Case:
    for command in commands:
        case = replay(case.household, decide(case, command), case)
    return case


def dunned(
    amount: int = 30_000, due: date = DUE, deadline: date = DEADLINE, period: int = 1
) -> Case:
    return run(
        Case(HOUSEHOLD),
        lifecycle.NoteDunning(2026, period, due, amount, deadline, f"n{period}", deadline),
    )


def opened(amount: int = 30_000, today: date = date(2026, 8, 1)) -> Case:
    return run(dunned(amount), Review(today, RULES))
