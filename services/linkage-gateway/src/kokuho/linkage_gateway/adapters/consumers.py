"""Inbox handlers: each runs inside the inbox transaction of one delivery.

Eligibility's events feed the federation's insured changes and the intermediate server's
replicas in the same transaction (both or neither); assessment's premiums feed replicas."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import asyncpg

from kokuho.events.runtime.consumer import Delivery
from kokuho.linkage_gateway.adapters.postgres_federation import PostgresFederationRecords
from kokuho.linkage_gateway.adapters.postgres_linkage import PostgresLinkageRecords
from kokuho.linkage_gateway.adapters.postgres_vault import PostgresVault
from kokuho.linkage_gateway.app.federation import capture_change
from kokuho.linkage_gateway.app.ports import IntermediateServer
from kokuho.linkage_gateway.app.replica_policy import on_business_event
from kokuho.linkage_gateway.domain.intermediate import PermittedInquiryList


def business_event_handler(
    server: IntermediateServer, permits: PermittedInquiryList
) -> Callable[[asyncpg.Connection, Delivery], Awaitable[None]]:
    async def handle(conn: asyncpg.Connection, delivery: Delivery) -> None:
        if delivery.event is None or delivery.envelope is None:
            return  # a tombstone: nothing for the replicas
        await capture_change(
            PostgresFederationRecords(conn), event=delivery.event, event_id=delivery.envelope.id
        )
        await on_business_event(
            PostgresLinkageRecords(conn),
            PostgresVault(conn),
            server,
            permits,
            event=delivery.event,
            event_id=delivery.envelope.id,
            at=datetime.now(UTC),
        )

    return handle
