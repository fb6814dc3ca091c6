"""Response bodies built from what the use cases return."""

from __future__ import annotations

from typing import Any

from kokuho.assessment.api.schemas import (
    AssessmentOut,
    IncomeImportOut,
    IncomeOut,
    ReassessedOut,
    ReductionExemptionOut,
    RefusedLineOut,
)
from kokuho.assessment.app.assessing import AssessOutcome
from kokuho.assessment.app.income import ImportOutcome
from kokuho.assessment.app.ports import StoredAssessment
from kokuho.assessment.domain.income_file import IncomeRecord
from kokuho.assessment.domain.reduction_exemption import ReductionExemption


def reassessed(outcomes: list[AssessOutcome]) -> list[ReassessedOut]:
    return [
        ReassessedOut(
            nhi_household_number=o.assessment.nhi_household_number,
            fiscal_year=o.assessment.fiscal_year,
            revision=o.assessment.revision,
            annual_amount=o.assessment.annual_amount,
            changed=o.changed,
        )
        for o in outcomes
    ]


def assessment_out(a: StoredAssessment, explanation: dict[str, Any] | None = None) -> AssessmentOut:
    return AssessmentOut(
        nhi_household_number=a.nhi_household_number,
        fiscal_year=a.fiscal_year,
        revision=a.revision,
        assessment_id=a.assessment_id,
        annual_amount=a.annual_amount,
        statutory_reduction=a.statutory_reduction,
        reduction_exemption_amount=a.reduction_exemption_amount,
        cause=a.cause,
        components=a.components,
        instalments=a.instalments,
        explanation=explanation or a.explanation or {},
        collection=a.collection,
    )


def exemption_out(
    a: ReductionExemption, stored: StoredAssessment | None = None
) -> ReductionExemptionOut:
    return ReductionExemptionOut(
        application_id=a.application_id,
        nhi_household_number=a.nhi_household_number,
        fiscal_year=a.fiscal_year,
        reason_code=a.reason_code,
        reason=a.reason,
        ratio_percent=a.ratio_percent,
        status=a.status,
        entered_by=a.entered_by,
        decided_by=a.decided_by,
        decision_reason=a.decision_reason,
        assessment=assessment_out(stored) if stored else None,
    )


def import_out(outcome: ImportOutcome) -> IncomeImportOut:
    receipt = outcome.receipt
    return IncomeImportOut(
        import_id=receipt.import_id,
        status=receipt.status,  # type: ignore[arg-type]
        lines=receipt.lines,
        applied=receipt.applied_lines,
        discarded_non_subjects=receipt.discarded_non_subjects,
        income_facts_stated=outcome.facts_stated,
        rejected=[RefusedLineOut(**r) for r in receipt.rejected],
        reassessed=reassessed(outcome.reassessed),
    )


def income_out(record: IncomeRecord) -> IncomeOut:
    i = record.income
    return IncomeOut(
        addressee_number=record.addressee_number,
        income_year=record.income_year,
        declared=i.declared,
        salary_revenue=i.salary_revenue,
        salary_income=i.salary_income,
        pension_revenue=i.pension_revenue,
        pension_income=i.pension_income,
        other_income=i.other_income,
        family_employee_deduction=i.family_employee_deduction,
        transfer_special_deduction=i.transfer_special_deduction,
        fixed_asset_tax=i.fixed_asset_tax,
        resident_tax_status=record.resident_tax_status,
        taxable_income=f.taxable_income if (f := record.benefit_figures) else None,
        other_revenue=f.other_revenue if f else None,
    )
