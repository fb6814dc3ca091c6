"""The in-memory twin of ``GatewayUnit`` for unit tests of the use cases (no database).

It holds the in-memory vault (held to the same contract tests as ``PostgresVault``), the
replica originals as the vault's use cases reach them, and an in-memory event store; commits,
rollbacks and audit records are counted by the platform's ``InMemoryUnitOfWork`` and
``RecordingAudit``. Inquiries, provisions, the federation ledger, applications and transfers
have no fake: their use cases are tested on PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from kokuho.events.contracts.linkage_gateway import MynaInsuranceCardStatusChanged
from kokuho.events.testing.fakes import InMemoryEventStore
from kokuho.linkage_gateway.adapters.memory_vault import InMemoryVault
from kokuho.linkage_gateway.adapters.postgres_vault import SOURCE
from kokuho.linkage_gateway.app.records import ReplicaMessage, ReplicaView, StoredReplica
from kokuho.linkage_gateway.domain.card_status import CardStateReport, PublishedCardState
from kokuho.platform.unit_of_work import InMemoryUnitOfWork


@dataclass
class InMemoryReplicas:
    """The replica originals and their registrations (part of ``LinkageRecords``)."""

    stored: dict[tuple[str, str], StoredReplica] = field(default_factory=dict)
    registrations: list[tuple[str, ReplicaMessage, str]] = field(default_factory=list)
    #: integrated addressee number -> addressee number (the vault's bindings, as a test sets)
    integrated: dict[str, str] = field(default_factory=dict)

    async def addressee_of_integrated(self, integrated_addressee_number: str) -> str | None:
        return self.integrated.get(integrated_addressee_number)

    async def replica(self, addressee_number: str, item: str) -> StoredReplica | None:
        return self.stored.get((addressee_number, item))

    async def save_replica(
        self,
        addressee_number: str,
        item: str,
        content: dict[str, Any],
        version: int,
        integrated_addressee_number: str | None,
    ) -> None:
        old = self.stored.get((addressee_number, item))
        registered = old.registered_version if old else 0
        self.stored[(addressee_number, item)] = StoredReplica(
            dict(content), version, registered, integrated_addressee_number
        )

    async def pending_replicas(self, addressee_number: str) -> list[tuple[str, StoredReplica]]:
        return sorted(
            (item, r)
            for (who, item), r in self.stored.items()
            if who == addressee_number and r.integrated_addressee_number is None
        )

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
        key = (addressee_number, message.item)
        old = self.stored[key]
        self.stored[key] = StoredReplica(
            old.content, old.version, message.version, old.integrated_addressee_number
        )
        self.registrations.append((addressee_number, message, legal_basis_row))

    async def replicas_of(self, addressee_number: str) -> list[ReplicaView]:
        now = datetime.now(UTC)
        return [
            ReplicaView(
                item, r.content, r.version, r.registered_version, r.integrated_addressee_number, now
            )
            for (who, item), r in sorted(self.stored.items())
            if who == addressee_number
        ]


@dataclass
class InMemoryCardStates:
    """The last マイナ保険証 state published per person and the events published (the
    ``CardStateRecords`` of ``PostgresCardStates``, compare and set included)."""

    rows: dict[str, PublishedCardState] = field(default_factory=dict)
    published_events: list[MynaInsuranceCardStatusChanged] = field(default_factory=list)

    async def published(self, addressee_number: str) -> PublishedCardState | None:
        return self.rows.get(addressee_number)

    async def replace(
        self,
        addressee_number: str,
        report: CardStateReport,
        previous: PublishedCardState | None,
        at: datetime,
    ) -> bool:
        if self.rows.get(addressee_number) != previous:
            return False
        self.rows[addressee_number] = PublishedCardState(
            report.status, report.e_certificate_expires_on, report.as_of
        )
        return True

    async def publish(self, event: MynaInsuranceCardStatusChanged) -> None:
        self.published_events.append(event)


class InMemoryGatewayUnit(InMemoryUnitOfWork):
    def __init__(
        self,
        vault: InMemoryVault | None = None,
        linkage: InMemoryReplicas | None = None,
        card_states: InMemoryCardStates | None = None,
    ) -> None:
        super().__init__()
        self.vault = vault or InMemoryVault()
        self.linkage = linkage or InMemoryReplicas()
        self.card_states = card_states or InMemoryCardStates()
        self.events = InMemoryEventStore(source=SOURCE)

    def opener(self) -> InMemoryGatewayUnit:
        """A unit of its own over the same data (the ``UnitOpener`` of the use cases)."""
        return InMemoryGatewayUnit(self.vault, self.linkage, self.card_states)
