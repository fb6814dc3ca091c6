"""The retention job's records on PostgreSQL (``app/retention.RetentionRecords``, ADR 0097)."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from kokuho.linkage_gateway.app.retention import BINDING, CARD_STATE, REPLICAS, Held
from kokuho.platform.erasure_records import ErasureRecord, PostgresErasureRecords

_HELD = (
    "SELECT e.addressee_number, b.integrated_addressee_number,"
    " b.addressee_number IS NOT NULL"
    "   OR EXISTS (SELECT 1 FROM affair_subjects a WHERE a.addressee_number = e.addressee_number)"
    "   AS binding,"
    " EXISTS (SELECT 1 FROM replicas r WHERE r.addressee_number = e.addressee_number)"
    "   OR EXISTS (SELECT 1 FROM replica_registrations g"
    "     WHERE g.addressee_number = e.addressee_number AND NOT EXISTS (SELECT 1"
    "       FROM replica_deletions d WHERE d.addressee_number = e.addressee_number"
    "       AND d.deleted_at >= g.registered_at)) AS replicas,"
    " EXISTS (SELECT 1 FROM myna_card_states c WHERE c.addressee_number = e.addressee_number)"
    "   AS card_state"
    " FROM erased_persons e"
    " LEFT JOIN integrated_addressee b ON b.addressee_number = e.addressee_number"
    " ORDER BY e.addressee_number"
)


class PostgresRetention:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def erased_and_held(self) -> list[Held]:
        held = []
        for row in await self._conn.fetch(_HELD):
            classes = frozenset(
                c
                for c, present in (
                    (BINDING, row["binding"]),
                    (REPLICAS, row["replicas"]),
                    (CARD_STATE, row["card_state"]),
                )
                if present
            )
            if classes:
                held.append(
                    Held(row["addressee_number"], row["integrated_addressee_number"], classes)
                )
        return held

    async def kept(self) -> list[str]:
        rows = await self._conn.fetch(
            "SELECT addressee_number FROM integrated_addressee b WHERE NOT EXISTS (SELECT 1"
            " FROM erased_persons e WHERE e.addressee_number = b.addressee_number) ORDER BY 1"
        )
        return [r["addressee_number"] for r in rows]

    async def still_erased(self, addressee_number: str) -> bool:
        found = await self._conn.fetchval(
            "SELECT 1 FROM erased_persons WHERE addressee_number = $1 FOR UPDATE",
            addressee_number,
        )
        return found is not None

    async def record_replica_deletion(
        self, addressee_number: str, integrated: str, receipt: str, by: str, at: datetime
    ) -> None:
        await self._conn.execute(
            "INSERT INTO replica_deletions (addressee_number, integrated_addressee_number,"
            " receipt, requested_by, deleted_at) VALUES ($1, $2, $3, $4, $5)",
            addressee_number,
            integrated,
            receipt,
            by,
            at,
        )

    async def erase(self, addressee_number: str) -> None:
        for table in ("integrated_addressee", "affair_subjects", "replicas", "myna_card_states"):
            await self._conn.execute(
                f"DELETE FROM {table} WHERE addressee_number = $1",  # noqa: S608 - fixed names
                addressee_number,
            )

    async def record(self, records: list[ErasureRecord]) -> None:
        await PostgresErasureRecords(self._conn).add(records)
