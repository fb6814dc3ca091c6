"""Bodies of ``/api/v1/copayment-rate-decisions``: a household's income facts in (used for the
decision, never stored), the decision out."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from kokuho.benefits.domain.copayment_rate import CopaymentRate, DecideCopaymentRate
from kokuho.benefits.domain.high_cost.household_month import AgeBand
from kokuho.benefits.domain.income_category import HouseholdFacts, PersonFacts
from kokuho.platform.auth import StaffUser
from kokuho.platform.models import RequestModel, ResponseModel

NUMBER10 = r"^[0-9]{10}$"
YEN = 100_000_000_000


class PersonFactsIn(RequestModel):
    addressee_number: str = Field(pattern=NUMBER10, description="宛名番号")
    age_band: AgeBand = Field(description="under_70 or 70_74 in the decided period")
    resident_tax_exempt: bool = Field(description="住民税非課税")
    taxable_income: int = Field(0, ge=0, le=YEN, description="住民税課税所得 (課税標準額)")
    old_proviso_income: int = Field(0, ge=0, le=YEN, description="旧ただし書き所得")
    revenue: int = Field(0, ge=0, le=YEN, description="収入額 (基準収入額)")
    zero_income: bool = Field(False, description="passes the 低所得Ⅰ zero-income test")


class CopaymentRateDecisionIn(RequestModel):
    nhi_household_number: str = Field(pattern=NUMBER10, description="国保世帯番号")
    income_year: int = Field(ge=2000, le=2100, description="the calendar year of the income")
    householder_tax_exempt: bool = Field(description="世帯主 (deemed householder too) 非課税")
    members: list[PersonFactsIn] = Field(min_length=1, max_length=20)
    specified_same_household_revenue: list[int] = Field(
        default_factory=list, max_length=10, description="特定同一世帯所属者 収入額"
    )

    def command(self, user: StaffUser, today: date) -> DecideCopaymentRate:
        facts = HouseholdFacts(
            self.nhi_household_number,
            self.income_year,
            tuple(
                PersonFacts(
                    m.addressee_number,
                    m.age_band,
                    m.resident_tax_exempt,
                    m.taxable_income,
                    m.old_proviso_income,
                    m.revenue,
                    m.zero_income,
                )
                for m in self.members
            ),
            self.householder_tax_exempt,
            tuple(self.specified_same_household_revenue),
        )
        return DecideCopaymentRate(facts, user.user_id, today)


class CopaymentRateOut(ResponseModel):
    nhi_household_number: str
    income_year: int
    effective_from: date
    effective_to: date
    under_70_category: str
    elderly_category: str | None
    copayment_rate_percent: int | None
    addressee_numbers: list[str]
    decided_by: str
    decided_on: date
    basis: list[str]
    decisions: int

    @classmethod
    def of(cls, rate: CopaymentRate) -> CopaymentRateOut:
        return cls.model_validate(
            {
                **rate.__dict__,
                "under_70_category": rate.under_70_category.value,
                "elderly_category": rate.elderly_category.value if rate.elderly_category else None,
                "addressee_numbers": list(rate.addressee_numbers),
                "basis": list(rate.basis),
            }
        )
