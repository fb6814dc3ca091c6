"""The 葬祭費 / 出産育児一時金 applications on PostgreSQL (``lump_sum_applications``) and their
in-memory twin (the same contract tests, ``tests/unit/test_lump_sums.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from uuid import UUID

import asyncpg

from kokuho.benefits.app.ports import PayeeAccount
from kokuho.benefits.domain import lump_sum as ls

ACCOUNT = ("bank_code", "branch_code", "account_type", "account_number", "holder_kana")
DECISION = (
    "status",
    "amount",
    "to_institution",
    "to_household",
    "paid",
    "reason",
    "reviewed_by",
    "decided_on",
    "version",
)


def _state(r: Mapping[str, Any]) -> ls.LumpSum:
    application = ls.Apply(
        r["application_id"],
        ls.LumpSumKind(r["kind"]),
        r["nhi_household_number"],
        r["subject_addressee_number"],
        r["event_date"],
        r["payee_addressee_number"],
        r["entered_by"],
        r["applied_on"],
        r["funeral_date"],
        ls.BirthCategory(r["birth_category"]) if r["birth_category"] else None,
        r["children"],
        r["institution_paid"],
    )
    return ls.LumpSum(application, **{k: r[k] for k in DECISION})


class PostgresLumpSums:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, state: ls.LumpSum, account: PayeeAccount) -> None:
        a = state.application
        await self._conn.execute(
            "INSERT INTO lump_sum_applications (application_id, stream_id, kind,"
            " nhi_household_number, subject_addressee_number, event_date, funeral_date,"
            " birth_category, children, institution_paid, payee_addressee_number, bank_code,"
            " branch_code, account_type, account_number, holder_kana, entered_by, applied_on,"
            " status, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,"
            " $14, $15, $16, $17, $18, $19, $20)",
            a.application_id,
            ls.stream_id(a),
            a.kind.value,
            a.nhi_household_number,
            a.subject_addressee_number,
            a.event_date,
            a.funeral_date,
            a.birth_category.value if a.birth_category else None,
            a.children,
            a.institution_paid,
            a.payee_addressee_number,
            *(getattr(account, f) for f in ACCOUNT),
            a.entered_by,
            a.today,
            state.status,
            state.version,
        )

    async def by_stream(self, stream_id: str) -> ls.LumpSum | None:
        row = await self._conn.fetchrow(
            "SELECT * FROM lump_sum_applications WHERE stream_id = $1", stream_id
        )
        return None if row is None else _state(row)

    async def get(self, application_id: UUID) -> ls.LumpSum | None:
        row = await self._conn.fetchrow(
            "SELECT * FROM lump_sum_applications WHERE application_id = $1", application_id
        )
        return None if row is None else _state(row)

    async def update(self, state: ls.LumpSum) -> None:
        sets = ", ".join(f"{c} = ${i + 2}" for i, c in enumerate(DECISION))
        await self._conn.execute(
            f"UPDATE lump_sum_applications SET {sets} WHERE application_id = $1",  # noqa: S608
            state.application.application_id,
            *(getattr(state, c) for c in DECISION),
        )


class InMemoryLumpSums:
    def __init__(self) -> None:
        self.rows: dict[UUID, ls.LumpSum] = {}
        self.accounts: dict[UUID, PayeeAccount] = {}

    async def add(self, state: ls.LumpSum, account: PayeeAccount) -> None:
        self.rows[state.application.application_id] = state
        self.accounts[state.application.application_id] = account

    async def by_stream(self, stream_id: str) -> ls.LumpSum | None:
        return next(
            (s for s in self.rows.values() if ls.stream_id(s.application) == stream_id), None
        )

    async def get(self, application_id: UUID) -> ls.LumpSum | None:
        found = self.rows.get(application_id)
        return None if found is None else replace(found)

    async def update(self, state: ls.LumpSum) -> None:
        self.rows[state.application.application_id] = state
