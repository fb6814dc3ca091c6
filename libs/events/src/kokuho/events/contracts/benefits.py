"""Public events of benefits.

Topic ``kokuho.benefits.events``
(general; partition key = the NHI household number, so that one household's events arrive in
order), and its dead-letter topic ``kokuho.benefits.events.dlq``.
Identifiers, dates, codes and amounts only: **no** names, addresses, phone numbers, individual
numbers or incomes. A breaking change is a new ``.v2`` class produced alongside this one.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from kokuho.events.contracts.registry import EventContract

EVENTS_TOPIC = "kokuho.benefits.events"

AddresseeNumber = Annotated[str, Field(pattern=r"^[0-9]{10}$", description="宛名番号")]


class CopaymentRateDecided(EventContract):
    """The 70–74 一部負担金割合 and the household's 所得区分 for an August–July (rules.md §3.4),
    decided on ``income_year``'s income; eligibility prints the rate on the 資格確認書 / 資格情報の
    お知らせ of each listed 70–74 member. A later decision for the same household and income
    year supersedes this one."""

    event_type: ClassVar[str] = "jp.kokuho.benefits.copayment_rate_decided.v1"

    nhi_household_number: str = Field(pattern=r"^[0-9]{10}$", description="国保世帯番号")
    income_year: int = Field(ge=2000, le=2100)
    effective_from: date = Field(description="August 1 after the income year")
    effective_to: date = Field(description="July 31 of the year after")
    under_70_category: Literal["a", "i", "u", "e", "o"] = Field(description="所得区分 ア–オ")
    elderly_category: (
        Literal["active_3", "active_2", "active_1", "general", "low_2", "low_1"] | None
    ) = Field(description="70–74 所得区分; none without a 70–74 member")
    copayment_rate_percent: Literal[20, 30] | None = Field(
        description="一部負担割合 of the listed 70–74 members"
    )
    addressee_numbers: list[AddresseeNumber] = Field(
        max_length=20, description="the household's 70–74 members"
    )
    decided_by: str = Field(
        min_length=1, max_length=200, description="the staff user, or system:<process> (C-24)"
    )
    decided_on: date


Month = Annotated[str, Field(pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$", description="YYYY-MM")]
HouseholdNumber = Annotated[str, Field(pattern=r"^[0-9]{10}$", description="国保世帯番号")]


class PersonBenefit(BaseModel):
    """One member's share of a household's 高額療養費 (part of an event)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    addressee_number: AddresseeNumber
    self_pay: int = Field(ge=0, description="一部負担金 of the member's claims in the month")
    benefit: int = Field(ge=0)


class HighCostBenefitDecided(EventContract):
    """高額療養費 decided for a household and treatment month by the monthly run (rules.md §3),
    from the month's claims, the household's 所得区分 and its 多数回 count (carried-over counts
    included, S2). A later revision (claims changed by 再審査・過誤) supersedes this one."""

    event_type: ClassVar[str] = "jp.kokuho.benefits.high_cost_benefit_decided.v1"

    decision_id: UUID
    nhi_household_number: HouseholdNumber
    treatment_month: Month
    revision: int = Field(ge=1)
    benefit: int = Field(ge=0, description="the household's benefit in yen")
    previous_benefit: int = Field(ge=0, description="what the revision before decided")
    self_pay_total: int = Field(ge=0)
    household_borne: int = Field(ge=0, description="what the household bears after the benefit")
    many_times: bool = Field(description="多数回 amounts applied")
    counts_for_many_times: bool = Field(description="a 高額該当 month for the 多数回 count")
    under_70_category: Literal["a", "i", "u", "e", "o"] | None
    elderly_category: (
        Literal["active_3", "active_2", "active_1", "general", "low_2", "low_1"] | None
    )
    claims: int = Field(ge=0, description="claims (レセプト) of the month counted in")
    persons: list[PersonBenefit] = Field(max_length=20)
    decided_by: str = Field(min_length=1, max_length=200)
    decided_on: date


class HighCostApplicationPrompted(EventContract):
    """申請勧奨: the household has a 高額療養費 benefit but no application (payee) on file; a
    prompt notice is printed. The payment follows the application."""

    event_type: ClassVar[str] = "jp.kokuho.benefits.high_cost_application_prompted.v1"

    decision_id: UUID
    nhi_household_number: HouseholdNumber
    treatment_month: Month
    benefit: int = Field(gt=0)
    prompted_on: date


class BenefitPaymentOrdered(EventContract):
    """A benefit payment ordered to the payee's registered account, for collection (payouts,
    and appropriation where rules.md §4.6 allows) and other departments. Identifiers, amounts
    and dates only: the account itself is never on a topic."""

    event_type: ClassVar[str] = "jp.kokuho.benefits.benefit_payment_ordered.v1"

    payment_id: UUID
    decision_id: UUID
    benefit_kind: Literal[
        "high_cost", "funeral", "childbirth", "medical_expense", "special_care", "combined_care"
    ]
    nhi_household_number: HouseholdNumber
    payee_addressee_number: AddresseeNumber = Field(description="the payee (the applicant)")
    treatment_month: Month | None = Field(description="高額療養費: the 診療月")
    amount: int = Field(gt=0, description="yen")
    payment_date: date
    ordered_by: str = Field(min_length=1, max_length=200)
    ordered_on: date
    may_appropriate_to_arrears: bool = Field(
        default=False,
        description="特別療養費: the payout may be set against the household's arrears"
        " (rules.md §4.6); collection decides",
    )


class LumpSumBenefitApplied(EventContract):
    """葬祭費 or 出産育児一時金 applied for (entered by the first pair of eyes; review pending)."""

    event_type: ClassVar[str] = "jp.kokuho.benefits.lump_sum_benefit_applied.v1"

    application_id: UUID
    benefit_kind: Literal["funeral", "childbirth"]
    nhi_household_number: HouseholdNumber
    subject_addressee_number: AddresseeNumber = Field(description="the deceased, or the mother")
    event_date: date = Field(description="the day of death, or of birth")
    children: int = Field(ge=1, le=10)
    entered_by: str = Field(min_length=1, max_length=200)
    applied_on: date


class LumpSumBenefitDecided(EventContract):
    """The second pair of eyes approved (amount; with 直接支払制度 the part paid to the facility
    and the difference to the household) or refused (reason) a 葬祭費 / 出産育児一時金."""

    event_type: ClassVar[str] = "jp.kokuho.benefits.lump_sum_benefit_decided.v1"

    application_id: UUID
    benefit_kind: Literal["funeral", "childbirth"]
    nhi_household_number: HouseholdNumber
    approved: bool
    amount: int = Field(ge=0)
    to_institution: int = Field(ge=0)
    to_household: int = Field(ge=0)
    reason: str = Field(max_length=400)
    reviewed_by: str = Field(min_length=1, max_length=200)
    decided_on: date


class BenefitPaymentWithheld(EventContract):
    """A benefit decided but not paid: the household is under delinquency's 給付の一時差止
    (1 year 6 months of arrears, rules.md §4.6 ◐) on the day of the decision. Listed for
    staff; when delinquency releases the household the payment is ordered
    (``BenefitPaymentOrdered``) once. Identifiers, amounts and dates only."""

    event_type: ClassVar[str] = "jp.kokuho.benefits.benefit_payment_withheld.v1"

    decision_id: UUID = Field(description="the decision (the application id for a lump sum)")
    benefit_kind: Literal[
        "high_cost", "funeral", "childbirth", "medical_expense", "special_care", "combined_care"
    ]
    nhi_household_number: HouseholdNumber
    treatment_month: Month | None = Field(default=None, description="高額療養費: the 診療月")
    amount: int = Field(gt=0, description="yen withheld")
    withheld_on: date
    basis: Literal["rules.md §4.6 給付の一時差止"] = "rules.md §4.6 給付の一時差止"


class MedicalExpenseApplied(EventContract):
    """療養費 (補装具, 柔道整復, はり・きゅう, 海外療養費) applied for by the member (entered by the
    first pair of eyes; review pending). Amounts in yen (abroad converted by the clerk)."""

    event_type: ClassVar[str] = "jp.kokuho.benefits.medical_expense_applied.v1"

    application_id: UUID
    expense_kind: Literal["orthosis", "judo_therapy", "acupuncture", "overseas", "special_care"]
    nhi_household_number: HouseholdNumber
    patient_addressee_number: AddresseeNumber
    care_from: date
    paid_on: date
    paid_amount: int = Field(gt=0)
    standard_cost: int = Field(gt=0, description="what the same care costs under insurance")
    entered_by: str = Field(min_length=1, max_length=200)
    applied_on: date


class MedicalExpenseDecided(EventContract):
    """The second pair of eyes approved (the insurer's share of the allowed cost at the member's
    一部負担割合) or refused (reason) a 療養費."""

    event_type: ClassVar[str] = "jp.kokuho.benefits.medical_expense_decided.v1"

    application_id: UUID
    expense_kind: Literal["orthosis", "judo_therapy", "acupuncture", "overseas", "special_care"]
    nhi_household_number: HouseholdNumber
    approved: bool
    allowed_cost: int = Field(ge=0)
    copayment_rate_percent: int = Field(ge=0, le=100)
    amount: int = Field(ge=0)
    reason: str = Field(max_length=400)
    reviewed_by: str = Field(min_length=1, max_length=200)
    decided_on: date


class RepaymentClaimed(EventContract):
    """返納金 (不当利得, NHI-B-58) claimed from the person under four eyes: for collection to
    charge and collect (its 納入通知書 is benefits' notice). No claim details, no health data."""

    event_type: ClassVar[str] = "jp.kokuho.benefits.repayment_claimed.v1"

    repayment_id: UUID
    nhi_household_number: HouseholdNumber
    debtor_addressee_number: AddresseeNumber
    loss_date: date = Field(description="the qualification was lost from this day")
    claims: int = Field(ge=1, description="number of claims (レセプト) for care after it")
    amount: int = Field(gt=0, description="the insurer's share claimed back, yen")
    due_date: date = Field(description="納期限")
    proposed_by: str = Field(min_length=1, max_length=200)
    decided_by: str = Field(min_length=1, max_length=200)
    decided_on: date


class CombinedCareBenefitDecided(EventContract):
    """高額介護合算療養費 of a household and period (August – July, base date July 31) decided
    under four eyes: the excess over the annual limit and its split, the medical share paid by
    NHI (its ``BenefitPaymentOrdered`` kind ``combined_care``) and the LTC share the LTC insurer
    pays (他保険者分, for the LTC insurer to act on). Amounts only, no self-pays per person."""

    event_type: ClassVar[str] = "jp.kokuho.benefits.combined_care_benefit_decided.v1"

    application_id: UUID
    nhi_household_number: HouseholdNumber
    base_date: date
    approved: bool
    excess: int = Field(ge=0, description="the benefit in total, yen")
    medical_share: int = Field(ge=0, description="paid by NHI (自保険者分)")
    ltc_share: int = Field(ge=0, description="paid by the LTC insurer (他保険者分)")
    reason: str = Field(max_length=500)
    entered_by: str = Field(min_length=1, max_length=200)
    reviewed_by: str = Field(min_length=1, max_length=200)
    decided_on: date
