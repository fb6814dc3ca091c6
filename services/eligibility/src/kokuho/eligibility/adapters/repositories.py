"""The small PostgreSQL repositories of the eligibility unit of work, each on the unit's
connection (inside its transaction)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from kokuho.eligibility.app.ports import Topics
from kokuho.events.contracts import Envelope
from kokuho.events.contracts import eligibility as ce
from kokuho.events.contracts.linkage_gateway import FederationDifferenceConfirmed
from kokuho.events.runtime.feeds import FeedingEventStore
from kokuho.events.runtime.payloads import PostgresPersonalPayloads

SOURCE = "/kokuho/eligibility"


def personal_details_envelope(record: ce.PersonalDetailsRecorded, time: datetime) -> Envelope:
    return Envelope(
        id=uuid4(),
        source=SOURCE,
        type=record.event_type,
        time=time,
        subject=record.addressee_number,
        data=record.model_dump(mode="json"),
        partitionkey=record.addressee_number,
    )


class PostgresPayloads(PostgresPersonalPayloads):
    async def forget(self, payload_id: UUID, reason: str) -> None:
        await self._conn.execute(
            "UPDATE personal_payloads SET data = NULL, erased_at = now(), erasure_reason = $2"
            " WHERE payload_id = $1 AND erased_at IS NULL",
            payload_id,
            reason,
        )


class PostgresNumbers:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def next_household_number(self) -> str:
        value = await self._conn.fetchval("SELECT nextval('household_number_seq')")
        return f"{value:010d}"

    async def next_insured_number(self) -> str:
        value = await self._conn.fetchval("SELECT nextval('insured_number_seq')")
        return f"{value:08d}"


class PostgresPersons:
    def __init__(
        self,
        conn: asyncpg.Connection,
        store: FeedingEventStore,
        payloads: PostgresPayloads,
        topics: Topics,
    ) -> None:
        self._conn = conn
        self._store = store
        self._payloads = payloads
        self._topics = topics

    async def details(self, addressee_number: str) -> ce.PersonalDetailsRecorded | None:
        row = await self._conn.fetchrow(
            "SELECT addressee_number, nhi_household_number, name, name_kana, sex, birth_date,"
            " postal_code, address, phone, as_of FROM persons WHERE addressee_number = $1",
            addressee_number,
        )
        return None if row is None else ce.PersonalDetailsRecorded(**dict(row))

    async def record(self, record: ce.PersonalDetailsRecorded) -> None:
        await self._conn.execute(
            "INSERT INTO persons (addressee_number, nhi_household_number, name, name_kana, sex,"
            " birth_date, postal_code, address, phone, as_of)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            " ON CONFLICT (addressee_number) DO UPDATE SET"
            " nhi_household_number = EXCLUDED.nhi_household_number, name = EXCLUDED.name,"
            " name_kana = EXCLUDED.name_kana, sex = EXCLUDED.sex,"
            " birth_date = EXCLUDED.birth_date, postal_code = EXCLUDED.postal_code,"
            " address = EXCLUDED.address, phone = EXCLUDED.phone, as_of = EXCLUDED.as_of,"
            " updated_at = now()",
            record.addressee_number,
            record.nhi_household_number,
            record.name,
            record.name_kana,
            record.sex,
            record.birth_date,
            record.postal_code,
            record.address,
            record.phone,
            record.as_of,
        )
        envelope = personal_details_envelope(record, datetime.now(UTC))
        await self._store.put_latest(
            self._topics.personal_details, record.addressee_number, envelope
        )

    async def erase(self, addressee_number: str, reason: str) -> bool:
        deleted: str = await self._conn.execute(
            "DELETE FROM persons WHERE addressee_number = $1", addressee_number
        )
        await self._conn.execute(
            "UPDATE special_cases SET facility_name = NULL, facility_address = NULL"
            " WHERE addressee_number = $1",
            addressee_number,
        )
        # What decides the person's certificate (住基 DV support, an application) goes too.
        await self._conn.execute(
            "DELETE FROM certificate_bases WHERE addressee_number = $1", addressee_number
        )
        await self._payloads.erase_subject(addressee_number, reason)
        # A tombstone: the compacted topic forgets the person too, and so do the department
        # feeds' current-state topics (their delivery records stay, C-66; ADR 0089)
        await self._store.put_latest(self._topics.personal_details, addressee_number, None)
        await self._store.forget([addressee_number])
        return deleted != "DELETE 0"


class PostgresQualifications:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def active_household_of(self, addressee_number: str) -> str | None:
        value: str | None = await self._conn.fetchval(
            "SELECT nhi_household_number FROM qualification_periods"
            " WHERE addressee_number = $1 AND open",
            addressee_number,
        )
        return value

    async def summary(self, addressee_number: str) -> tuple[bool, date | None]:
        row = await self._conn.fetchrow(
            "SELECT bool_or(open) AS insured, max(loss_date) AS last_loss"
            " FROM qualification_periods WHERE addressee_number = $1",
            addressee_number,
        )
        return bool(row["insured"]), row["last_loss"]

    async def latest_period(self, addressee_number: str) -> tuple[str, str, str | None] | None:
        row = await self._conn.fetchrow(
            "SELECT nhi_household_number, acquisition_reason, loss_reason"
            " FROM qualification_periods WHERE addressee_number = $1"
            " ORDER BY open DESC, period_id DESC LIMIT 1",
            addressee_number,
        )
        if row is None:
            return None
        return row["nhi_household_number"], row["acquisition_reason"], row["loss_reason"]

    async def headed_household(self, addressee_number: str) -> str | None:
        value = await self._conn.fetchval(
            "SELECT h.nhi_household_number FROM households h"
            " WHERE h.householder_addressee_number = $1 AND EXISTS (SELECT 1"
            " FROM qualification_periods q"
            " WHERE q.nhi_household_number = h.nhi_household_number AND q.open)"
            " ORDER BY 1 LIMIT 1",
            addressee_number,
        )
        return str(value) if value is not None else None

    async def needing_copayment_rate(self, on: date) -> list[tuple[str, str]]:
        rows = await self._conn.fetch(
            "SELECT addressee_number, nhi_household_number FROM qualification_periods"
            " WHERE open AND birth_date <= ($1::date - interval '70 years')::date"
            " AND birth_date > ($1::date - interval '75 years')::date"
            " AND (copayment_until IS NULL OR copayment_until < $1)"
            " ORDER BY nhi_household_number, addressee_number",
            on,
        )
        return [(r["addressee_number"], r["nhi_household_number"]) for r in rows]

    async def turning_75(self, until: date) -> list[tuple[str, str, date]]:
        # The 75th birthday is on or before ``until``: born on or before until - 75 years.
        # 29 February births are kept when ``until`` is 28 February (their day is 1 March).
        rows = await self._conn.fetch(
            "SELECT addressee_number, nhi_household_number, birth_date"
            " FROM qualification_periods WHERE open"
            " AND birth_date <= ($1::date - interval '75 years')::date"
            " ORDER BY nhi_household_number, addressee_number",
            until,
        )
        return [(r["addressee_number"], r["nhi_household_number"], r["birth_date"]) for r in rows]


class PostgresRecords:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def special_case_place(
        self, addressee_number: str, kind: str, name: str | None, address: str | None
    ) -> None:
        await self._conn.execute(
            "UPDATE special_cases SET facility_name = $3, facility_address = $4"
            " WHERE addressee_number = $1 AND kind = $2 AND end_date IS NULL",
            addressee_number,
            kind,
            name,
            address,
        )

    async def certificate_details(self, certificate_id: UUID, details: dict[str, Any]) -> None:
        await self._conn.execute(
            "UPDATE certificates SET limit_category = $2, application_date = $3, long_term = $4,"
            " disease_name = $5, copayment_limit_yen = $6 WHERE certificate_id = $1",
            certificate_id,
            details["limit_category"],
            details["application_date"],
            details["long_term"],
            details["disease_name"],
            details["copayment_limit_yen"],
        )

    async def federation_review(
        self, event_id: UUID, event: FederationDifferenceConfirmed, change_id: UUID | None
    ) -> None:
        await self._conn.execute(
            "INSERT INTO federation_reviews (event_id, addressee_number, insured_number, kind,"
            " federation_acquisition_date, federation_loss_date, file_date, confirmed_by,"
            " change_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            " ON CONFLICT (event_id) DO NOTHING",
            event_id,
            event.addressee_number,
            event.insured_number,
            event.kind,
            event.federation_acquisition_date,
            event.federation_loss_date,
            event.file_date,
            event.confirmed_by,
            change_id,
        )

    async def seeded(self, name: str, *, lock: bool = False) -> int | None:
        if lock:
            await self._conn.execute("SELECT pg_advisory_xact_lock(hashtext('eligibility.seed'))")
        value: int | None = await self._conn.fetchval(
            "SELECT households FROM seed_runs WHERE name = $1", name
        )
        return value

    async def record_seed(self, name: str, households: int) -> None:
        await self._conn.execute(
            "INSERT INTO seed_runs (name, households) VALUES ($1, $2)", name, households
        )
