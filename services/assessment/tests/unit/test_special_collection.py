"""特別徴収 (rules.md 2.6): every condition, and the 仮徴収/本徴収 amounts."""

from __future__ import annotations

from datetime import date

import pytest

from kokuho.assessment.domain.household import Household, Person
from kokuho.assessment.domain.parameters import PremiumParameters
from kokuho.assessment.domain.special_collection import (
    Pension,
    decide_special_collection,
    deductions,
)

PENSION = Pension(annual_amount=2_000_000, ltc_special_collection=True, ltc_premium=80_000)


def household(*births: date, head_insured: bool = True) -> Household:
    people = tuple(
        Person(f"000000000{i}", b, insured=head_insured or i > 0) for i, b in enumerate(births)
    )
    return Household("h", "0000000000", people)


def test_applies_when_every_condition_holds(fy2025: PremiumParameters) -> None:
    # both 65–74 on 2025-04-01; the householder attains 75 on 2026-05-31 (after March)
    h = household(date(1951, 6, 1), date(1955, 1, 1))
    decision = decide_special_collection(h, fy2025, 100_000, PENSION)
    assert decision.applies
    assert decision.reasons == ()


@pytest.mark.parametrize(
    ("h", "premium", "pension", "reason"),
    [
        (household(date(1955, 1, 1), date(1990, 1, 1)), 100_000, PENSION, "a-member-outside-65-74"),
        (household(date(1951, 3, 1)), 100_000, PENSION, "householder-turns-75-this-year"),
        (
            household(date(1955, 1, 1), date(1955, 2, 2), head_insured=False),
            100_000,
            PENSION,
            "householder-not-insured",
        ),
        (household(date(1955, 1, 1)), 100_000, None, "no-pension-with-ltc-special-collection"),
        (
            household(date(1955, 1, 1)),
            10_000,
            Pension(179_999, True, 1_000),
            "pension-below-minimum",
        ),
        # 920,001 + 80,000 > 2,000,000 × 1/2
        (household(date(1955, 1, 1)), 920_001, PENSION, "premiums-above-half-of-pension"),
    ],
)
def test_each_failing_condition_is_named(
    fy2025: PremiumParameters, h: Household, premium: int, pension: Pension | None, reason: str
) -> None:
    decision = decide_special_collection(h, fy2025, premium, pension)
    assert not decision.applies
    assert reason in decision.reasons


def test_exactly_half_of_the_pension_still_applies(fy2025: PremiumParameters) -> None:
    decision = decide_special_collection(household(date(1955, 1, 1)), fy2025, 920_000, PENSION)
    assert decision.applies


def test_the_householder_may_ask_for_ordinary_collection(fy2025: PremiumParameters) -> None:
    decision = decide_special_collection(
        household(date(1955, 1, 1)), fy2025, 100_000, PENSION, requested_ordinary=True
    )
    assert decision.reasons == ("householder-requested-ordinary-collection",)


def test_provisional_then_definitive_deductions(fy2025: PremiumParameters) -> None:
    # 仮徴収 3 × 15,000 = 45,000; 本徴収 (100,000 − 45,000) = 55,000 ÷ 3 = 18,333 r 1
    parts = deductions(100_000, 15_000, fy2025)
    assert [(d.month, d.kind, d.amount) for d in parts] == [
        (4, "provisional", 15_000),
        (6, "provisional", 15_000),
        (8, "provisional", 15_000),
        (10, "definitive", 18_334),
        (12, "definitive", 18_333),
        (2, "definitive", 18_333),
    ]
    assert sum(d.amount for d in parts) == 100_000
