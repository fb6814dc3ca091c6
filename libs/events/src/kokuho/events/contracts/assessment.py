"""Public events of the assessment service (保険料賦課).

Topic ``kokuho.assessment.events`` (general; partition key = NHI household number, so that the
assessments of one household arrive in order). Identifiers, fiscal years, dates and amounts
only: **no** names, addresses, phone numbers or individual numbers, and no one's income
(only the household's levies). See docs/adr/0031-assessment-events.md.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from kokuho.events.contracts.payment_numbers import PATTERN as PAYMENT_NUMBER_PATTERN
from kokuho.events.contracts.registry import EventContract

EVENTS_TOPIC = "kokuho.assessment.events"

HouseholdNumber = Annotated[str, Field(pattern=r"^[0-9]{10}$", description="国保世帯番号")]
Yen = Annotated[int, Field(ge=0, description="integer yen")]

ComponentName = Literal["medical", "elderly_support", "long_term_care", "child_support"]


class ComponentAmount(BaseModel):
    """One component of the premium (医療分/支援分/介護分/子ども分) for the fiscal year."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    component: ComponentName
    amount: Yen = Field(description="the component's premium for the year, prorated and capped")
    months: int = Field(ge=0, le=12, description="months assessed (月割)")
    income_levy: Yen = Field(description="所得割 (annual, of the last segment)")
    asset_levy: Yen = Field(description="資産割")
    per_capita_levy: Yen = Field(description="均等割 after reductions")
    per_household_levy: Yen = Field(description="平等割 after reductions")
    capped: bool = Field(description="the 賦課限度額 limited the amount")
    per_capita_reduction: Yen | None = Field(
        default=None,
        description="軽減額: the yen the statutory 7/5/2割 reduction took off 均等割 for the"
        " year (prorated like amount; the basis of the 保険基盤安定負担金); absent on events"
        " from before it was published",
    )
    per_household_reduction: Yen | None = Field(
        default=None,
        description="軽減額 of 平等割 for the year, as per_capita_reduction; absent on events"
        " from before it was published",
    )


class Instalment(BaseModel):
    """期別: one 普通徴収 instalment of the annual premium."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    period: int = Field(ge=1, le=12, description="第n期")
    due_date: date = Field(description="納期限 (moved to the next day the city office is open)")
    amount: Yen
    difference: int = Field(description="change from the previous assessment's instalment")
    payment_number: str | None = Field(
        default=None,
        pattern=PAYMENT_NUMBER_PATTERN,
        description="納付番号 printed on this instalment's slip (contracts.payment_numbers)",
    )


class SpecialCollectionDeduction(BaseModel):
    """特別徴収: one deduction from the householder's pension (rules.md 2.6)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    month: int = Field(ge=1, le=12, description="pension month: 4, 6, 8 (仮徴収), 10, 12, 2")
    kind: Literal["provisional", "definitive"] = Field(description="仮徴収 or 本徴収")
    amount: Yen


class PremiumAssessed(EventContract):
    """The premium of one NHI household for one fiscal year (賦課), or its correction (更正).

    Every assessment of a household and year replaces the previous one; ``difference`` is the
    change from the previous annual amount (0 for the first). Collection turns these into
    charges per instalment.
    """

    event_type = "jp.kokuho.assessment.premium_assessed.v1"

    assessment_id: UUID
    nhi_household_number: HouseholdNumber
    fiscal_year: int = Field(ge=2000, le=2100)
    revision: int = Field(ge=1, description="1 for the first assessment, then each correction")
    kind: Literal["assessment", "correction"]
    cause: Literal[
        "request", "annual_run", "eligibility_change", "income_change", "reduction_exemption"
    ]
    assessed_on: date
    annual_amount: Yen = Field(description="年間保険料 after 減免")
    previous_annual_amount: Yen | None = None
    difference: int = Field(description="annual_amount − previous_annual_amount (0 if first)")
    reduction_exemption_amount: Yen = Field(default=0, description="減免 granted on application")
    statutory_reduction: Literal[0, 2, 5, 7] = Field(description="7/5/2割軽減 at the levy date")
    insured_months: int = Field(ge=0, le=12)
    components: list[ComponentAmount]
    instalments: list[Instalment] = Field(default_factory=list)
    parameter_documents: list[str] = Field(description="parameter files used, e.g. national-2026")
    assessed_by: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="the staff user whose request caused it, or system:<process> (C-24)",
    )
    collection_method: Literal["ordinary", "special"] | None = Field(
        default=None,
        description="普通徴収 or 特別徴収 (rules.md 2.6); absent on events from before it was"
        " stored",
    )
    special_collection_deductions: list[SpecialCollectionDeduction] | None = Field(
        default=None,
        description="仮徴収/本徴収 from the pension under 特別徴収 (empty under 普通徴収)",
    )
    notice_number: str | None = Field(
        default=None,
        pattern=r"^[0-9]{18}$",
        description="通知書番号 of the notice this revision issues: fiscal year, household,"
        " revision (3 digits) and a modulus-10 check digit; absent on events from before it",
    )
    notice_kind: Literal["payment_notice", "change_notice"] | None = Field(
        default=None, description="納入通知書 (first assessment) or 変更通知書 (a correction)"
    )
    notice_issued_on: date | None = Field(default=None, description="the notice's issue date")


class IncomeImportApplied(EventContract):
    """An income file from the municipal tax system was applied (counts only, no income)."""

    event_type = "jp.kokuho.assessment.income_import_applied.v1"

    import_id: UUID
    income_year: int | None = Field(default=None, description="the one income year in the file")
    lines: int = Field(ge=0)
    applied: int = Field(ge=0)
    rejected: int = Field(ge=0)
    partial: bool = Field(description="the operator chose to apply only the valid lines")
    applied_by: str = Field(min_length=1, max_length=64)
    discarded: int = Field(
        default=0, ge=0, description="valid lines of people who are not subjects, dropped (C-06)"
    )


class ReductionExemptionDecided(EventContract):
    """減免: a reduction or exemption on application decided by a second person (C-11)."""

    event_type = "jp.kokuho.assessment.reduction_exemption_decided.v1"

    application_id: UUID
    nhi_household_number: HouseholdNumber
    fiscal_year: int = Field(ge=2000, le=2100)
    approved: bool
    reason_code: str = Field(min_length=1, max_length=40)
    ratio_percent: int = Field(ge=0, le=100, description="share of the premium forgiven")
    entered_by: str = Field(min_length=1, max_length=64)
    decided_by: str = Field(min_length=1, max_length=64)


#: The restricted topic of ``HouseholdIncomeFactsStated``: income figures, consumed by benefits
#: only (ADR 0045). Never a general topic; its name sits beside the events topic.
INCOME_FACTS_TOPIC = "kokuho.assessment.income-facts"


def income_facts_topic(events_topic: str) -> str:
    """The income-facts topic beside an events topic (``…events`` → ``…income-facts``), so a
    test's own events topic has its own facts topic."""
    if events_topic.endswith(".events"):
        return events_topic[: -len(".events")] + ".income-facts"
    return f"{events_topic}.income-facts"


class IncomeFactsMember(BaseModel):
    """One member's figures for 所得区分 and the 70–74 rate (rules.md §3.1–3.4), in yen."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    addressee_number: Annotated[str, Field(pattern=r"^[0-9]{10}$")]
    birth_date: date
    insured: bool = Field(description="an NHI member (False: the deemed householder)")
    declared: bool = Field(description="income known (a return, tax data or 無所得申立)")
    resident_tax_exempt: bool = Field(description="住民税非課税")
    taxable_income: Yen = Field(description="住民税 課税標準額 (the 現役並み test)")
    old_proviso_income: Yen = Field(description="旧ただし書き所得 (総所得金額等 − 基礎控除)")
    revenue: Yen = Field(description="収入 (給与 + 年金 + other), the 基準収入額 test")
    salary_income: Yen = Field(description="給与所得 (the 低所得Ⅰ zero-income test)")
    pension_revenue: Yen = Field(description="公的年金等収入 (the 低所得Ⅰ zero-income test)")
    other_income: int = Field(description="other 総所得金額等 (the 低所得Ⅰ zero-income test)")


class SpecifiedMemberRevenue(BaseModel):
    """特定同一世帯所属者: counted in the 520万 基準収入額 test only (rules.md §3.4)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    addressee_number: Annotated[str, Field(pattern=r"^[0-9]{10}$")]
    revenue: Yen


class HouseholdIncomeFactsStated(EventContract):
    """What benefits needs of one household's income of one year (ADR 0045), stated whenever
    the household's income facts change. **Restricted topic** ``INCOME_FACTS_TOPIC`` only:
    never on the general topic. Only when every member and the householder have a recorded
    income with the figures (an income file of format 2, or a 無所得申立)."""

    event_type = "jp.kokuho.assessment.household_income_facts_stated.v1"

    nhi_household_number: HouseholdNumber
    income_year: int = Field(ge=2000, le=2100)
    householder_addressee_number: Annotated[str, Field(pattern=r"^[0-9]{10}$")]
    members: list[IncomeFactsMember] = Field(
        description="the NHI members and, when deemed, the householder (insured false)"
    )
    specified_same_household: list[SpecifiedMemberRevenue] = Field(default_factory=list)
    cause: Literal["income_import", "no_income_declaration"]
    stated_on: date
    stated_by: str = Field(min_length=1, max_length=200)
