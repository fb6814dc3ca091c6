"""Where the resident-register intake keeps what it took in (``app/register_ports.py``'s
``RegisterPort``): on PostgreSQL (migration 0008) and its in-memory twin, which pass the
same contract tests (``tests/integration/test_register_store_contract.py``)."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from kokuho.eligibility.app.register_ports import IntakeRecord, Item

Row = dict[str, Any]

_ITEM_COLUMNS = (
    "item_id, list, register_change_id, kind, addressee_number, nhi_household_number,"
    " fact_date, due_date, reason_code, reason, payload_id, status, resolution, closed_by,"
    " closed_at, position"
)


class PostgresRegister:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def digest_of(self, register_change_id: str) -> str | None:
        value = await self._conn.fetchval(
            "SELECT digest FROM resident_register_changes WHERE register_change_id = $1",
            register_change_id,
        )
        return str(value) if value is not None else None

    async def take(self, record: IntakeRecord, item: Item | None) -> None:
        await self._conn.execute(
            "INSERT INTO resident_register_changes (register_change_id, digest, source, kind,"
            " addressee_number, fact_date, notified_date, outcome, change_id, item_id)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            record.register_change_id,
            record.digest,
            record.source,
            record.kind,
            record.addressee_number,
            record.fact_date,
            record.notified_date,
            record.outcome,
            record.change_id,
            item.item_id if item else None,
        )
        if item is None:
            return
        await self._conn.execute(
            "INSERT INTO resident_register_items (item_id, list, register_change_id, kind,"
            " addressee_number, nhi_household_number, fact_date, due_date, reason_code, reason,"
            " payload_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            item.item_id,
            item.list,
            record.register_change_id,
            record.kind,
            record.addressee_number,
            item.nhi_household_number,
            record.fact_date,
            item.due_date,
            item.reason_code,
            item.reason,
            item.payload_id,
        )

    async def pending_change(self, addressee_number: str, kind: str) -> UUID | None:
        value = await self._conn.fetchval(
            "SELECT r.change_id FROM resident_register_changes r JOIN changes c USING (change_id)"
            " WHERE r.addressee_number = $1 AND r.kind = $2 AND c.status = 'pending' LIMIT 1",
            addressee_number,
            kind,
        )
        return value if isinstance(value, UUID) else None

    async def intake(self, register_change_id: str) -> Row | None:
        row = await self._conn.fetchrow(
            "SELECT r.register_change_id, r.source, r.kind, r.addressee_number, r.fact_date,"
            " r.notified_date, r.outcome, r.change_id, r.item_id, c.status AS change_status"
            " FROM resident_register_changes r LEFT JOIN changes c USING (change_id)"
            " WHERE r.register_change_id = $1",
            register_change_id,
        )
        return dict(row) if row else None

    async def items(
        self, list_name: str, open_only: bool, limit: int, after: int | None
    ) -> list[Row]:
        rows = await self._conn.fetch(
            f"SELECT {_ITEM_COLUMNS} FROM resident_register_items"  # noqa: S608 (constant)
            " WHERE list = $1 AND (NOT $2 OR status = 'open') AND position > $3"
            " ORDER BY position LIMIT $4",
            list_name,
            open_only,
            after or 0,
            limit,
        )
        return [dict(r) for r in rows]

    async def item(self, item_id: UUID, *, lock: bool = False) -> Row | None:
        lock_clause = " FOR UPDATE" if lock else ""
        row = await self._conn.fetchrow(
            f"SELECT {_ITEM_COLUMNS} FROM resident_register_items"  # noqa: S608 (constant)
            f" WHERE item_id = $1{lock_clause}",
            item_id,
        )
        return dict(row) if row else None

    async def close(self, item_id: UUID, resolution: str, by: str, at: datetime) -> None:
        await self._conn.execute(
            "UPDATE resident_register_items SET status = 'closed', resolution = $2,"
            " closed_by = $3, closed_at = $4 WHERE item_id = $1",
            item_id,
            resolution,
            by,
            at,
        )

    async def last_sequence(self, feed: str) -> int:
        value = await self._conn.fetchval(
            "SELECT last_sequence FROM resident_register_feeds WHERE feed = $1", feed
        )
        return int(value) if value is not None else 0

    async def advance(self, feed: str, sequence: int) -> None:
        await self._conn.execute(
            "INSERT INTO resident_register_feeds (feed, last_sequence) VALUES ($1, $2)"
            " ON CONFLICT (feed) DO UPDATE SET last_sequence ="
            " GREATEST(resident_register_feeds.last_sequence, EXCLUDED.last_sequence)",
            feed,
            sequence,
        )


class MemoryRegister:
    def __init__(self, change_status: Any = None) -> None:
        self.changes: dict[str, Row] = {}
        self.items_by_id: dict[UUID, Row] = {}
        self.feeds: dict[str, int] = {}
        self._positions = itertools.count(1)
        # the in-memory unit's change read model, for the pending change's status
        self._change_status = change_status

    async def digest_of(self, register_change_id: str) -> str | None:
        row = self.changes.get(register_change_id)
        return str(row["digest"]) if row else None

    async def take(self, record: IntakeRecord, item: Item | None) -> None:
        if record.register_change_id in self.changes:
            raise asyncpg.UniqueViolationError("resident_register_changes_pkey")
        self.changes[record.register_change_id] = {
            **record.__dict__,
            "item_id": item.item_id if item else None,
        }
        if item is None:
            return
        self.items_by_id[item.item_id] = {
            "item_id": item.item_id,
            "list": item.list,
            "register_change_id": record.register_change_id,
            "kind": record.kind,
            "addressee_number": record.addressee_number,
            "nhi_household_number": item.nhi_household_number,
            "fact_date": record.fact_date,
            "due_date": item.due_date,
            "reason_code": item.reason_code,
            "reason": item.reason,
            "payload_id": item.payload_id,
            "status": "open",
            "resolution": None,
            "closed_by": None,
            "closed_at": None,
            "position": next(self._positions),
        }

    async def pending_change(self, addressee_number: str, kind: str) -> UUID | None:
        for row in self.changes.values():
            same = (row["addressee_number"], row["kind"]) == (addressee_number, kind)
            if same and row["change_id"] and self._change_status(row["change_id"]) == "pending":
                return UUID(str(row["change_id"]))
        return None

    async def intake(self, register_change_id: str) -> Row | None:
        row = self.changes.get(register_change_id)
        if row is None:
            return None
        status = self._change_status(row["change_id"]) if row["change_id"] else None
        keep = ("register_change_id", "source", "kind", "addressee_number", "fact_date")
        return {
            **{k: row[k] for k in keep},
            "notified_date": row["notified_date"],
            "outcome": row["outcome"],
            "change_id": row["change_id"],
            "item_id": row["item_id"],
            "change_status": status,
        }

    async def items(
        self, list_name: str, open_only: bool, limit: int, after: int | None
    ) -> list[Row]:
        rows = sorted(self.items_by_id.values(), key=lambda r: r["position"])
        return [
            dict(r)
            for r in rows
            if r["list"] == list_name
            and (not open_only or r["status"] == "open")
            and r["position"] > (after or 0)
        ][:limit]

    async def item(self, item_id: UUID, *, lock: bool = False) -> Row | None:
        row = self.items_by_id.get(item_id)
        return dict(row) if row else None

    async def close(self, item_id: UUID, resolution: str, by: str, at: datetime) -> None:
        self.items_by_id[item_id].update(
            status="closed", resolution=resolution, closed_by=by, closed_at=at
        )

    async def last_sequence(self, feed: str) -> int:
        return self.feeds.get(feed, 0)

    async def advance(self, feed: str, sequence: int) -> None:
        self.feeds[feed] = max(self.feeds.get(feed, 0), sequence)
