"""特別徴収: whether the premium is deducted from the householder's pension, and the six
deductions (rules.md 2.6). Otherwise, and on the householder's request, 普通徴収 applies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kokuho.assessment.domain.calendar import age_on, attains
from kokuho.assessment.domain.household import Household
from kokuho.assessment.domain.parameters import PremiumParameters


@dataclass(frozen=True)
class Pension:
    """The householder's pension as the pension insurer reports it (NHI-A-24..26)."""

    annual_amount: int  # the pension that bears the 介護保険料 特別徴収
    ltc_special_collection: bool  # 介護保険料 is already deducted from this pension
    ltc_premium: int  # the annual 介護保険料 deducted from it


@dataclass(frozen=True)
class SpecialCollectionDecision:
    applies: bool
    reasons: tuple[str, ...]  # every condition that fails (empty when it applies)


def decide_special_collection(
    household: Household,
    params: PremiumParameters,
    annual_premium: int,
    pension: Pension | None,
    requested_ordinary: bool = False,
) -> SpecialCollectionDecision:
    """All five conditions of rules.md 2.6 must hold; the householder may ask for 口座振替."""
    rules = params.special_collection
    april = date(params.fiscal_year, 4, 1)
    march = date(params.fiscal_year + 1, 3, 31)
    reasons: list[str] = []
    head = household.person(household.householder)
    if head is None or not head.insured or (head.loss_date is not None and head.loss_date <= april):
        reasons.append("householder-not-insured")
    members = [
        p for p in household.people if p.insured and (p.loss_date is None or p.loss_date > april)
    ]
    if any(not rules.age_from <= age_on(p.birth_date, april) < rules.age_to for p in members):
        reasons.append("a-member-outside-65-74")
    if head is not None and attains(head.birth_date, rules.age_to) <= march:
        reasons.append("householder-turns-75-this-year")
    if pension is None or not pension.ltc_special_collection:
        reasons.append("no-pension-with-ltc-special-collection")
    elif pension.annual_amount < rules.pension_minimum:
        reasons.append("pension-below-minimum")
    elif annual_premium + pension.ltc_premium > pension.annual_amount * rules.share_limit:
        reasons.append("premiums-above-half-of-pension")
    if requested_ordinary:
        reasons.append("householder-requested-ordinary-collection")
    return SpecialCollectionDecision(not reasons, tuple(reasons))


@dataclass(frozen=True)
class Deduction:
    month: int  # pension month: 4, 6, 8 (仮徴収), 10, 12, 2 (本徴収)
    kind: str  # provisional (仮徴収) | definitive (本徴収)
    amount: int


def deductions(
    annual_premium: int, previous_february: int, params: PremiumParameters
) -> list[Deduction]:
    """仮徴収 = the previous February's deduction (three times); 本徴収 = the rest in three,
    the remainder on the first (rules.md 2.6: (annual − 仮徴収 paid) ÷ 3)."""
    months = params.special_collection.deduction_months
    provisional = [Deduction(m, "provisional", previous_february) for m in months[:3]]
    rest = max(0, annual_premium - 3 * previous_february)
    share = rest // 3
    definitive = [
        Deduction(m, "definitive", share + (rest - 3 * share if i == 0 else 0))
        for i, m in enumerate(months[3:])
    ]
    return provisional + definitive
