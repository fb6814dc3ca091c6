"""保険料試算 (what-if): the premium of a described household (labels, never names), and with
the householder's pension whether 特別徴収 applies; no stored data is touched. The request and
answer are shared by ``POST /premium-calculations`` and the ``what-if`` command."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import Field

from kokuho.assessment.app.computing import compute
from kokuho.assessment.app.ports import ParametersFor
from kokuho.assessment.app.rate_simulation import ParameterSet
from kokuho.assessment.domain import gross_income
from kokuho.assessment.domain.errors import AssessmentError
from kokuho.assessment.domain.household import Childbirth, Household, Income, Person
from kokuho.assessment.domain.parameters import PremiumParameters
from kokuho.assessment.domain.special_collection import (
    Pension,
    decide_special_collection,
    deductions,
)
from kokuho.platform.models import RequestModel, ResponseModel

FiscalYear = Annotated[int, Field(ge=2000, le=2100, description="fiscal year (April–March)")]
Yen = Annotated[int, Field(ge=0, le=100_000_000_000)]
#: dates the premium rules can reason about (an age needs a year to add 75 to)
Day = Annotated[date, Field(ge=date(1890, 1, 1), le=date(2200, 12, 31))]


class Closed(RequestModel):
    """A request body: closed (an unknown field is named in the 422), immutable, no control
    characters anywhere."""


class HouseholderNotListed(AssessmentError):
    """The householder's label is not among the people described."""

    slug = "householder-not-listed"
    #: where the problem is in the request (the answer names it)
    pointer = "/body/householder"

    def __init__(self) -> None:
        super().__init__("householder must be one of the people")


class WhatIfIncome(Closed):
    """Previous-year income. A 所得 left out is worked out from its 収入 by the income year's
    tables (給与所得控除, 公的年金等控除, 所得金額調整控除) and the conversion is shown in the
    explanation; a 所得 given (from tax data) is used as given."""

    declared: bool = True
    salary_revenue: Yen = 0
    salary_income: Yen | None = Field(default=None, description="給与所得; omitted: from 給与収入")
    pension_revenue: Yen = 0
    pension_income: Yen | None = Field(default=None, description="年金所得; omitted: from 収入")
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
    attributes: list[Annotated[str, Field(pattern=r"^[a-z_]{1,30}$")]] = Field(
        default_factory=list,
        max_length=10,
        description="facts a city reduction may ask for (e.g. disability)",
    )


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
    parameters: ParameterSet | None = Field(
        default=None,
        description="a candidate parameter set (city figures by dotted name) instead of the "
        "year's current figures (料率改定試算 for one household)",
    )


class WhatIfOut(ResponseModel):
    fiscal_year: int
    annual_amount: int
    statutory_reduction: int
    components: list[dict[str, Any]]
    explanation: dict[str, Any]
    special_collection: dict[str, Any] | None = None


class GrossIncomeUnconvertible(AssessmentError):
    """The year's parameters have no 収入 → 所得 tables (a city's own files without them)."""

    slug = "income-conversion-missing"

    def __init__(self, fiscal_year: int) -> None:
        super().__init__(
            f"fiscal year {fiscal_year} has no income_conversion tables: give 給与所得 and "
            "年金所得 instead of 収入 alone"
        )


def converted_income(
    p: WhatIfPerson, params: PremiumParameters
) -> tuple[Income, list[dict[str, Any]]]:
    """The person's :class:`Income`, each 所得 left out worked out from its 収入, with the
    conversions for the explanation."""
    given = p.income
    fields = given.model_dump()
    steps: list[dict[str, Any]] = []
    if given.salary_income is not None and given.pension_income is not None:
        return Income(**fields), steps
    conversion = params.income_conversion
    if conversion is None:
        raise GrossIncomeUnconvertible(params.fiscal_year)
    salary = given.salary_income
    if salary is None:
        done = gross_income.salary_income(given.salary_revenue, conversion)
        salary = done.income
        steps.append(_step(p.label, done))
    pension = given.pension_income
    if pension is None:
        senior = gross_income.senior_for_pension(p.birth_date, conversion.income_year)
        done = gross_income.pension_income(
            given.pension_revenue, senior, salary + given.other_income, conversion
        )
        pension = done.income
        steps.append(_step(p.label, done))
    if given.salary_income is None:
        adjustment = gross_income.salary_pension_adjustment(salary, pension, conversion)
        if adjustment:
            steps.append(
                {
                    "label": p.label,
                    "kind": "salary_pension_adjustment",
                    "deduction": adjustment,
                    "income": salary - adjustment,
                    "note": f"所得金額調整控除 {adjustment}: 給与所得 {salary} → "
                    f"{salary - adjustment}",
                }
            )
            salary -= adjustment
    fields.update(salary_income=salary, pension_income=pension)
    return Income(**fields), steps


def _step(label: str, done: gross_income.Converted) -> dict[str, Any]:
    return {
        "label": label,
        "kind": done.kind,
        "revenue": done.revenue,
        "deduction": done.deduction,
        "income": done.income,
        "band_from": done.band_from,
        "note": done.note,
    }


def what_if_household(
    body: WhatIfIn, params: PremiumParameters
) -> tuple[Household, list[dict[str, Any]]]:
    """The engine's household, and the 収入 → 所得 conversions made for it."""
    labels = [p.label for p in body.people]
    if body.householder not in labels:
        raise HouseholderNotListed()
    incomes = {p.label: converted_income(p, params) for p in body.people}
    people = tuple(
        Person(
            addressee_number=p.label,
            birth_date=p.birth_date,
            income=incomes[p.label][0],
            insured=p.insured,
            acquisition_date=p.acquisition_date,
            loss_date=p.loss_date,
            specified_same_household=p.specified_same_household,
            former_dependant_since=p.former_dependant_since,
            childbirth=Childbirth(p.childbirth_date, p.childbirth_multiple)
            if p.childbirth_date
            else None,
            involuntary_separation_date=p.involuntary_separation_date,
            attributes=frozenset(p.attributes),
        )
        for p in body.people
    )
    household = Household("what-if", body.householder, people, body.specified_household_since)
    return household, [step for _, steps in incomes.values() for step in steps]


def what_if_parameters(body: WhatIfIn, rules: ParametersFor) -> PremiumParameters:
    """The year's parameters, or the candidate set given in the request."""
    if body.parameters is None:
        return rules(body.fiscal_year)
    return rules.candidate(body.fiscal_year, body.parameters.name, body.parameters.figures)


def premium_calculation(body: WhatIfIn, params: PremiumParameters) -> WhatIfOut:
    """The what-if result for a described household (shared by the endpoint and the CLI)."""
    household, conversions = what_if_household(body, params)
    computed = compute(household, params)
    special: dict[str, Any] | None = None
    if body.pension is not None:
        pension = Pension(
            body.pension.annual_amount,
            body.pension.ltc_special_collection,
            body.pension.ltc_premium,
        )
        decision = decide_special_collection(
            household, params, computed.annual_amount, pension, body.pension.requested_ordinary
        )
        special = {
            "applies": decision.applies,
            "reasons": list(decision.reasons),
            "deductions": [
                {"month": d.month, "kind": d.kind, "amount": d.amount}
                for d in deductions(computed.annual_amount, body.pension.previous_february, params)
            ]
            if decision.applies
            else [],
        }
    return WhatIfOut(
        fiscal_year=body.fiscal_year,
        annual_amount=computed.annual_amount,
        statutory_reduction=computed.statutory_reduction,
        components=computed.components,
        explanation={**(computed.explanation or {}), "income_conversion": conversions},
        special_collection=special,
    )
