"""Intermediate-server records in PostgreSQL, on the caller's transaction connection."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from kokuho.events.contracts.linkage_gateway import ReplicaRegistered
from kokuho.events.runtime.store import EventContext, PostgresEventStore, append
from kokuho.linkage_gateway.adapters.postgres_vault import SOURCE, publication_topic
from kokuho.linkage_gateway.app.records import (
    InquiryRecord,
    ProvisionRecord,
    ReplicaMessage,
    ReplicaView,
    StoredReplica,
)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _inquiry(row: asyncpg.Record) -> InquiryRecord:
    return InquiryRecord(
        inquiry_id=row["inquiry_id"],
        requested_by=row["requested_by"],
        requested_at=row["requested_at"],
        affair=row["affair"],
        provider=row["provider"],
        item=row["item"],
        legal_basis_row=row["legal_basis_row"],
        addressee_number=row["addressee_number"],
        status=row["status"],
        result=_json(row["result"]),
        completed_at=row["completed_at"],
        result_deleted_at=row["result_deleted_at"],
    )


def _provision(row: asyncpg.Record) -> ProvisionRecord:
    return ProvisionRecord(
        provision_id=row["provision_id"],
        requester=row["requester"],
        item=row["item"],
        legal_basis_row=row["legal_basis_row"],
        addressee_number=row["addressee_number"],
        requested_at=row["requested_at"],
        status=row["status"],
        provided_at=row["provided_at"],
        approved_by=row["approved_by"],
    )


class PostgresLinkageRecords:
    def __init__(self, conn: asyncpg.Connection, *, topic: str | None = None) -> None:
        self._conn = conn
        self._topic = topic  # the unit of work passes settings.events_topic

    async def replica(self, addressee_number: str, item: str) -> StoredReplica | None:
        row = await self._conn.fetchrow(
            "SELECT content, version, registered_version, integrated_addressee_number"
            " FROM replicas WHERE addressee_number = $1 AND item = $2 FOR UPDATE",
            addressee_number,
            item,
        )
        if row is None:
            return None
        return StoredReplica(
            _json(row["content"]),
            row["version"],
            row["registered_version"],
            row["integrated_addressee_number"],
        )

    async def save_replica(
        self,
        addressee_number: str,
        item: str,
        content: dict[str, Any],
        version: int,
        integrated_addressee_number: str | None,
    ) -> None:
        await self._conn.execute(
            "INSERT INTO replicas (addressee_number, item, content, version,"
            " integrated_addressee_number) VALUES ($1, $2, $3::jsonb, $4, $5)"
            " ON CONFLICT (addressee_number, item) DO UPDATE SET content = EXCLUDED.content,"
            " version = EXCLUDED.version,"
            " integrated_addressee_number = EXCLUDED.integrated_addressee_number,"
            " updated_at = now()",
            addressee_number,
            item,
            json.dumps(content),
            version,
            integrated_addressee_number,
        )

    async def pending_replicas(self, addressee_number: str) -> list[tuple[str, StoredReplica]]:
        rows = await self._conn.fetch(
            "SELECT item, content, version, registered_version FROM replicas"
            " WHERE addressee_number = $1 AND integrated_addressee_number IS NULL FOR UPDATE",
            addressee_number,
        )
        return [
            (
                r["item"],
                StoredReplica(_json(r["content"]), r["version"], r["registered_version"], None),
            )
            for r in rows
        ]

    async def record_registration(
        self,
        *,
        addressee_number: str,
        message: ReplicaMessage,
        legal_basis_row: str,
        source_event_id: UUID | None,
        receipt: str,
        at: datetime,
    ) -> None:
        # The public stream counts registrations (versions waiting for a binding are skipped).
        registered = await self._conn.fetchval(
            "SELECT count(*) FROM replica_registrations WHERE addressee_number = $1 AND item = $2",
            addressee_number,
            message.item,
        )
        await self._conn.execute(
            "INSERT INTO replica_registrations (addressee_number, integrated_addressee_number,"
            " item, version, legal_basis_row, source_event_id, receipt, registered_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            addressee_number,
            message.integrated_addressee_number,
            message.item,
            message.version,
            legal_basis_row,
            source_event_id,
            receipt,
            at,
        )
        await self._conn.execute(
            "UPDATE replicas SET registered_version = $3 WHERE addressee_number = $1 AND item = $2",
            addressee_number,
            message.item,
            message.version,
        )
        store = PostgresEventStore(self._conn, source=SOURCE)
        await append(
            store,
            f"replica-{addressee_number}-{message.item}",
            int(registered),
            [
                ReplicaRegistered(
                    addressee_number=addressee_number,
                    information_item=message.item,
                    effective_date=at.date(),
                    registered_at=at,
                )
            ],
            topic=publication_topic(self._topic),
            partition_key=addressee_number,
            context=EventContext(causation_id=source_event_id),
        )

    async def registered_originals(self) -> dict[tuple[str, str], dict[str, Any]]:
        rows = await self._conn.fetch(
            "SELECT integrated_addressee_number, item, content FROM replicas"
            " WHERE integrated_addressee_number IS NOT NULL AND registered_version = version"
        )
        return {(r["integrated_addressee_number"], r["item"]): _json(r["content"]) for r in rows}

    async def save_inquiry(self, record: InquiryRecord, integrated_addressee_number: str) -> None:
        await self._conn.execute(
            "INSERT INTO ipn_inquiries (inquiry_id, requested_by, requested_at, affair, provider,"
            " item, legal_basis_row, addressee_number, integrated_addressee_number, status,"
            " result, completed_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11::jsonb,$12)",
            record.inquiry_id,
            record.requested_by,
            record.requested_at,
            record.affair,
            record.provider,
            record.item,
            record.legal_basis_row,
            record.addressee_number,
            integrated_addressee_number,
            record.status,
            json.dumps(record.result) if record.result is not None else None,
            record.completed_at,
        )

    async def inquiry(self, inquiry_id: UUID) -> InquiryRecord | None:
        row = await self._conn.fetchrow(
            "SELECT * FROM ipn_inquiries WHERE inquiry_id = $1", inquiry_id
        )
        return _inquiry(row) if row else None

    async def delete_inquiry_results(
        self, *, completed_before: datetime, at: datetime
    ) -> list[UUID]:
        rows = await self._conn.fetch(
            "UPDATE ipn_inquiries SET result = NULL, result_deleted_at = $2"
            " WHERE completed_at < $1 AND result_deleted_at IS NULL RETURNING inquiry_id",
            completed_before,
            at,
        )
        return [r["inquiry_id"] for r in rows]

    async def addressee_of_integrated(self, integrated_addressee_number: str) -> str | None:
        value = await self._conn.fetchval(
            "SELECT addressee_number FROM integrated_addressee"
            " WHERE integrated_addressee_number = $1",
            integrated_addressee_number,
        )
        return str(value) if value is not None else None

    async def save_provision(
        self, record: ProvisionRecord, integrated_addressee_number: str
    ) -> None:
        await self._conn.execute(
            "INSERT INTO provisions (provision_id, requester, item, legal_basis_row,"
            " addressee_number, integrated_addressee_number, requested_at, status, provided_at)"
            " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
            record.provision_id,
            record.requester,
            record.item,
            record.legal_basis_row,
            record.addressee_number,
            integrated_addressee_number,
            record.requested_at,
            record.status,
            record.provided_at,
        )

    async def provision(self, provision_id: UUID) -> ProvisionRecord | None:
        row = await self._conn.fetchrow(
            "SELECT * FROM provisions WHERE provision_id = $1 FOR UPDATE", provision_id
        )
        return _provision(row) if row else None

    async def approve_provision(self, provision_id: UUID, *, by: str, at: datetime) -> None:
        await self._conn.execute(
            "UPDATE provisions SET status = 'approved', approved_by = $2, provided_at = $3"
            " WHERE provision_id = $1 AND status = 'held'",
            provision_id,
            by,
            at,
        )

    async def held_provisions(self, limit: int) -> list[ProvisionRecord]:
        rows = await self._conn.fetch(
            "SELECT * FROM provisions WHERE status = 'held' ORDER BY requested_at LIMIT $1", limit
        )
        return [_provision(r) for r in rows]

    async def set_householder(self, nhi_household_number: str, addressee_number: str) -> None:
        await self._conn.execute(
            "INSERT INTO households (nhi_household_number, householder_addressee_number)"
            " VALUES ($1, $2) ON CONFLICT (nhi_household_number) DO UPDATE SET"
            " householder_addressee_number = EXCLUDED.householder_addressee_number,"
            " updated_at = now()",
            nhi_household_number,
            addressee_number,
        )

    async def householder_of(self, nhi_household_number: str) -> str | None:
        value = await self._conn.fetchval(
            "SELECT householder_addressee_number FROM households WHERE nhi_household_number = $1",
            nhi_household_number,
        )
        return str(value) if value is not None else None

    async def save_premium(
        self, nhi_household_number: str, fiscal_year: int, revision: int, content: dict[str, Any]
    ) -> bool:
        kept = await self._conn.fetchval(
            "INSERT INTO household_premiums (nhi_household_number, fiscal_year, revision, content)"
            " VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT (nhi_household_number, fiscal_year)"
            " DO UPDATE SET revision = EXCLUDED.revision, content = EXCLUDED.content"
            " WHERE household_premiums.revision < EXCLUDED.revision RETURNING true",
            nhi_household_number,
            fiscal_year,
            revision,
            json.dumps(content),
        )
        return bool(kept)

    async def premiums_of(self, nhi_household_number: str) -> dict[str, Any]:
        rows = await self._conn.fetch(
            "SELECT fiscal_year, content FROM household_premiums"
            " WHERE nhi_household_number = $1 ORDER BY fiscal_year",
            nhi_household_number,
        )
        return {str(r["fiscal_year"]): _json(r["content"]) for r in rows}

    async def replicas_of(self, addressee_number: str) -> list[ReplicaView]:
        rows = await self._conn.fetch(
            "SELECT item, content, version, registered_version,"
            " integrated_addressee_number, updated_at FROM replicas"
            " WHERE addressee_number = $1 ORDER BY item",
            addressee_number,
        )
        return [ReplicaView(**{**dict(r), "content": _json(r["content"])}) for r in rows]
