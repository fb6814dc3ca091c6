"""What the gateway stores, and the repositories that store it (one transaction each, reached
through the unit of work, ``GatewayUnitPort`` in ``app/ports.py``). PostgreSQL implements them
in ``adapters/postgres_*.py``; the vault also in memory (``adapters/memory_vault.py``), both
held to the same contract tests. The federation exchange's records are in
``app/federation_records.py``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from kokuho.events.contracts.linkage_gateway import (
    EApplicationAccepted,
    MynaInsuranceCardStatusChanged,
)
from kokuho.linkage_gateway.domain.card_status import CardStateReport, PublishedCardState
from kokuho.linkage_gateway.domain.vault import Binding, VaultEvent


@dataclass(frozen=True)
class SealedNumber:
    """An individual number under envelope encryption: a per-value data key wrapped by the
    key-encryption key ``kek_id``; the number encrypted under the data key."""

    kek_id: str
    wrapped_key: bytes
    nonce: bytes
    ciphertext: bytes


class VaultRepository(Protocol):
    """The integrated addressee table inside one transaction."""

    async def binding_of(self, addressee_number: str) -> Binding | None: ...

    async def holder_of(self, number_indexes: Sequence[str]) -> Binding | None:
        """The person whose number has one of these indexes (one per index key held)."""
        ...

    async def next_integrated_addressee_number(self) -> str: ...

    async def record(
        self, events: Sequence[VaultEvent], sealed: SealedNumber | None = None
    ) -> None: ...

    async def sealed_of(self, addressee_number: str) -> SealedNumber | None: ...

    async def subject_affairs(self, addressee_number: str) -> set[str]: ...

    async def add_subject(self, addressee_number: str, affair: str) -> None: ...

    async def report_for_confirmation(self, addressee_number: str, rule: str, by: str) -> None:
        """C-17: a refused binding goes on the list for staff."""
        ...

    async def open_confirmations(self, limit: int, after: int) -> list[Confirmation]:
        """The unresolved confirmation list, by id after ``after``."""
        ...

    async def addressees_of_integrated(self, integrated: Sequence[str]) -> list[str]:
        """The addressee numbers holding these integrated addressee numbers (sorted)."""
        ...


@dataclass(frozen=True)
class Confirmation:
    """A refused binding on the C-17 confirmation list."""

    id: int
    addressee_number: str
    rule: str
    reported_at: datetime
    reported_by: str


@dataclass(frozen=True)
class ReplicaMessage:
    """A replica registration (副本登録). Keyed by the integrated addressee number; neither the
    individual number nor the network code (符号) is in it (C-75, C-85)."""

    integrated_addressee_number: str
    item: str
    version: int
    content: dict[str, Any]


@dataclass(frozen=True)
class StoredReplica:
    content: dict[str, Any]
    version: int
    registered_version: int
    integrated_addressee_number: str | None


@dataclass(frozen=True)
class InquiryRecord:
    inquiry_id: UUID
    requested_by: str
    requested_at: datetime
    affair: str
    provider: str
    item: str
    legal_basis_row: str
    addressee_number: str
    status: str
    result: dict[str, Any] | None
    completed_at: datetime | None
    result_deleted_at: datetime | None


@dataclass(frozen=True)
class ProvisionRecord:
    provision_id: UUID
    requester: str
    item: str
    legal_basis_row: str
    addressee_number: str
    requested_at: datetime
    status: str
    provided_at: datetime | None
    approved_by: str | None


class LinkageRecords(Protocol):
    """Replicas, registrations, inquiries and provisions inside one transaction."""

    async def replica(self, addressee_number: str, item: str) -> StoredReplica | None: ...

    async def save_replica(
        self,
        addressee_number: str,
        item: str,
        content: dict[str, Any],
        version: int,
        integrated_addressee_number: str | None,
    ) -> None: ...

    async def pending_replicas(self, addressee_number: str) -> list[tuple[str, StoredReplica]]: ...

    async def record_registration(
        self,
        *,
        addressee_number: str,
        message: ReplicaMessage,
        legal_basis_row: str,
        source_event_id: UUID | None,
        receipt: str,
        at: datetime,
    ) -> None: ...

    async def registered_originals(self) -> dict[tuple[str, str], dict[str, Any]]: ...

    async def save_inquiry(
        self, record: InquiryRecord, integrated_addressee_number: str
    ) -> None: ...

    async def inquiry(self, inquiry_id: UUID) -> InquiryRecord | None: ...

    async def delete_inquiry_results(
        self, *, completed_before: datetime, at: datetime
    ) -> list[UUID]: ...

    async def addressee_of_integrated(self, integrated_addressee_number: str) -> str | None: ...

    async def save_provision(
        self, record: ProvisionRecord, integrated_addressee_number: str
    ) -> None: ...

    async def provision(self, provision_id: UUID) -> ProvisionRecord | None: ...

    async def approve_provision(self, provision_id: UUID, *, by: str, at: datetime) -> None: ...

    async def held_provisions(self, limit: int) -> list[ProvisionRecord]: ...

    async def set_householder(self, nhi_household_number: str, addressee_number: str) -> None: ...

    async def householder_of(self, nhi_household_number: str) -> str | None: ...

    async def save_premium(
        self, nhi_household_number: str, fiscal_year: int, revision: int, content: dict[str, Any]
    ) -> bool:
        """Keep the household's assessment for the year; False if a later revision is kept."""
        ...

    async def premiums_of(self, nhi_household_number: str) -> dict[str, Any]:
        """Every fiscal year's kept assessment, keyed by the year as text."""
        ...

    async def replicas_of(self, addressee_number: str) -> list[ReplicaView]:
        """The person's current replicas, by item (C-83)."""
        ...


@dataclass(frozen=True)
class ReplicaView:
    """One replica as we hold it (the original) and what was registered of it (C-83)."""

    item: str
    content: dict[str, Any]
    version: int
    registered_version: int
    integrated_addressee_number: str | None
    updated_at: datetime


@dataclass(frozen=True)
class ApplicationRecord:
    """A row of the application-management table (AM): no individual number."""

    receipt_number: str
    procedure_code: str
    procedure_name: str
    applied_at: datetime
    status_code: str
    status_reason: str
    addressee_number: str | None
    integrated_addressee_number: str | None
    user_auth_certificate_serial: str | None
    received_at: datetime


class ApplicationRecords(Protocol):
    async def seen(self, receipt_number: str) -> bool: ...

    async def status_of(self, receipt_number: str) -> tuple[str, str] | None:
        """(status code, reason) of an application taken before."""
        ...

    async def record_of(self, receipt_number: str) -> ApplicationRecord | None: ...

    async def save(self, record: ApplicationRecord) -> None: ...

    async def publish(self, event: EApplicationAccepted) -> None: ...


@dataclass(frozen=True)
class TransferRecord:
    transfer_id: UUID
    flow_id: str
    recipient: str
    legal_basis: str
    items: tuple[str, ...]
    method: str
    subjects: tuple[str, ...]
    requested_by: str
    status: str  # prepared | delivered
    prepared_at: datetime
    delivered_at: datetime | None
    receipt: str | None
    channel: str | None = None  # event-feed | yearly-file | manual-handover
    source: str | None = None  # the owning service's event source, for a feed delivery
    source_event_id: UUID | None = None
    subject_kind: str = "addressee_number"  # or nhi_household_number
    detail: Mapping[str, Any] = field(default_factory=dict)


class TransferRecords(Protocol):
    async def save(self, record: TransferRecord) -> None:
        """The record, status prepared, before anything leaves (C-66); or a record delivered
        already, in the same transaction as the delivery (a feed's event)."""
        ...

    async def mark_delivered(
        self, transfer_id: UUID, receipt: str, at: datetime
    ) -> TransferRecord: ...

    async def listed(
        self,
        limit: int,
        *,
        flow_id: str | None = None,
        on_or_after: date | None = None,
        on_or_before: date | None = None,
    ) -> list[TransferRecord]:
        """Deliveries for the auditor (C-66), newest first, by day (Japan time)."""
        ...


class CardStateRecords(Protocol):
    """The last マイナ保険証 state published per person (``domain/card_status.py``)."""

    async def published(self, addressee_number: str) -> PublishedCardState | None: ...

    async def replace(
        self,
        addressee_number: str,
        report: CardStateReport,
        previous: PublishedCardState | None,
        at: datetime,
    ) -> bool:
        """Set the person's state to ``report`` if it is still ``previous`` (compare and set:
        two runs at once publish a state once); whether it was set."""
        ...

    async def publish(self, event: MynaInsuranceCardStatusChanged) -> None: ...
