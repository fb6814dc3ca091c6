"""The premium of a household as assessment stores it: the engine's household built from the
projection and the income, the computed result with its explanation, the collection method
(特別徴収 or 普通徴収), and an explanation regenerated from stored inputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kokuho.assessment.app.explanation import component_json, explanation_json, statutory_level
from kokuho.assessment.app.ports import (
    HouseholdRow,
    ParametersFor,
    PensionRecord,
    StoredAssessment,
)
from kokuho.assessment.app.snapshot import household_from_json, household_json
from kokuho.assessment.domain.household import Childbirth, Household, Income, Person
from kokuho.assessment.domain.income_file import IncomeRecord
from kokuho.assessment.domain.parameters import PremiumParameters
from kokuho.assessment.domain.premium import assess
from kokuho.assessment.domain.reduction_exemption import forgiven_amount
from kokuho.assessment.domain.special_collection import decide_special_collection, deductions

#: birth date assumed for a deemed householder the tax file has not told us about: the
#: person is then treated as under 65 (no 15万 pension deduction), the cautious reading
UNKNOWN_BIRTH_DATE = date(1970, 1, 1)


def to_household(row: HouseholdRow, incomes: dict[str, IncomeRecord]) -> Household:
    people: list[Person] = []
    listed = set()
    for m in row.members:
        record = incomes.get(m.addressee_number)
        people.append(
            Person(
                addressee_number=m.addressee_number,
                birth_date=m.birth_date,
                income=record.income if record else Income(declared=False),
                insured=m.insured,
                acquisition_date=m.acquisition_date,
                loss_date=m.loss_date,
                specified_same_household=m.specified_same_household,
                former_dependant_since=m.former_dependant_since,
                childbirth=(
                    Childbirth(m.childbirth_date, m.childbirth_multiple)
                    if m.childbirth_date
                    else None
                ),
                involuntary_separation_date=m.involuntary_separation_date,
                care_exclusions=m.care_exclusions,
            )
        )
        listed.add(m.addressee_number)
    head = row.householder_addressee_number
    if head not in listed:
        record = incomes.get(head)
        people.append(
            Person(
                addressee_number=head,
                birth_date=record.birth_date if record else UNKNOWN_BIRTH_DATE,
                income=record.income if record else Income(declared=False),
                insured=False,
            )
        )
    return Household(row.nhi_household_number, head, tuple(people), row.specified_household_since)


def people_of(row: HouseholdRow) -> list[str]:
    return sorted({m.addressee_number for m in row.members} | {row.householder_addressee_number})


@dataclass(frozen=True)
class Computed:
    """An assessment computed but not stored (also the what-if answer)."""

    annual_amount: int
    reduction_exemption_amount: int
    statutory_reduction: int
    insured_months: int
    components: list[dict[str, Any]]
    explanation: dict[str, Any] | None
    documents: tuple[str, ...]
    inputs: dict[str, Any] = field(default_factory=dict)
    digest: str = ""


def compute(
    household: Household,
    params: PremiumParameters,
    forgiven_ratios: list[int] | None = None,
    *,
    explain: bool = True,
) -> Computed:
    result = assess(household, params, explain)
    forgiven = forgiven_amount(result.total, forgiven_ratios or [])
    explanation: dict[str, Any] | None = None
    if explain:
        explanation = explanation_json(result, params.documents)
        explanation["reduction_exemption"] = {
            "ratios_percent": list(forgiven_ratios or []),
            "amount": forgiven,
        }
        explanation["annual_amount"] = result.total - forgiven
    return Computed(
        annual_amount=result.total - forgiven,
        reduction_exemption_amount=forgiven,
        statutory_reduction=statutory_level(result),
        insured_months=result.insured_months,
        components=[component_json(c) for c in result.components],
        explanation=explanation,
        documents=params.documents,
        inputs=household_json(household, forgiven_ratios or []),
        digest=params.digest,
    )


def explain_stored(stored: StoredAssessment, parameters_for: ParametersFor) -> dict[str, Any]:
    """The stored explanation, or one regenerated from the stored inputs (annual run)."""
    if stored.explanation is not None:
        return stored.explanation
    if not stored.inputs:
        return {"components": [], "annual_amount": stored.annual_amount}
    params = parameters_for(stored.fiscal_year)
    household, ratios = household_from_json(stored.inputs)
    regenerated = compute(household, params, ratios).explanation or {}
    regenerated["regenerated_from_inputs"] = True
    regenerated["parameters_changed_since_assessment"] = params.digest != stored.parameters_digest
    return regenerated


@dataclass(frozen=True)
class CollectionFacts:
    """What decides the collection method: the householder's pension and the householder's
    requested method (``ordinary`` = 口座振替 on request, ``special`` = back to 特別徴収)."""

    pension: PensionRecord | None = None
    requested: str | None = None


def collection_of(
    household: Household, params: PremiumParameters, annual_amount: int, facts: CollectionFacts
) -> dict[str, Any]:
    """特別徴収 when every condition of rules.md 2.6 holds (the what-if calculation's own
    decision), with its 仮徴収/本徴収 deductions; otherwise 普通徴収 with the failing conditions."""
    record = facts.pension
    decision = decide_special_collection(
        household,
        params,
        annual_amount,
        record.pension if record else None,
        requested_ordinary=facts.requested == "ordinary",
    )
    if not decision.applies or record is None:
        return {"method": "ordinary", "reasons": list(decision.reasons), "deductions": []}
    return {
        "method": "special",
        "reasons": [],
        "deductions": [
            {"month": d.month, "kind": d.kind, "amount": d.amount}
            for d in deductions(annual_amount, record.previous_february, params)
        ],
    }
