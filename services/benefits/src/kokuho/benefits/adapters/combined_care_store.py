"""高額介護合算療養費 on PostgreSQL (``ltc_self_pays``, ``ltc_imports``,
``combined_care_applications``) and the in-memory twin (the same tests,
``tests/unit/test_combined_care.py``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from kokuho.benefits.adapters.lump_sum_store import ACCOUNT
from kokuho.benefits.app.ports import PayeeAccount
from kokuho.benefits.domain import combined_care as cc
from kokuho.benefits.domain.high_cost.household_month import AgeBand
from kokuho.benefits.domain.high_cost.limits import ElderlyCategory, Under70Category
from kokuho.benefits.domain.ltc_file import LtcFile, LtcSelfPay

DECISION = ("status", "amount", "paid", "reason", "reviewed_by", "decided_on", "version")


def application_json(a: cc.Apply) -> str:
    c = a.calculation
    return json.dumps(
        {
            "application_id": str(a.application_id),
            "nhi_household_number": a.nhi_household_number,
            "year": a.year,
            "payee_addressee_number": a.payee_addressee_number,
            "under_70_category": a.under_70_category.value if a.under_70_category else None,
            "elderly_category": a.elderly_category.value if a.elderly_category else None,
            "members": [[m.person, m.age_band.value, m.medical, m.ltc] for m in a.members],
            "calculation": [
                c.excess,
                c.medical_share,
                c.ltc_share,
                c.medical_total,
                c.ltc_total,
                list(c.steps),
            ],
            "entered_by": a.entered_by,
            "today": a.today.isoformat(),
        },
        ensure_ascii=False,
    )


def application_of(raw: str | Mapping[str, Any]) -> cc.Apply:
    d = json.loads(raw) if isinstance(raw, str) else raw
    excess, med, ltc, med_total, ltc_total, steps = d["calculation"]
    return cc.Apply(
        UUID(d["application_id"]),
        d["nhi_household_number"],
        d["year"],
        d["payee_addressee_number"],
        Under70Category(d["under_70_category"]) if d["under_70_category"] else None,
        ElderlyCategory(d["elderly_category"]) if d["elderly_category"] else None,
        tuple(cc.MemberYear(p, AgeBand(b), m, c) for p, b, m, c in d["members"]),
        cc.Calculation(excess, med, ltc, med_total, ltc_total, tuple(steps)),
        d["entered_by"],
        date.fromisoformat(d["today"]),
    )


class PostgresCombinedCare:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def ltc_file_seen(self, sha256: str) -> bool:
        found = await self._conn.fetchval("SELECT 1 FROM ltc_imports WHERE sha256 = $1", sha256)
        return found is not None

    async def save_ltc_file(
        self, import_id: UUID, file_name: str, sha256: str, file: LtcFile, received_by: str
    ) -> None:
        await self._conn.execute(
            "INSERT INTO ltc_imports (import_id, file_name, sha256, base_date, rows, received_by)"
            " VALUES ($1, $2, $3, $4, $5, $6)",
            import_id,
            file_name,
            sha256,
            file.base_date,
            len(file.rows),
            received_by,
        )
        # a corrected file replaces the member's figure of the same base date
        await self._conn.executemany(
            "INSERT INTO ltc_self_pays (base_date, nhi_household_number, addressee_number,"
            " ltc_insurer, amount, import_id) VALUES ($1, $2, $3, $4, $5, $6)"
            " ON CONFLICT (base_date, nhi_household_number, addressee_number) DO UPDATE SET"
            " ltc_insurer = EXCLUDED.ltc_insurer, amount = EXCLUDED.amount,"
            " import_id = EXCLUDED.import_id",
            [
                (
                    file.base_date,
                    r.nhi_household_number,
                    r.addressee_number,
                    r.ltc_insurer,
                    r.amount,
                    import_id,
                )
                for r in file.rows
            ],
        )

    async def ltc_self_pays(self, nhi_household_number: str, base_date: date) -> list[LtcSelfPay]:
        rows = await self._conn.fetch(
            "SELECT * FROM ltc_self_pays WHERE nhi_household_number = $1 AND base_date = $2"
            " ORDER BY addressee_number",
            nhi_household_number,
            base_date,
        )
        return [
            LtcSelfPay(
                r["nhi_household_number"], r["addressee_number"], r["ltc_insurer"], r["amount"]
            )
            for r in rows
        ]

    async def add(self, state: cc.CombinedCare, account: PayeeAccount) -> None:
        a = state.application
        await self._conn.execute(
            "INSERT INTO combined_care_applications (application_id, nhi_household_number, year,"  # noqa: S608
            f" application, payee_addressee_number, {', '.join(ACCOUNT)}, status, version)"
            " VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10, $11, $12)",
            a.application_id,
            a.nhi_household_number,
            a.year,
            application_json(a),
            a.payee_addressee_number,
            *(getattr(account, f) for f in ACCOUNT),
            state.status,
            state.version,
        )

    async def applied(self, nhi_household_number: str, year: int) -> bool:
        found = await self._conn.fetchval(
            "SELECT 1 FROM combined_care_applications WHERE nhi_household_number = $1"
            " AND year = $2",
            nhi_household_number,
            year,
        )
        return found is not None

    async def get(self, application_id: UUID) -> cc.CombinedCare | None:
        r = await self._conn.fetchrow(
            "SELECT * FROM combined_care_applications WHERE application_id = $1", application_id
        )
        if r is None:
            return None
        values = {k: r[k] for k in DECISION}
        values["amount"], values["paid"] = int(values["amount"]), int(values["paid"])
        return cc.CombinedCare(application_of(r["application"]), **values)

    async def update(self, state: cc.CombinedCare) -> None:
        sets = ", ".join(f"{c} = ${i + 2}" for i, c in enumerate(DECISION))
        await self._conn.execute(
            f"UPDATE combined_care_applications SET {sets} WHERE application_id = $1",  # noqa: S608
            state.application.application_id,
            *(getattr(state, c) for c in DECISION),
        )


class InMemoryCombinedCare:
    def __init__(self) -> None:
        self.files: set[str] = set()
        self.self_pays: dict[tuple[date, str, str], LtcSelfPay] = {}
        self.rows: dict[UUID, cc.CombinedCare] = {}
        self.accounts: dict[UUID, PayeeAccount] = {}

    async def ltc_file_seen(self, sha256: str) -> bool:
        return sha256 in self.files

    async def save_ltc_file(
        self, import_id: UUID, file_name: str, sha256: str, file: LtcFile, received_by: str
    ) -> None:
        self.files.add(sha256)
        for r in file.rows:
            self.self_pays[(file.base_date, r.nhi_household_number, r.addressee_number)] = r

    async def ltc_self_pays(self, nhi_household_number: str, base_date: date) -> list[LtcSelfPay]:
        return sorted(
            (
                r
                for (day, household, _), r in self.self_pays.items()
                if day == base_date and household == nhi_household_number
            ),
            key=lambda r: r.addressee_number,
        )

    async def add(self, state: cc.CombinedCare, account: PayeeAccount) -> None:
        # the same JSON round trip as PostgreSQL, so both stores answer the same
        a = application_of(application_json(state.application))
        self.rows[a.application_id] = replace(state, application=a)
        self.accounts[a.application_id] = account

    async def applied(self, nhi_household_number: str, year: int) -> bool:
        return any(
            s.application.nhi_household_number == nhi_household_number
            and s.application.year == year
            for s in self.rows.values()
        )

    async def get(self, application_id: UUID) -> cc.CombinedCare | None:
        return self.rows.get(application_id)

    async def update(self, state: cc.CombinedCare) -> None:
        self.rows[state.application.application_id] = state
