"""The work list in PostgreSQL (work items for a person to look at, and their resolutions),
on the unit of work's transaction (``adapters/unit_of_work.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import asyncpg

from kokuho.collection.app.ports import WorkItem
from kokuho.collection.domain.work_items import Resolution
from kokuho.events.ports import ConcurrencyConflict


class PostgresWorkItems:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add_many(self, items: Sequence[WorkItem]) -> None:
        if not items:
            return
        await self._conn.executemany(
            "INSERT INTO work_items (item_id, kind, reason, household, amount, reference,"
            " created_on, import_id, line, channel, paid_on)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
            " ON CONFLICT (item_id) DO NOTHING",
            [
                (
                    i.item_id,
                    i.kind,
                    i.reason,
                    i.household,
                    i.amount,
                    i.reference,
                    i.created_on,
                    i.import_id,
                    i.line,
                    i.channel,
                    i.paid_on,
                )
                for i in items
            ],
        )

    async def open_items(self, limit: int, after: str | None) -> list[WorkItem]:
        rows = await self._conn.fetch(
            "SELECT item_id, kind, reason, household, amount, reference, created_on, import_id,"
            " line, channel, paid_on, resolved FROM work_items WHERE NOT resolved AND item_id > $1"
            " ORDER BY item_id LIMIT $2",
            after or "",
            limit,
        )
        return [WorkItem(**dict(r)) for r in rows]

    async def get(self, item_id: str) -> WorkItem | None:
        row = await self._conn.fetchrow(
            "SELECT item_id, kind, reason, household, amount, reference, created_on, import_id,"
            " line, channel, paid_on, resolved FROM work_items WHERE item_id = $1",
            item_id,
        )
        return None if row is None else WorkItem(**dict(row))

    async def open_of_household(self, household: str, kinds: Sequence[str]) -> list[WorkItem]:
        rows = await self._conn.fetch(
            "SELECT item_id, kind, reason, household, amount, reference, created_on, import_id,"
            " line, channel, paid_on, resolved FROM work_items"
            " WHERE NOT resolved AND household = $1"
            " AND kind = ANY($2::text[]) ORDER BY item_id",
            household,
            list(kinds),
        )
        return [WorkItem(**dict(r)) for r in rows]

    async def mark_resolved(self, item_ids: Sequence[str], resolution_id: str, on: date) -> int:
        status = await self._conn.execute(
            "UPDATE work_items SET resolved = true, resolution_id = $2, resolved_on = $3"
            " WHERE item_id = ANY($1::text[]) AND NOT resolved",
            list(item_ids),
            resolution_id,
            on,
        )
        return int(status.split()[-1])

    async def add_resolution(self, resolution: Resolution) -> None:
        r = resolution
        try:
            await self._conn.execute(
                "INSERT INTO work_item_resolutions (resolution_id, item_id, action, reason,"
                " household, fiscal_year, period, status, entered_by, entered_on, decided_by,"
                " decided_on, outcome)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                r.resolution_id,
                r.item_id,
                r.action,
                r.reason,
                r.household,
                r.fiscal_year,
                r.period,
                r.status,
                r.entered_by,
                r.entered_on,
                r.decided_by,
                r.decided_on,
                r.outcome,
            )
        except asyncpg.UniqueViolationError as exc:
            raise ConcurrencyConflict(f"work-item-{r.item_id}", 0, None) from exc

    async def update_resolution(self, resolution: Resolution) -> None:
        r = resolution
        status = await self._conn.execute(
            "UPDATE work_item_resolutions SET status = $2, decided_by = $3, decided_on = $4,"
            " outcome = $5 WHERE resolution_id = $1 AND status = 'pending'",
            r.resolution_id,
            r.status,
            r.decided_by,
            r.decided_on,
            r.outcome,
        )
        if status.split()[-1] != "1":
            raise ConcurrencyConflict(f"resolution-{r.resolution_id}", 0, None)

    async def resolution(self, resolution_id: str) -> Resolution | None:
        row = await self._conn.fetchrow(
            "SELECT resolution_id, item_id, action, reason, household, fiscal_year, period, status,"
            " entered_by, entered_on, decided_by, decided_on, outcome FROM work_item_resolutions"
            " WHERE resolution_id = $1",
            resolution_id,
        )
        return None if row is None else Resolution(**dict(row))

    async def resolutions(self, item_id: str) -> list[Resolution]:
        rows = await self._conn.fetch(
            "SELECT resolution_id, item_id, action, reason, household, fiscal_year, period, status,"
            " entered_by, entered_on, decided_by, decided_on, outcome FROM work_item_resolutions"
            " WHERE item_id = $1"
            " ORDER BY entered_on, resolution_id",
            item_id,
        )
        return [Resolution(**dict(r)) for r in rows]
