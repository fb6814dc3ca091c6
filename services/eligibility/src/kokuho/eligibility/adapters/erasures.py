"""Erasure requests (C-95 under four eyes) on PostgreSQL and in memory; both pass
``tests/integration/test_unit_contract.py``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from kokuho.eligibility.domain import errors as e
from kokuho.eligibility.domain.erasure import ErasureRequest
from kokuho.platform.erasure_records import (
    ErasureRecord,
    InMemoryErasureRecords,
    PostgresErasureRecords,
)

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
        await PostgresErasureRecords(self._conn).add(records)


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
        self.records = InMemoryErasureRecords()

    async def held(self) -> list[str]:
        return sorted(self._persons)

    @property
    def erased(self) -> list[ErasureRecord]:
        return self.records.erased

    async def record(self, records: list[ErasureRecord]) -> None:
        await self.records.add(records)

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
