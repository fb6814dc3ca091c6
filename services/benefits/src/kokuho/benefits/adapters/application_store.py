"""An application reviewed by four eyes, stored (葬祭費 / 出産育児一時金 in ``lump_sum_store``,
療養費 / 特別療養費 in ``medical_expense_store``): one row per application in its table, its
payee account beside it (benefits' database only), the decision's columns rewritten on each
review; and the in-memory twin the contract tests hold to the same answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, Generic, Protocol, TypeVar
from uuid import UUID

import asyncpg

from kokuho.benefits.app.ports import PayeeAccount

ACCOUNT = ("bank_code", "branch_code", "account_type", "account_number", "holder_kana")


class Stored(Protocol):
    @property
    def application(self) -> Any: ...


S = TypeVar("S", bound=Stored)


class PostgresApplications(Generic[S]):
    #: the table, the decision's columns (fields of the state of the same names), the row of a
    #: new application (its columns but the account's) and the state of a row
    table: str
    decision: tuple[str, ...]

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    def row(self, state: S) -> dict[str, Any]:
        raise NotImplementedError

    def state(self, row: Mapping[str, Any]) -> S:
        raise NotImplementedError

    async def add(self, state: S, account: PayeeAccount) -> None:
        row = {**self.row(state), **{f: getattr(account, f) for f in ACCOUNT}}
        marks = ", ".join(f"${i + 1}" for i in range(len(row)))
        await self._conn.execute(
            f"INSERT INTO {self.table} ({', '.join(row)}) VALUES ({marks})",  # noqa: S608
            *row.values(),
        )

    async def find(self, column: str, value: Any) -> S | None:
        row = await self._conn.fetchrow(
            f"SELECT * FROM {self.table} WHERE {column} = $1",  # noqa: S608
            value,
        )
        return None if row is None else self.state(row)

    async def get(self, application_id: UUID) -> S | None:
        return await self.find("application_id", application_id)

    async def update(self, state: S) -> None:
        sets = ", ".join(f"{c} = ${i + 2}" for i, c in enumerate(self.decision))
        await self._conn.execute(
            f"UPDATE {self.table} SET {sets} WHERE application_id = $1",  # noqa: S608
            state.application.application_id,
            *(getattr(state, c) for c in self.decision),
        )


class InMemoryApplications(Generic[S]):
    def __init__(self) -> None:
        self.rows: dict[UUID, S] = {}
        self.accounts: dict[UUID, PayeeAccount] = {}

    async def add(self, state: S, account: PayeeAccount) -> None:
        self.rows[state.application.application_id] = state
        self.accounts[state.application.application_id] = account

    async def find(self, matches: Callable[[S], bool]) -> S | None:
        return next((s for s in self.rows.values() if matches(s)), None)

    async def get(self, application_id: UUID) -> S | None:
        found = self.rows.get(application_id)
        return None if found is None else replace(found)  # type: ignore[type-var]

    async def update(self, state: S) -> None:
        self.rows[state.application.application_id] = state
