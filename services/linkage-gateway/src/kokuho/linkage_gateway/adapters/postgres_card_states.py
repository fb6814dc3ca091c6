"""The last マイナ保険証 state published per person, in PostgreSQL (``myna_card_states``), on
the caller's transaction connection: the row and the outbox event are written together."""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

import asyncpg

from kokuho.events.contracts.linkage_gateway import MynaInsuranceCardStatusChanged
from kokuho.events.runtime.store import PostgresEventStore, append
from kokuho.linkage_gateway.adapters.postgres_vault import SOURCE, publication_topic
from kokuho.linkage_gateway.domain.card_status import CardStateReport, PublishedCardState


class PostgresCardStates:
    def __init__(self, conn: asyncpg.Connection, *, topic: str | None = None) -> None:
        self._conn = conn
        self._topic = topic

    async def published(self, addressee_number: str) -> PublishedCardState | None:
        row = await self._conn.fetchrow(
            "SELECT status, e_certificate_expires_on, as_of FROM myna_card_states"
            " WHERE addressee_number = $1",
            addressee_number,
        )
        if row is None:
            return None
        return PublishedCardState(row["status"], row["e_certificate_expires_on"], row["as_of"])

    async def replace(
        self,
        addressee_number: str,
        report: CardStateReport,
        previous: PublishedCardState | None,
        at: datetime,
    ) -> bool:
        values = (report.status, report.e_certificate_expires_on, report.as_of, at)
        if previous is None:
            done = await self._conn.fetchval(
                "INSERT INTO myna_card_states (addressee_number, status,"
                " e_certificate_expires_on, as_of, published_at) VALUES ($1, $2, $3, $4, $5)"
                " ON CONFLICT (addressee_number) DO NOTHING RETURNING true",
                addressee_number,
                *values,
            )
        else:
            done = await self._conn.fetchval(
                "UPDATE myna_card_states SET status = $2, e_certificate_expires_on = $3,"
                " as_of = $4, published_at = $5 WHERE addressee_number = $1 AND status = $6"
                " AND e_certificate_expires_on IS NOT DISTINCT FROM $7 AND as_of = $8"
                " RETURNING true",
                addressee_number,
                *values,
                previous.status,
                previous.e_certificate_expires_on,
                previous.as_of,
            )
        return bool(done)

    async def publish(self, event: MynaInsuranceCardStatusChanged) -> None:
        await append(
            PostgresEventStore(self._conn, source=SOURCE),
            f"card-status-{event.addressee_number}-{uuid4().hex[:8]}",
            0,
            [event],
            topic=publication_topic(self._topic),
            partition_key=event.addressee_number,
        )
