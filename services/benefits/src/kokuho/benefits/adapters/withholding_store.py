"""給付の一時差止 periods and the payments withheld under them, on PostgreSQL
(``benefit_withholdings``, ``withheld_payments``) and their in-memory twin (the same contract
tests, ``tests/unit/test_withholding.py``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from kokuho.benefits.domain.withholding import WithheldPayment, Withholding

COLUMNS = (
    "stream_id",
    "benefit_kind",
    "nhi_household_number",
    "decision_id",
    "treatment_month",
    "amount",
    "withheld_on",
    "released_on",
    "payment_id",
)
UPSERT = (
    f"INSERT INTO withheld_payments ({', '.join(COLUMNS)})"  # noqa: S608 (constants)
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (stream_id) DO UPDATE SET"
    " decision_id = EXCLUDED.decision_id, amount = EXCLUDED.amount,"
    " withheld_on = EXCLUDED.withheld_on, released_on = NULL, payment_id = NULL"
)


def _payment(r: Mapping[str, Any]) -> WithheldPayment:
    return WithheldPayment(**{c: r[c] for c in COLUMNS})


def record(p: WithheldPayment) -> tuple[Any, ...]:
    return tuple(getattr(p, c) for c in COLUMNS)


async def periods_of(
    conn: asyncpg.Connection, numbers: Sequence[str]
) -> dict[str, list[Withholding]]:
    found: dict[str, list[Withholding]] = {}
    for r in await conn.fetch(
        "SELECT * FROM benefit_withholdings WHERE nhi_household_number = ANY($1::text[])",
        list(numbers),
    ):
        found.setdefault(r["nhi_household_number"], []).append(
            Withholding(r["nhi_household_number"], r["withheld_on"], r["released_on"])
        )
    return found


async def add_withheld(conn: asyncpg.Connection, payments: Sequence[WithheldPayment]) -> None:
    if payments:
        await conn.executemany(UPSERT, [record(p) for p in payments])


class PostgresWithholdings:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def withhold(self, w: Withholding) -> None:
        await self._conn.execute(
            "INSERT INTO benefit_withholdings (nhi_household_number, withheld_on)"
            " VALUES ($1, $2) ON CONFLICT DO NOTHING",
            w.nhi_household_number,
            w.withheld_on,
        )

    async def release(self, nhi_household_number: str, released_on: date) -> None:
        await self._conn.execute(
            "UPDATE benefit_withholdings SET released_on = $2"
            " WHERE nhi_household_number = $1 AND released_on IS NULL",
            nhi_household_number,
            released_on,
        )

    async def periods(self, nhi_household_number: str) -> list[Withholding]:
        return (await periods_of(self._conn, [nhi_household_number])).get(nhi_household_number, [])

    async def add_payment(self, payment: WithheldPayment) -> None:
        await add_withheld(self._conn, [payment])

    async def pending(self, nhi_household_number: str | None = None) -> list[WithheldPayment]:
        rows = await self._conn.fetch(
            "SELECT * FROM withheld_payments WHERE payment_id IS NULL"
            " AND ($1::text IS NULL OR nhi_household_number = $1)"
            " ORDER BY nhi_household_number, withheld_on, stream_id",
            nhi_household_number,
        )
        return [_payment(r) for r in rows]

    async def ordered(self, stream_id: str, payment_id: UUID, released_on: date) -> None:
        await self._conn.execute(
            "UPDATE withheld_payments SET payment_id = $2, released_on = $3 WHERE stream_id = $1",
            stream_id,
            payment_id,
            released_on,
        )


class InMemoryWithholdings:
    def __init__(self) -> None:
        self.periods_by: dict[str, list[Withholding]] = {}
        self.payments: dict[str, WithheldPayment] = {}

    async def withhold(self, w: Withholding) -> None:
        found = self.periods_by.setdefault(w.nhi_household_number, [])
        if all(p.withheld_on != w.withheld_on for p in found):
            found.append(w)

    async def release(self, nhi_household_number: str, released_on: date) -> None:
        self.periods_by[nhi_household_number] = [
            p if p.released_on else replace(p, released_on=released_on)
            for p in self.periods_by.get(nhi_household_number, [])
        ]

    async def periods(self, nhi_household_number: str) -> list[Withholding]:
        return list(self.periods_by.get(nhi_household_number, []))

    async def add_payment(self, payment: WithheldPayment) -> None:
        self.payments[payment.stream_id] = payment

    async def pending(self, nhi_household_number: str | None = None) -> list[WithheldPayment]:
        return sorted(
            (
                p
                for p in self.payments.values()
                if p.payment_id is None and nhi_household_number in (None, p.nhi_household_number)
            ),
            key=lambda p: (p.nhi_household_number, p.withheld_on, p.stream_id),
        )

    async def ordered(self, stream_id: str, payment_id: UUID, released_on: date) -> None:
        p = self.payments[stream_id]
        self.payments[stream_id] = replace(p, payment_id=payment_id, released_on=released_on)
