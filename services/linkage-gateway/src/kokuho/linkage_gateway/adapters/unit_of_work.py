"""``GatewayUnit``: the gateway's one unit of work on PostgreSQL (``GatewayUnitPort``).

Opened on the pool (jobs, commands, the first phase of a two-phase send) it has its own
connection and transaction; opened by the platform's write/read context or an inbox delivery it
joins that transaction. Every repository it exposes publishes to ``events_topic``: the
composition root passes ``settings.events_topic`` (a unit opened without it publishes nothing).
"""

from __future__ import annotations

from typing import Any

import asyncpg

from kokuho.events.runtime.store import PostgresEventStore
from kokuho.linkage_gateway.adapters.postgres_applications import PostgresApplicationRecords
from kokuho.linkage_gateway.adapters.postgres_card_states import PostgresCardStates
from kokuho.linkage_gateway.adapters.postgres_claims_files import PostgresClaimsDeliveries
from kokuho.linkage_gateway.adapters.postgres_federation import PostgresFederationRecords
from kokuho.linkage_gateway.adapters.postgres_linkage import PostgresLinkageRecords
from kokuho.linkage_gateway.adapters.postgres_retention import PostgresRetention
from kokuho.linkage_gateway.adapters.postgres_transfers import PostgresTransferRecords
from kokuho.linkage_gateway.adapters.postgres_vault import SOURCE, PostgresVault
from kokuho.platform.unit_of_work import UnitOfWork


class GatewayUnit(UnitOfWork):
    events: PostgresEventStore
    vault: PostgresVault
    linkage: PostgresLinkageRecords
    federation: PostgresFederationRecords
    applications: PostgresApplicationRecords
    transfers: PostgresTransferRecords
    card_states: PostgresCardStates
    claims_deliveries: PostgresClaimsDeliveries
    retention: PostgresRetention

    def __init__(self, *args: Any, events_topic: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.events_topic = events_topic

    def bind(self, conn: asyncpg.Connection) -> None:
        topic = self.events_topic
        self.events = PostgresEventStore(conn, source=SOURCE)
        self.vault = PostgresVault(conn, topic=topic)
        self.linkage = PostgresLinkageRecords(conn, topic=topic)
        self.federation = PostgresFederationRecords(conn, topic=topic)
        self.applications = PostgresApplicationRecords(conn, topic=topic)
        self.transfers = PostgresTransferRecords(conn)
        self.card_states = PostgresCardStates(conn, topic=topic)
        self.claims_deliveries = PostgresClaimsDeliveries(conn)
        self.retention = PostgresRetention(conn)
