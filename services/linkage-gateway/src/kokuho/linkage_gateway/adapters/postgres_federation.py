"""Federation records in PostgreSQL, on the caller's transaction connection."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID, uuid4

import asyncpg

from kokuho.events.contracts.linkage_gateway import (
    FederationDifferenceConfirmed,
    HighCostCarryOverListed,
)
from kokuho.events.runtime.store import PostgresEventStore, StreamAppend, append
from kokuho.linkage_gateway.adapters.postgres_vault import SOURCE, publication_topic
from kokuho.linkage_gateway.app.federation_records import StoredDifference, Transmission
from kokuho.linkage_gateway.domain.federation import (
    OUTBOUND_VERSION,
    CarryOverList,
    ContinuationDifference,
    ContinuationFile,
    InsuredChange,
    OurQualification,
)
from kokuho.linkage_gateway.domain.intermediate import QUALIFICATION_ITEM

_INSERT_CHANGE = (
    "INSERT INTO insured_changes (source_event_id, change, addressee_number,"
    " nhi_household_number, insured_number, card_symbol, card_number, branch_number,"
    " acquisition_date, loss_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    " ON CONFLICT (source_event_id) DO NOTHING"
)
_LAST_CHANGE = (
    "SELECT change, addressee_number, nhi_household_number, insured_number, card_symbol,"
    " card_number, branch_number, acquisition_date, loss_date FROM insured_changes"
    " WHERE addressee_number = $1 ORDER BY id DESC LIMIT 1"
)
_PENDING_CHANGES = (
    "SELECT c.id, c.change, c.addressee_number, c.nhi_household_number, c.insured_number,"
    " c.card_symbol, c.card_number, c.branch_number, c.acquisition_date, c.loss_date,"
    " coalesce(n.name_kana, '') AS name_kana, coalesce(n.name, '') AS name"
    " FROM insured_changes c LEFT JOIN card_names n USING (addressee_number)"
    " WHERE c.transmission_id IS NULL ORDER BY c.id FOR UPDATE OF c"
)


def _change(r: asyncpg.Record) -> InsuredChange:
    return InsuredChange(
        r["change"],
        r["addressee_number"],
        r["nhi_household_number"],
        r["insured_number"],
        r["card_symbol"],
        r["card_number"],
        r["branch_number"],
        r["acquisition_date"],
        r["loss_date"],
        r.get("name_kana", ""),
        r.get("name", ""),
    )


def _transmission(r: asyncpg.Record) -> Transmission:
    return Transmission(
        id=r["id"],
        file_name=r["file_name"],
        sequence=r["sequence"],
        record_count=r["record_count"],
        sha256=r["sha256"],
        sent_by=r["sent_by"],
        status=r["status"],
        prepared_at=r["prepared_at"] or r["sent_at"],
        receipt=r["receipt"],
        sent_at=r["sent_at"],
    )


def _difference(r: asyncpg.Record) -> StoredDifference:
    return StoredDifference(
        id=r["id"],
        file_id=r["file_id"],
        file_date=r["file_date"],
        difference=ContinuationDifference(
            r["addressee_number"],
            r["insured_number"],
            r["kind"],
            r["federation_acquisition_date"],
            r["federation_loss_date"],
            r["our_acquisition_date"],
            r["our_loss_date"],
        ),
        status=r["status"],
        decided_by=r["decided_by"],
    )


_SELECT_DIFFERENCE = (
    "SELECT d.*, f.file_date FROM continuation_differences d"
    " JOIN continuation_files f ON f.id = d.file_id"
)


def _iso_date(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


class PostgresFederationRecords:
    def __init__(self, conn: asyncpg.Connection, *, topic: str | None = None) -> None:
        self._conn = conn
        self._topic = topic  # the unit of work passes settings.events_topic

    async def add_change(self, change: InsuredChange, source_event_id: UUID | None) -> None:
        await self._conn.execute(
            _INSERT_CHANGE,
            source_event_id,
            change.change,
            change.addressee_number,
            change.nhi_household_number,
            change.insured_number,
            change.card_symbol,
            change.card_number,
            change.branch_number,
            change.acquisition_date,
            change.loss_date,
        )

    async def last_change(self, addressee_number: str) -> InsuredChange | None:
        row = await self._conn.fetchrow(
            _LAST_CHANGE,
            addressee_number,
        )
        return _change(row) if row else None

    async def pending_changes(self) -> list[tuple[int, InsuredChange]]:
        rows = await self._conn.fetch(_PENDING_CHANGES)
        return [(r["id"], _change(r)) for r in rows]

    async def prepared_transmission(self) -> tuple[Transmission, bytes] | None:
        # The ledger lock: one sender at a time takes the sequence and the pending changes.
        await self._conn.execute("LOCK TABLE federation_transmissions IN EXCLUSIVE MODE")
        row = await self._conn.fetchrow(
            "SELECT * FROM federation_transmissions WHERE status = 'prepared'"
        )
        return (_transmission(row), bytes(row["content"])) if row else None

    async def next_sequence(self) -> int:
        value = await self._conn.fetchval(
            "SELECT coalesce(max(sequence), 0) + 1 FROM federation_transmissions"
        )
        return int(value)

    async def record_transmission(
        self,
        transmission: Transmission,
        change_ids: Sequence[int],
        file_format: str,
        content: bytes,
    ) -> Transmission:
        row = await self._conn.fetchrow(
            "INSERT INTO federation_transmissions (file_name, file_format, format_version,"
            " sequence, record_count, sha256, sent_by, status, prepared_at, content)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, 'prepared', $8, $9) RETURNING *",
            transmission.file_name,
            file_format,
            OUTBOUND_VERSION,
            transmission.sequence,
            transmission.record_count,
            transmission.sha256,
            transmission.sent_by,
            transmission.prepared_at,
            content,
        )
        await self._conn.execute(
            "UPDATE insured_changes SET transmission_id = $1 WHERE id = ANY($2::bigint[])",
            row["id"],
            list(change_ids),
        )
        return _transmission(row)

    async def mark_sent(self, transmission_id: int, receipt: str, at: datetime) -> Transmission:
        row = await self._conn.fetchrow(
            "UPDATE federation_transmissions SET status = 'sent', receipt = $2, sent_at = $3"
            " WHERE id = $1 RETURNING *",
            transmission_id,
            receipt,
            at,
        )
        return _transmission(row)

    async def transmissions(
        self, limit: int, *, on_or_after: date | None = None, on_or_before: date | None = None
    ) -> list[Transmission]:
        # The day of a transmission is its ledger day in Japan time (prepared, else sent).
        rows = await self._conn.fetch(
            "SELECT * FROM federation_transmissions"
            " WHERE ($2::date IS NULL OR"
            "  (COALESCE(prepared_at, sent_at) AT TIME ZONE 'Asia/Tokyo')::date >= $2)"
            " AND ($3::date IS NULL OR"
            "  (COALESCE(prepared_at, sent_at) AT TIME ZONE 'Asia/Tokyo')::date <= $3)"
            " ORDER BY sequence DESC LIMIT $1",
            limit,
            on_or_after,
            on_or_before,
        )
        return [_transmission(r) for r in rows]

    async def our_qualifications(
        self, addressee_numbers: Sequence[str]
    ) -> dict[str, OurQualification]:
        rows = await self._conn.fetch(
            "SELECT addressee_number, content FROM replicas"
            " WHERE item = $1 AND addressee_number = ANY($2::text[])",
            QUALIFICATION_ITEM,
            list(addressee_numbers),
        )
        out = {}
        for r in rows:
            content = json.loads(r["content"]) if isinstance(r["content"], str) else r["content"]
            out[r["addressee_number"]] = OurQualification(
                _iso_date(content.get("acquisition_date")), _iso_date(content.get("loss_date"))
            )
        return out

    async def file_seen(self, sha256: str) -> bool:
        found = await self._conn.fetchval(
            "SELECT 1 FROM continuation_files WHERE sha256 = $1", sha256
        )
        return found is not None

    async def continuation_received_on(self, file_date: date) -> bool:
        found = await self._conn.fetchval(
            "SELECT 1 FROM continuation_files WHERE file_date = $1 LIMIT 1", file_date
        )
        return found is not None

    async def save_continuation(
        self,
        *,
        file_name: str,
        file: ContinuationFile,
        sha256: str,
        received_by: str,
        at: datetime,
        differences: Sequence[ContinuationDifference],
    ) -> int:
        file_id = await self._conn.fetchval(
            "INSERT INTO continuation_files (file_name, file_date, sha256, record_count,"
            " received_by, received_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            file_name,
            file.file_date,
            sha256,
            len(file.records),
            received_by,
            at,
        )
        # COPY: a city's daily file can hold hundreds of thousands of differences (a first
        # file after migration is all unknown-to-us).
        await self._conn.copy_records_to_table(
            "continuation_differences",
            columns=[
                "file_id",
                "addressee_number",
                "insured_number",
                "kind",
                "federation_acquisition_date",
                "federation_loss_date",
                "our_acquisition_date",
                "our_loss_date",
            ],
            records=[
                (
                    file_id,
                    d.addressee_number,
                    d.insured_number,
                    d.kind,
                    d.federation_acquisition_date,
                    d.federation_loss_date,
                    d.our_acquisition_date,
                    d.our_loss_date,
                )
                for d in differences
            ],
        )
        return int(file_id)

    async def open_differences(self, limit: int, after: int) -> list[StoredDifference]:
        rows = await self._conn.fetch(
            _SELECT_DIFFERENCE + " WHERE d.status = 'open' AND d.id > $1 ORDER BY d.id LIMIT $2",
            after,
            limit,
        )
        return [_difference(r) for r in rows]

    async def difference(self, difference_id: int) -> StoredDifference | None:
        row = await self._conn.fetchrow(_SELECT_DIFFERENCE + " WHERE d.id = $1", difference_id)
        return _difference(row) if row else None

    async def decide_difference(
        self, difference_id: int, *, status: str, by: str, at: datetime
    ) -> None:
        await self._conn.execute(
            "UPDATE continuation_differences SET status = $2, decided_by = $3, decided_at = $4"
            " WHERE id = $1 AND status = 'open'",
            difference_id,
            status,
            by,
            at,
        )

    async def publish(self, event: FederationDifferenceConfirmed) -> None:
        await append(
            PostgresEventStore(self._conn, source=SOURCE),
            f"federation-difference-{uuid4()}",
            0,
            [event],
            topic=publication_topic(self._topic),
            partition_key=event.addressee_number,
        )

    async def save_carry_over(
        self,
        *,
        file_name: str,
        carry_over: CarryOverList,
        sha256: str,
        received_by: str,
        at: datetime,
    ) -> int | None:
        value = await self._conn.fetchval(
            "INSERT INTO carry_over_files (file_name, file_date, kind, target_month, sha256,"
            " households, received_by, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            " ON CONFLICT (sha256) DO NOTHING RETURNING id",
            file_name,
            carry_over.file_date,
            carry_over.kind,
            carry_over.target_month,
            sha256,
            len(carry_over.households),
            received_by,
            at,
        )
        return int(value) if value is not None else None

    async def publish_carry_over(self, events: Sequence[HighCostCarryOverListed]) -> None:
        # One batch (COPY above 64 rows): a list holds thousands of households.
        store = PostgresEventStore(self._conn, source=SOURCE)
        await store.append_batch(
            [
                StreamAppend(
                    f"carry-over-{e.target_month}-{e.kind}-{e.nhi_household_number}-"
                    f"{uuid4().hex[:8]}",
                    0,
                    [e],
                    topic=publication_topic(self._topic),
                    partition_key=e.nhi_household_number,
                )
                for e in events
            ]
        )
