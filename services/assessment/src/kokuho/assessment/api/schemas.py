"""Request and response bodies of the assessment API (integer yen, ISO dates)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

AddresseeNumber = Annotated[str, Field(pattern=r"^[0-9]{10}$", description="宛名番号")]
HouseholdNumber = Annotated[str, Field(pattern=r"^[0-9]{10}$", description="国保世帯番号")]
FiscalYear = Annotated[int, Field(ge=2000, le=2100, description="fiscal year (April–March)")]
Yen = Annotated[int, Field(ge=0, le=100_000_000_000)]
#: dates the premium rules can reason about (an age needs a year to add 75 to)
Day = Annotated[date, Field(ge=date(1890, 1, 1), le=date(2200, 12, 31))]


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IncomeImportIn(Closed):
    file_name: str = Field(min_length=1, max_length=200)
    content: str = Field(max_length=100_000_000, description="the CSV file (README: format)")
    apply_valid_part: bool = Field(
        default=False,
        description="apply the valid lines of a file that has refused lines (recorded)",
    )


class RefusedLineOut(BaseModel):
    line: int
    field: str | None
    reason: str


class ReassessedOut(BaseModel):
    nhi_household_number: str
    fiscal_year: int
    revision: int
    annual_amount: int
    changed: bool


class IncomeImportOut(BaseModel):
    import_id: UUID
    status: Literal["applied", "partially_applied"]
    lines: int
    applied: int
    rejected: list[RefusedLineOut]
    reassessed: list[ReassessedOut]


class NoIncomeDeclarationIn(Closed):
    addressee_number: AddresseeNumber
    income_year: FiscalYear
    birth_date: Day
    channel: Literal["counter", "mail", "e_application"]


class NoIncomeDeclarationOut(BaseModel):
    addressee_number: str
    income_year: int
    reassessed: list[ReassessedOut]


class IncomeOut(BaseModel):
    addressee_number: str
    income_year: int
    declared: bool
    salary_revenue: int
    salary_income: int
    pension_revenue: int
    pension_income: int
    other_income: int
    family_employee_deduction: int
    transfer_special_deduction: int
    fixed_asset_tax: int
    resident_tax_status: str


class AssessIn(Closed):
    nhi_household_number: HouseholdNumber
    fiscal_year: FiscalYear


class AssessmentOut(BaseModel):
    nhi_household_number: str
    fiscal_year: int
    revision: int
    assessment_id: UUID
    annual_amount: int
    statutory_reduction: int
    reduction_exemption_amount: int
    cause: str
    components: list[dict[str, Any]]
    instalments: list[dict[str, Any]]
    explanation: dict[str, Any]
    collection: dict[str, Any] = Field(
        default_factory=dict,
        description="method (ordinary 普通徴収 | special 特別徴収), failing conditions, deductions",
    )


class PensionIn(Closed):
    """The householder's pension for a fiscal year as the pension insurer reports it
    (NHI-A-24..26), and the previous February's deduction that sets 仮徴収."""

    addressee_number: AddresseeNumber
    fiscal_year: FiscalYear
    annual_amount: Yen = Field(description="年金額 of the pension bearing 介護保険料 特別徴収")
    ltc_special_collection: bool = Field(description="介護保険料 is deducted from this pension")
    ltc_premium: Yen = Field(description="annual 介護保険料 deducted from it")
    previous_february_deduction: Yen = Field(
        default=0, description="the 2月 deduction of the previous year (仮徴収 amount)"
    )


class PensionOut(BaseModel):
    addressee_number: str
    fiscal_year: int
    reassessed: list[ReassessedOut]


class CollectionMethodRequestIn(Closed):
    """The householder's request: ``ordinary`` (普通徴収 by 口座振替) or ``special`` (back to
    特別徴収 when the conditions hold)."""

    nhi_household_number: HouseholdNumber
    fiscal_year: FiscalYear
    method: Literal["ordinary", "special"]
    reason: str = Field(min_length=1, max_length=400, pattern=r"\S")


class CollectionMethodRequestOut(BaseModel):
    nhi_household_number: str
    fiscal_year: int
    method: str
    reassessed: list[ReassessedOut]


class ReductionExemptionIn(Closed):
    nhi_household_number: HouseholdNumber
    fiscal_year: FiscalYear
    reason_code: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")
    #: C-24: a reason that says something (not only blanks); named in the 422 otherwise
    reason: str = Field(min_length=1, max_length=1000, pattern=r"\S")
    ratio_percent: int = Field(ge=1, le=100)


class DecisionIn(Closed):
    approve: bool
    #: C-24: a reason that says something (not only blanks); named in the 422 otherwise
    reason: str = Field(min_length=1, max_length=1000, pattern=r"\S")


class ReductionExemptionOut(BaseModel):
    application_id: UUID
    nhi_household_number: str
    fiscal_year: int
    reason_code: str
    reason: str
    ratio_percent: int
    status: str
    entered_by: str
    decided_by: str | None
    decision_reason: str | None
    assessment: AssessmentOut | None = None


class WhatIfIncome(Closed):
    declared: bool = True
    salary_revenue: Yen = 0
    salary_income: Yen = 0
    pension_revenue: Yen = 0
    pension_income: Yen = 0
    other_income: Yen = 0
    family_employee_deduction: Yen = 0
    transfer_special_deduction: Yen = 0
    fixed_asset_tax: Yen = 0


class WhatIfPerson(Closed):
    label: str = Field(
        min_length=1,
        max_length=20,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="a label for the explanation (never a name)",
    )
    birth_date: Day
    insured: bool = True
    specified_same_household: bool = False
    acquisition_date: Day | None = None
    loss_date: Day | None = None
    former_dependant_since: Day | None = None
    childbirth_date: Day | None = None
    childbirth_multiple: bool = False
    involuntary_separation_date: Day | None = None
    income: WhatIfIncome = Field(default_factory=WhatIfIncome)


class WhatIfPension(Closed):
    """The householder's pension, to tell whether 特別徴収 applies (rules.md 2.6)."""

    annual_amount: Yen
    ltc_special_collection: bool = Field(description="介護保険料 already deducted from it")
    ltc_premium: Yen = Field(description="annual 介護保険料 deducted from it")
    previous_february: Yen = Field(default=0, description="last February's deduction (仮徴収)")
    requested_ordinary: bool = Field(default=False, description="asked for 口座振替 instead")


class WhatIfIn(Closed):
    fiscal_year: FiscalYear
    householder: str = Field(min_length=1, max_length=20, description="label of the 世帯主")
    people: list[WhatIfPerson] = Field(min_length=1, max_length=20)
    specified_household_since: Day | None = None
    pension: WhatIfPension | None = None


class WhatIfOut(BaseModel):
    fiscal_year: int
    annual_amount: int
    statutory_reduction: int
    components: list[dict[str, Any]]
    explanation: dict[str, Any]
    special_collection: dict[str, Any] | None = None


class AnnualRunOut(BaseModel):
    run_id: UUID
    fiscal_year: int
    status: Literal["running", "finished"]
    started_at: datetime
    finished_at: datetime | None
    started_by: str
    households: int
    assessed: int
    unchanged: int
    refused: list[dict[str, str]]
    totals: dict[str, int]
    statutory_reductions: dict[str, int]
