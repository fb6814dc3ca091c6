"""The 療養費 applications on PostgreSQL (``medical_expense_applications``) and their in-memory
twin (the same contract tests, ``tests/unit/test_medical_expenses.py``), on
``application_store``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kokuho.benefits.adapters.application_store import InMemoryApplications, PostgresApplications
from kokuho.benefits.domain import medical_expense as me

APPLICATION = (
    "application_id",
    "kind",
    "nhi_household_number",
    "patient_addressee_number",
    "age_band",
    "care_from",
    "paid_on",
    "paid_amount",
    "standard_cost",
    "payee_addressee_number",
    "entered_by",
)
DECISION = (
    "status",
    "allowed_cost",
    "rate_percent",
    "rate_basis",
    "amount",
    "paid",
    "reason",
    "reviewed_by",
    "decided_on",
    "version",
)


class PostgresMedicalExpenses(PostgresApplications[me.MedicalExpense]):
    table = "medical_expense_applications"
    decision = DECISION

    def row(self, state: me.MedicalExpense) -> dict[str, Any]:
        a = state.application
        return {
            **{
                c: getattr(a, c).value if c in ("kind", "age_band") else getattr(a, c)
                for c in APPLICATION
            },
            "applied_on": a.today,
            "status": state.status,
            "version": state.version,
        }

    def state(self, r: Mapping[str, Any]) -> me.MedicalExpense:
        application = me.Apply(
            r["application_id"],
            me.MedicalExpenseKind(r["kind"]),
            r["nhi_household_number"],
            r["patient_addressee_number"],
            me.AgeBand(r["age_band"]),
            r["care_from"],
            r["paid_on"],
            r["paid_amount"],
            r["standard_cost"],
            r["payee_addressee_number"],
            r["entered_by"],
            r["applied_on"],
        )
        return me.MedicalExpense(application, **{k: r[k] for k in DECISION})


class InMemoryMedicalExpenses(InMemoryApplications[me.MedicalExpense]):
    pass
