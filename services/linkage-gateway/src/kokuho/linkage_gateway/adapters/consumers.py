"""Inbox handlers: each runs inside the inbox transaction of one delivery."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import asyncpg

from kokuho.events.runtime.consumer import Delivery
from kokuho.linkage_gateway.adapters.postgres_linkage import PostgresLinkageRecords
from kokuho.linkage_gateway.adapters.postgres_vault import PostgresVault
from kokuho.linkage_gateway.app.ports import IntermediateServer
from kokuho.linkage_gateway.app.replica_policy import on_eligibility_event
from kokuho.linkage_gateway.domain.intermediate import PermittedInquiryList


def replica_handler(
    server: IntermediateServer, permits: PermittedInquiryList
) -> Callable[[asyncpg.Connection, Delivery], Awaitable[None]]:
    async def handle(conn: asyncpg.Connection, delivery: Delivery) -> None:
        if delivery.event is None or delivery.envelope is None:
            return  # a tombstone: nothing for the replicas
        await on_eligibility_event(
            PostgresLinkageRecords(conn),
            PostgresVault(conn),
            server,
            permits,
            event=delivery.event,
            event_id=delivery.envelope.id,
            at=datetime.now(UTC),
        )

    return handle
