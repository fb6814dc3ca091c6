"""The 特別療養費 flag periods on PostgreSQL (``special_care_periods``) and their in-memory twin
(the same tests, ``tests/unit/test_special_care.py``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import asyncpg

from kokuho.benefits.domain.special_care import SpecialCarePeriod


class PostgresSpecialCare:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def flag(self, nhi_household_number: str, flagged_on: date) -> None:
        """A new period unless one is open (a repeated flag changes nothing)."""
        await self._conn.execute(
            "INSERT INTO special_care_periods (nhi_household_number, flagged_on)"
            " SELECT $1, $2 WHERE NOT EXISTS (SELECT 1 FROM special_care_periods"
            " WHERE nhi_household_number = $1 AND cleared_on IS NULL)"
            " ON CONFLICT DO NOTHING",
            nhi_household_number,
            flagged_on,
        )

    async def clear(self, nhi_household_number: str, cleared_on: date) -> None:
        await self._conn.execute(
            "UPDATE special_care_periods SET cleared_on = $2"
            " WHERE nhi_household_number = $1 AND cleared_on IS NULL",
            nhi_household_number,
            cleared_on,
        )

    async def periods(self, nhi_household_number: str) -> list[SpecialCarePeriod]:
        rows = await self._conn.fetch(
            "SELECT * FROM special_care_periods WHERE nhi_household_number = $1"
            " ORDER BY flagged_on",
            nhi_household_number,
        )
        return [
            SpecialCarePeriod(r["nhi_household_number"], r["flagged_on"], r["cleared_on"])
            for r in rows
        ]


class InMemorySpecialCare:
    def __init__(self) -> None:
        self.rows: list[SpecialCarePeriod] = []

    async def flag(self, nhi_household_number: str, flagged_on: date) -> None:
        mine = [p for p in self.rows if p.nhi_household_number == nhi_household_number]
        if any(p.cleared_on is None for p in mine) or any(p.flagged_on == flagged_on for p in mine):
            return
        self.rows.append(SpecialCarePeriod(nhi_household_number, flagged_on))

    async def clear(self, nhi_household_number: str, cleared_on: date) -> None:
        self.rows = [
            replace(p, cleared_on=cleared_on)
            if p.nhi_household_number == nhi_household_number and p.cleared_on is None
            else p
            for p in self.rows
        ]

    async def periods(self, nhi_household_number: str) -> list[SpecialCarePeriod]:
        return sorted(
            (p for p in self.rows if p.nhi_household_number == nhi_household_number),
            key=lambda p: p.flagged_on,
        )
