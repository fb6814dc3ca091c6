"""Builders for 高額療養費 tests: a household-month in a line or two."""

from __future__ import annotations

from datetime import date
from itertools import count

from kokuho.benefits.domain.high_cost.calculation import HighCostResult, calculate
from kokuho.benefits.domain.high_cost.household_month import (
    AgeBand,
    Bill,
    HouseholdMonth,
    Kind,
    Member,
    Setting,
)
from kokuho.benefits.domain.high_cost.limits import ElderlyCategory, Under70Category
from kokuho.benefits.parameters import load_schedule

SCHEDULE = load_schedule()
BEFORE_2026 = date(2026, 7, 1)
_ids = count(1)


def bill(
    person: str,
    provider: str,
    cost: int,
    self_pay: int,
    *,
    setting: Setting = Setting.OUTPATIENT,
    kind: Kind = Kind.MEDICAL,
    prescriber: str | None = None,
) -> Bill:
    return Bill(f"B{next(_ids)}", person, provider, setting, kind, cost, self_pay, prescriber)


def inpatient(person: str, provider: str, cost: int, self_pay: int) -> Bill:
    return bill(person, provider, cost, self_pay, setting=Setting.INPATIENT)


def under(person: str) -> Member:
    return Member(person, AgeBand.UNDER_70)


def elder(person: str, *, turning_75: bool = False, before: int = 0) -> Member:
    return Member(person, AgeBand.AGED_70_74, turning_75, before)


def run(
    members: list[Member],
    bills: list[Bill],
    *,
    u70: Under70Category | None = None,
    elderly: ElderlyCategory | None = None,
    month: date = BEFORE_2026,
    prior: int = 0,
    moved: bool = False,
    annual_before: int = 0,
) -> HighCostResult:
    return calculate(
        HouseholdMonth(
            month, tuple(members), tuple(bills), u70, elderly, prior, moved, annual_before
        ),
        SCHEDULE,
    )


def benefit_of(result: HighCostResult, person: str) -> int:
    return next(p.benefit for p in result.persons if p.person == person)
