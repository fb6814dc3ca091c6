"""Forgettable payloads: personal details kept beside the event history, not inside it.

An event refers to a payload by its id; erasing a subject clears the data and records when and
why, so retention-driven erasure never rewrites the event store.
"""

from __future__ import annotations

import json
from typing import Any, Protocol
from uuid import UUID, uuid4

import asyncpg


class PersonalPayloads(Protocol):
    async def put(self, subject: str, kind: str, data: dict[str, Any]) -> UUID: ...

    async def get(self, payload_id: UUID) -> dict[str, Any] | None:
        """The data, or None once erased."""
        ...

    async def erase_subject(self, subject: str, reason: str) -> int:
        """Erase every payload of ``subject``; returns how many were erased."""
        ...


class PostgresPersonalPayloads:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def put(self, subject: str, kind: str, data: dict[str, Any]) -> UUID:
        payload_id = uuid4()
        await self._conn.execute(
            "INSERT INTO personal_payloads (payload_id, subject, kind, data)"
            " VALUES ($1, $2, $3, $4::jsonb)",
            payload_id,
            subject,
            kind,
            json.dumps(data, ensure_ascii=False),
        )
        return payload_id

    async def get(self, payload_id: UUID) -> dict[str, Any] | None:
        raw = await self._conn.fetchval(
            "SELECT data::text FROM personal_payloads WHERE payload_id = $1", payload_id
        )
        if raw is None:
            return None
        data: dict[str, Any] = json.loads(raw)
        return data

    async def erase_subject(self, subject: str, reason: str) -> int:
        result = await self._conn.execute(
            "UPDATE personal_payloads SET data = NULL, erased_at = now(), erasure_reason = $2"
            " WHERE subject = $1 AND erased_at IS NULL",
            subject,
            reason,
        )
        return int(result.split()[-1])
