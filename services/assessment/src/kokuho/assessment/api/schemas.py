"""Request and response bodies of the assessment API (integer yen, ISO dates)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field

from kokuho.assessment.app.what_if import (
    Closed,
    Day,
    FiscalYear,
    WhatIfIn,
    WhatIfIncome,
    WhatIfOut,
    WhatIfPension,
    WhatIfPerson,
    Yen,
)
from kokuho.platform.models import FileContent, ResponseModel

__all__ = [
    "WhatIfIn",
    "WhatIfIncome",
    "WhatIfOut",
    "WhatIfPension",
    "WhatIfPerson",
]

AddresseeNumber = Annotated[str, Field(pattern=r"^[0-9]{10}$", description="宛名番号")]
HouseholdNumber = Annotated[str, Field(pattern=r"^[0-9]{10}$", description="国保世帯番号")]


class IncomeImportIn(Closed):
    file_name: str = Field(min_length=1, max_length=200)
    # The parser refuses an individual number line by line, naming the line (C-19).
    content: Annotated[str, FileContent] = Field(
        max_length=100_000_000, description="the CSV file (README: format)"
    )
    apply_valid_part: bool = Field(
        default=False,
        description="apply the valid lines of a file that has refused lines (recorded)",
    )


class RefusedLineOut(ResponseModel):
    line: int
    field: str | None
    reason: str


class ReassessedOut(ResponseModel):
    nhi_household_number: str
    fiscal_year: int
    revision: int
    annual_amount: int
    changed: bool


class IncomeImportOut(ResponseModel):
    import_id: UUID
    status: Literal["applied", "partially_applied"]
    lines: int
    applied: int
    #: valid lines of people who are not subjects (no member or householder known), dropped
    discarded_non_subjects: int
    #: households whose income facts were stated for benefits (ADR 0045)
    income_facts_stated: int
    rejected: list[RefusedLineOut]
    reassessed: list[ReassessedOut]


class NoIncomeDeclarationIn(Closed):
    addressee_number: AddresseeNumber
    income_year: FiscalYear
    birth_date: Day
    channel: Literal["counter", "mail", "e_application"]


class NoIncomeDeclarationOut(ResponseModel):
    addressee_number: str
    income_year: int
    reassessed: list[ReassessedOut]


class IncomeOut(ResponseModel):
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
    #: format 2 (ADR 0045); None when the line was of format 1
    taxable_income: int | None = None
    other_revenue: int | None = None


class IncomeRequestsOut(ResponseModel):
    """Subjects with no income of the year recorded: whom to ask the tax system about."""

    income_year: int
    addressee_numbers: list[str]
    truncated: bool


class AssessIn(Closed):
    nhi_household_number: HouseholdNumber
    fiscal_year: FiscalYear


class AssessmentOut(ResponseModel):
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


class PensionOut(ResponseModel):
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


class CollectionMethodRequestOut(ResponseModel):
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


class ReductionExemptionOut(ResponseModel):
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


class AnnualRunOut(ResponseModel):
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
