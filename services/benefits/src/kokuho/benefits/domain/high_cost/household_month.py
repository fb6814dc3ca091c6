"""What a 高額療養費 calculation takes: one household's treatment month, as described.

Members (under 70 or 70–74, turning 75 this month), the household's 所得区分 for each band,
the 多数回 count carried in (including counts carried over within the prefecture, S2), an
in-prefecture move in the month, and the bills (レセプト): person, provider, setting, kind,
total medical cost (10割) and self-pay (一部負担金; food, 差額ベッド and 保険外 costs are not
in it, rules.md §3.1).

:func:`claim_units` groups the under-70 bills as the 21,000-yen rule counts them: per person,
provider, inpatient/outpatient and medical/dental, a pharmacy bill added to its prescriber's
(rules.md §3.1 [B03], [B04]).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from kokuho.benefits.domain.errors import HouseholdMonthInvalid
from kokuho.benefits.domain.high_cost.limits import ElderlyCategory, Under70Category


class AgeBand(StrEnum):
    UNDER_70 = "under_70"
    AGED_70_74 = "70_74"


class Setting(StrEnum):
    INPATIENT = "inpatient"  # 入院
    OUTPATIENT = "outpatient"  # 外来


class Kind(StrEnum):
    MEDICAL = "medical"  # 医科
    DENTAL = "dental"  # 歯科
    PHARMACY = "pharmacy"  # 調剤 (院外処方)


@dataclass(frozen=True)
class Bill:
    """One claim's money for the month (identifiers and amounts only)."""

    bill_id: str
    person: str
    provider: str
    setting: Setting
    kind: Kind
    medical_cost: int
    self_pay: int
    #: a pharmacy bill: the provider that prescribed it, and whether that was dental
    prescriber: str | None = None
    prescriber_kind: Kind = Kind.MEDICAL


@dataclass(frozen=True)
class Member:
    person: str
    age_band: AgeBand
    #: 75歳到達月特例 applies (the caller leaves it false for a birthday on the 1st, [B42])
    turning_75: bool = False
    #: 70–74: outpatient self-pay borne earlier in the Aug–Jul year (外来年間上限)
    outpatient_borne_before: int = 0


@dataclass(frozen=True)
class HouseholdMonth:
    treatment_month: date
    members: tuple[Member, ...]
    bills: tuple[Bill, ...]
    under_70_category: Under70Category | None = None
    elderly_category: ElderlyCategory | None = None
    #: months with 高額療養費 in the 12 before this one, carried-over counts included (S2)
    prior_high_cost_months: int = 0
    #: an in-prefecture move this month: each municipality applies half the limits (§3.3)
    moved_within_prefecture: bool = False
    #: household self-pay borne earlier in the annual cap's year (年間上限, from 2026-08)
    annual_borne_before: int = 0

    def member(self, person: str) -> Member:
        return next(m for m in self.members if m.person == person)

    def band_of(self, person: str) -> AgeBand:
        return self.member(person).age_band


@dataclass(frozen=True)
class ClaimUnit:
    """The bills the 21,000-yen rule treats as one: (person, provider, setting, dental)."""

    person: str
    provider: str
    setting: Setting
    dental: bool
    bill_ids: tuple[str, ...]
    medical_cost: int
    self_pay: int

    def describe(self) -> str:
        kind = "歯科" if self.dental else "医科"
        setting = "入院" if self.setting is Setting.INPATIENT else "外来"
        return f"{self.person} / {self.provider} / {setting} / {kind}"


def validate(month: HouseholdMonth) -> None:
    """Refuse a household-month that contradicts itself, naming the field."""
    if month.treatment_month.day != 1:
        raise HouseholdMonthInvalid("treatment_month: the first day of the month")
    people = [m.person for m in month.members]
    if not people:
        raise HouseholdMonthInvalid("members: at least one member")
    if len(set(people)) != len(people):
        raise HouseholdMonthInvalid("members: a person is listed twice")
    for i, member in enumerate(month.members):
        if member.outpatient_borne_before < 0:
            raise HouseholdMonthInvalid(f"members/{i}/outpatient_borne_before: negative")
    bands = {m.age_band for m in month.members}
    if AgeBand.UNDER_70 in bands and month.under_70_category is None:
        raise HouseholdMonthInvalid("under_70_category: required with an under-70 member")
    if AgeBand.AGED_70_74 in bands and month.elderly_category is None:
        raise HouseholdMonthInvalid("elderly_category: required with a 70–74 member")
    if month.prior_high_cost_months < 0 or month.annual_borne_before < 0:
        raise HouseholdMonthInvalid("prior_high_cost_months/annual_borne_before: negative")
    ids = [b.bill_id for b in month.bills]
    if len(set(ids)) != len(ids):
        raise HouseholdMonthInvalid("bills: a bill_id is listed twice")
    for i, bill in enumerate(month.bills):
        _validate_bill(i, bill, set(people))


def _validate_bill(i: int, bill: Bill, people: set[str]) -> None:
    if bill.person not in people:
        raise HouseholdMonthInvalid(f"bills/{i}/person: names no member")
    if bill.self_pay < 0 or bill.medical_cost < 0:
        raise HouseholdMonthInvalid(f"bills/{i}/self_pay: amounts are not negative")
    if bill.self_pay > bill.medical_cost:
        raise HouseholdMonthInvalid(f"bills/{i}/self_pay: above the medical cost")
    if bill.kind is Kind.PHARMACY:
        if not bill.prescriber:
            raise HouseholdMonthInvalid(f"bills/{i}/prescriber: a pharmacy bill names it")
        if bill.setting is not Setting.OUTPATIENT:
            raise HouseholdMonthInvalid(f"bills/{i}/setting: a pharmacy bill is outpatient")
        if bill.prescriber_kind is Kind.PHARMACY:
            raise HouseholdMonthInvalid(f"bills/{i}/prescriber_kind: medical or dental")


def unit_key(bill: Bill) -> tuple[str, str, Setting, bool]:
    if bill.kind is Kind.PHARMACY:
        assert bill.prescriber is not None
        return (
            bill.person,
            bill.prescriber,
            Setting.OUTPATIENT,
            bill.prescriber_kind is Kind.DENTAL,
        )
    return (bill.person, bill.provider, bill.setting, bill.kind is Kind.DENTAL)


def claim_units(bills: list[Bill]) -> list[ClaimUnit]:
    """Group bills into the units the 21,000-yen rule counts, in first-seen order."""
    groups: dict[tuple[str, str, Setting, bool], list[Bill]] = {}
    for bill in bills:
        groups.setdefault(unit_key(bill), []).append(bill)
    return [
        ClaimUnit(
            person,
            provider,
            setting,
            dental,
            tuple(b.bill_id for b in group),
            sum(b.medical_cost for b in group),
            sum(b.self_pay for b in group),
        )
        for (person, provider, setting, dental), group in groups.items()
    ]
