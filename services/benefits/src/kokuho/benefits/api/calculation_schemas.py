"""Request and response bodies of the 高額療養費 calculator (``POST /api/v1/high-cost-
calculations`` and ``python -m kokuho.benefits what-if``; the same document for both).

A member is a label (``P1``, ``father``), never a name or a number; a provider is a 医療機関コード
(7 or 10 digits) or a label. Amounts are integer yen.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, Self

from pydantic import Field, model_validator

from kokuho.benefits.domain.high_cost.calculation import HighCostResult
from kokuho.benefits.domain.high_cost.household_month import (
    AgeBand,
    Bill,
    HouseholdMonth,
    Kind,
    Member,
    Setting,
)
from kokuho.benefits.domain.high_cost.limits import ElderlyCategory, Under70Category
from kokuho.platform.models import RequestModel, ResponseModel

LABEL = r"^[A-Za-z][A-Za-z0-9_-]{0,19}$"
PROVIDER = r"^(?:[0-9]{7}|[0-9]{10}|[A-Za-z][A-Za-z0-9_-]{0,19})$"
MONTH = r"^20[0-9]{2}-(?:0[1-9]|1[0-2])$"  # 2000-01 .. 2099-12: year 0 is no date
YEN = 1_000_000_000


class MemberIn(RequestModel):
    person: str = Field(pattern=LABEL, description="a label for the member (never a name)")
    age_band: AgeBand = Field(description="under_70 or 70_74 in the treatment month")
    turning_75: bool = Field(False, description="75歳到達月特例 (not for a birthday on the 1st)")
    outpatient_borne_before: int = Field(
        0, ge=0, le=YEN, description="70–74: outpatient self-pay borne earlier in the Aug–Jul year"
    )


class BillIn(RequestModel):
    bill_id: str | None = Field(None, pattern=LABEL, description="default B1, B2, ... in order")
    person: str = Field(pattern=LABEL)
    provider: str = Field(pattern=PROVIDER, description="医療機関コード or a label")
    setting: Setting
    kind: Kind = Kind.MEDICAL
    medical_cost: int = Field(ge=0, le=YEN, description="総医療費 (10割), yen")
    self_pay: int = Field(ge=0, le=YEN, description="一部負担金, yen")
    prescriber: str | None = Field(None, pattern=PROVIDER, description="pharmacy: prescriber")
    prescriber_kind: Literal["medical", "dental"] = "medical"


class HighCostCalculationIn(RequestModel):
    treatment_month: str = Field(pattern=MONTH, description="診療月, YYYY-MM")
    under_70_category: Under70Category | None = Field(
        None, description="所得区分 ア–オ as a, i, u, e, o (needed with an under-70 member)"
    )
    elderly_category: ElderlyCategory | None = Field(
        None, description="70–74 所得区分 (needed with a 70–74 member)"
    )
    multiple_high_cost: bool | None = Field(None, description="多数回該当 (or give the count)")
    prior_high_cost_months: int | None = Field(
        None, ge=0, le=12, description="高額該当 months in the previous 12, carried-over included"
    )
    moved_within_prefecture: bool = Field(False, description="in-prefecture move this month")
    annual_borne_before: int = Field(0, ge=0, le=YEN, description="年間上限: borne this year")
    members: list[MemberIn] = Field(min_length=1, max_length=20)
    bills: list[BillIn] = Field(default_factory=list, max_length=500)

    @model_validator(mode="after")
    def _one_way_to_say_many_times(self) -> Self:
        if self.multiple_high_cost is not None and self.prior_high_cost_months is not None:
            raise ValueError("give multiple_high_cost or prior_high_cost_months, not both")
        return self

    def household_month(self) -> HouseholdMonth:
        year, month = self.treatment_month.split("-")
        prior = self.prior_high_cost_months
        if prior is None:
            prior = 3 if self.multiple_high_cost else 0
        return HouseholdMonth(
            treatment_month=date(int(year), int(month), 1),
            members=tuple(
                Member(m.person, m.age_band, m.turning_75, m.outpatient_borne_before)
                for m in self.members
            ),
            bills=tuple(
                Bill(
                    b.bill_id or f"B{i}",
                    b.person,
                    b.provider,
                    b.setting,
                    b.kind,
                    b.medical_cost,
                    b.self_pay,
                    b.prescriber,
                    Kind(b.prescriber_kind),
                )
                for i, b in enumerate(self.bills, start=1)
            ),
            under_70_category=self.under_70_category,
            elderly_category=self.elderly_category,
            prior_high_cost_months=prior,
            moved_within_prefecture=self.moved_within_prefecture,
            annual_borne_before=self.annual_borne_before,
        )


class LimitOut(ResponseModel):
    name: str
    formula: str
    amount: int
    source: str = Field(description="parameter file, figure, mark and source")


class StepOut(ResponseModel):
    rule: str
    text: str
    benefit: int


class PersonOut(ResponseModel):
    person: str
    self_pay: int
    benefit: int


class HighCostCalculationOut(ResponseModel):
    treatment_month: str
    table: str = Field(description="the parameter file in force for the treatment month")
    many_times: bool
    self_pay_total: int
    counted_self_pay: int
    household_borne: int
    benefit: int
    counts_for_many_times: bool
    excluded_bill_ids: list[str]
    limits: list[LimitOut]
    persons: list[PersonOut]
    steps: list[StepOut]

    @classmethod
    def of(cls, result: HighCostResult) -> HighCostCalculationOut:
        return cls(
            treatment_month=f"{result.treatment_month:%Y-%m}",
            table=result.table,
            many_times=result.many_times,
            self_pay_total=result.self_pay_total,
            counted_self_pay=result.counted_self_pay,
            household_borne=result.household_borne,
            benefit=result.benefit,
            counts_for_many_times=result.counts_for_many_times,
            excluded_bill_ids=list(result.excluded_bill_ids),
            limits=[LimitOut.model_validate(x) for x in result.limits],
            persons=[PersonOut.model_validate(x) for x in result.persons],
            steps=[StepOut.model_validate(x) for x in result.steps],
        )
