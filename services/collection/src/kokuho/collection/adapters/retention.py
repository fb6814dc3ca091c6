"""The retention job's records on PostgreSQL (``app/retention.RetentionRecords``, ADR 0100)
and the unit of work it runs in (apart from ``CollectionUnit``: it needs none of its
repositories)."""

from __future__ import annotations

import json
from datetime import date

from kokuho.collection.adapters.rows import ledger_from_json
from kokuho.collection.app.ledgers import private_stream_id, stream_id
from kokuho.collection.domain import retention as r
from kokuho.collection.domain.ledger import Ledger
from kokuho.platform.retention import JAPAN, purge_streams
from kokuho.platform.retention_postgres import PostgresRetentionRecords, RetentionUnitOfWork

#: the tables of a household's rows besides the streams, the work list and the snapshot
_BY_HOUSEHOLD = (
    ("charges", "household"),
    ("documents", "household"),
    ("debit_accounts", "household"),
    ("benefit_payout_appropriations", "nhi_household_number"),
)


class PostgresRetention(PostgresRetentionRecords):
    async def settled(self, still_since: date) -> list[str]:
        return await self.subjects(
            "SELECT household FROM ledgers l WHERE NOT EXISTS (SELECT 1 FROM charges c"
            " WHERE c.household = l.household AND c.outstanding <> 0)"
            " AND coalesce((SELECT (max(e.occurred_at) AT TIME ZONE 'Asia/Tokyo')::date"
            " FROM events e WHERE e.stream_id IN ('household-' || l.household,"
            " 'household-' || l.household || '.changes')), $1) <= $1 ORDER BY household",
            still_since,
        )

    async def for_erasure(self, household: str) -> tuple[Ledger, r.Outside] | None:
        c = self._conn
        # locked: a payment or a consumer changing the ledger waits for this transaction
        state = await c.fetchval(
            "SELECT state::text FROM ledgers WHERE household = $1 FOR UPDATE", household
        )
        if state is None:
            return None
        last = await c.fetchval(
            "SELECT max(occurred_at) FROM events WHERE stream_id = ANY($1::text[])",
            [stream_id(household), private_stream_id(household)],
        )
        outside = r.Outside(
            last_event_on=None if last is None else last.astimezone(JAPAN).date(),
            # an item of the household still open, or a resolution waiting that moves money
            # of the household's items or to the household
            open_work_items=await c.fetchval(
                "SELECT (SELECT count(*) FROM work_items WHERE household = $1 AND NOT resolved)"
                " + (SELECT count(*) FROM work_item_resolutions WHERE status = 'pending' AND"
                " (household = $1 OR item_id IN"
                " (SELECT item_id FROM work_items WHERE household = $1)))",
                household,
            ),
            repayment_charges=await c.fetchval(
                "SELECT count(*) FROM repayment_charges WHERE nhi_household_number = $1",
                household,
            ),
        )
        return ledger_from_json(json.loads(state)), outside

    async def erase(self, household: str) -> bool:
        c = self._conn
        if not await purge_streams(c, [stream_id(household), private_stream_id(household)]):
            return False
        await c.execute(
            "DELETE FROM work_item_resolutions WHERE item_id IN"
            " (SELECT item_id FROM work_items WHERE household = $1)",
            household,
        )
        await c.execute("DELETE FROM work_items WHERE household = $1", household)
        for table, column in _BY_HOUSEHOLD:
            await c.execute(f"DELETE FROM {table} WHERE {column} = $1", household)  # noqa: S608
        await c.execute("DELETE FROM ledgers WHERE household = $1", household)
        return True


class RetentionUnit(RetentionUnitOfWork[PostgresRetention]):
    records = PostgresRetention
