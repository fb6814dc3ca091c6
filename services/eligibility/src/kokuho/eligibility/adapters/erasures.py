"""Erasure requests (C-95 under four eyes) on PostgreSQL and in memory; both pass
``tests/integration/test_unit_contract.py``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from kokuho.eligibility.domain import errors as e
from kokuho.eligibility.domain.erasure import ErasureRequest
from kokuho.eligibility.domain.retention import ErasureRecord

_PENDING = (
    "SELECT request_id::text, addressee_number, reason, requested_by, requested_at, status,"
    " decided_by, decided_at FROM erasure_requests"
    " WHERE addressee_number = $1 AND status = 'pending' FOR UPDATE"
)


class PostgresErasures:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def pending(self, addressee_number: str) -> ErasureRequest | None:
        row = await self._conn.fetchrow(_PENDING, addressee_number)
        return ErasureRequest(**dict(row)) if row else None

    async def save(self, request: ErasureRequest) -> None:
        """Insert a new request or record the decision of a pending one."""
        try:
            async with self._conn.transaction():  # a savepoint: the one-pending index
                await self._conn.execute(
                    "INSERT INTO erasure_requests (request_id, addressee_number, reason,"
                    " requested_by, requested_at, status, decided_by, decided_at)"
                    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                    " ON CONFLICT (request_id) DO UPDATE SET status = EXCLUDED.status,"
                    " decided_by = EXCLUDED.decided_by, decided_at = EXCLUDED.decided_at"
                    " WHERE erasure_requests.status = 'pending'",
                    *_values(request),
                )
        except asyncpg.UniqueViolationError:
            raise e.ErasureAlreadyRequested(request.addressee_number, "concurrent") from None

    async def held(self) -> list[str]:
        """Addressee numbers whose details are still held (the retention job's candidates)."""
        rows = await self._conn.fetch("SELECT addressee_number FROM persons ORDER BY 1")
        return [r["addressee_number"] for r in rows]

    async def record(self, records: list[ErasureRecord]) -> None:
        """C-96; a store already recorded for the subject stays as first recorded."""
        await self._conn.executemany(
            "INSERT INTO erasure_records (data_class, subject, store, erased_on, erased_at,"
            " erased_by, basis) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            " ON CONFLICT (data_class, subject, store) DO NOTHING",
            [
                (r.data_class, r.subject, r.store, r.erased_on, r.erased_at, r.erased_by, r.basis)
                for r in records
            ],
        )

    async def records(self, limit: int, after: int | None) -> list[tuple[int, ErasureRecord]]:
        rows = await self._conn.fetch(
            "SELECT id, data_class, subject, store, erased_on, erased_at, erased_by, basis"
            " FROM erasure_records WHERE id > $1 ORDER BY id LIMIT $2",
            after or 0,
            limit,
        )
        return [(r["id"], _record(dict(r))) for r in rows]


def _values(r: ErasureRequest) -> tuple[Any, ...]:
    return (
        UUID(r.request_id),
        r.addressee_number,
        r.reason,
        r.requested_by,
        r.requested_at,
        r.status,
        r.decided_by,
        r.decided_at,
    )


class MemoryErasures:
    def __init__(self, persons: dict[str, Any] | None = None) -> None:
        self.requests: dict[str, ErasureRequest] = {}
        self._persons = persons if persons is not None else {}
        self.erased: list[ErasureRecord] = []

    async def held(self) -> list[str]:
        return sorted(self._persons)

    async def record(self, records: list[ErasureRecord]) -> None:
        known = {(r.data_class, r.subject, r.store) for r in self.erased}
        self.erased += [r for r in records if (r.data_class, r.subject, r.store) not in known]

    async def records(self, limit: int, after: int | None) -> list[tuple[int, ErasureRecord]]:
        numbered = list(enumerate(self.erased, start=1))
        return [(i, r) for i, r in numbered if i > (after or 0)][:limit]

    async def pending(self, addressee_number: str) -> ErasureRequest | None:
        return next(
            (
                r
                for r in self.requests.values()
                if r.addressee_number == addressee_number and r.status == "pending"
            ),
            None,
        )

    async def save(self, request: ErasureRequest) -> None:
        known = self.requests.get(request.request_id)
        if known is None:
            if await self.pending(request.addressee_number) is not None:
                raise e.ErasureAlreadyRequested(request.addressee_number, "concurrent")
            self.requests[request.request_id] = request
        elif known.status == "pending":
            self.requests[request.request_id] = request


def _record(row: dict[str, Any]) -> ErasureRecord:
    row.pop("id")
    return ErasureRecord(**row)
