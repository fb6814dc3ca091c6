"""The 療養費 applications on PostgreSQL (``medical_expense_applications``) and their in-memory
twin (the same contract tests, ``tests/unit/test_medical_expenses.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

import asyncpg

from kokuho.benefits.adapters.lump_sum_store import ACCOUNT
from kokuho.benefits.app.ports import PayeeAccount
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


def _state(r: Mapping[str, Any]) -> me.MedicalExpense:
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


class PostgresMedicalExpenses:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, state: me.MedicalExpense, account: PayeeAccount) -> None:
        a = state.application
        columns = (*APPLICATION, *ACCOUNT, "applied_on", "status", "version")
        values = (
            *(
                getattr(a, c).value if c in ("kind", "age_band") else getattr(a, c)
                for c in APPLICATION
            ),
            *(getattr(account, f) for f in ACCOUNT),
            a.today,
            state.status,
            state.version,
        )
        marks = ", ".join(f"${i + 1}" for i in range(len(columns)))
        await self._conn.execute(
            f"INSERT INTO medical_expense_applications ({', '.join(columns)})"  # noqa: S608
            f" VALUES ({marks})",
            *values,
        )

    async def get(self, application_id: UUID) -> me.MedicalExpense | None:
        row = await self._conn.fetchrow(
            "SELECT * FROM medical_expense_applications WHERE application_id = $1", application_id
        )
        return None if row is None else _state(row)

    async def update(self, state: me.MedicalExpense) -> None:
        sets = ", ".join(f"{c} = ${i + 2}" for i, c in enumerate(DECISION))
        await self._conn.execute(
            f"UPDATE medical_expense_applications SET {sets} WHERE application_id = $1",  # noqa: S608
            state.application.application_id,
            *(getattr(state, c) for c in DECISION),
        )


class InMemoryMedicalExpenses:
    def __init__(self) -> None:
        self.rows: dict[UUID, me.MedicalExpense] = {}
        self.accounts: dict[UUID, PayeeAccount] = {}

    async def add(self, state: me.MedicalExpense, account: PayeeAccount) -> None:
        self.rows[state.application.application_id] = state
        self.accounts[state.application.application_id] = account

    async def get(self, application_id: UUID) -> me.MedicalExpense | None:
        return self.rows.get(application_id)

    async def update(self, state: me.MedicalExpense) -> None:
        self.rows[state.application.application_id] = state
