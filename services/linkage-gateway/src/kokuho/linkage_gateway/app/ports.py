"""The ports of the gateway: its counterparts (J-LIS, the intermediate server, the federation,
the e-application portal, the resident-record system, the transfer channel, the signature check,
the number sealer), the ``Ports`` the composition root fills, and the unit of work the use
cases enter (``GatewayUnitPort``; what it stores is in ``app/records.py`` and
``app/federation_records.py``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from kokuho.events.ports import EventStore
from kokuho.linkage_gateway.app.federation_records import FederationRecords
from kokuho.linkage_gateway.app.records import (
    ApplicationRecords,
    CardStateRecords,
    LinkageRecords,
    SealedNumber,
    TransferRecords,
    VaultRepository,
)
from kokuho.linkage_gateway.app.records import (
    ReplicaMessage as ReplicaMessage,  # the message of the IntermediateServer port
)
from kokuho.linkage_gateway.domain.card_status import CardStateReport
from kokuho.linkage_gateway.domain.individual_number import IndividualNumber
from kokuho.linkage_gateway.domain.intermediate import PermittedInquiryList
from kokuho.linkage_gateway.domain.resolution import ResolutionPolicy
from kokuho.linkage_gateway.domain.transfers import TransferRegistry
from kokuho.platform.errors import DomainError
from kokuho.platform.unit_of_work import UnitOfWorkPort

if TYPE_CHECKING:  # claims_files imports this module's CounterpartUnavailable and UnitOpener
    from kokuho.linkage_gateway.app.claims_files import ClaimsDeliveryRecords, ClaimsReceiver


class CounterpartUnavailable(DomainError, ConnectionError):
    """An external counterpart (J-LIS, the intermediate server, the portal, the resident-record
    system, the transfer channel) did not answer: 503, the gateway never guesses an answer."""

    status = 503
    slug = "counterpart-unavailable"


class NumberSealer(Protocol):
    """Encryption and keyed index of individual numbers (adapters/crypto.py)."""

    def index(self, number: IndividualNumber, key_id: str | None = None) -> str:
        """The keyed index under ``key_id`` (default: the active index key)."""
        ...

    def indexes(self, number: IndividualNumber) -> list[str]:
        """The index under every index key held (lookups during an index-key rotation)."""
        ...

    def matches(self, index: str, number: IndividualNumber) -> bool: ...

    def seal(self, number: IndividualNumber, *, addressee_number: str) -> SealedNumber: ...

    def open(self, sealed: SealedNumber, *, addressee_number: str) -> IndividualNumber: ...

    def rewrap(self, sealed: SealedNumber) -> SealedNumber:
        """The same value with its data key wrapped by the active key-encryption key."""
        ...

    @property
    def active_kek_id(self) -> str: ...

    @property
    def active_index_key_id(self) -> str: ...


@dataclass(frozen=True)
class Authenticity:
    authentic: bool
    reason: str = ""


class IdentityService(Protocol):
    """The national identity service (J-LIS, 地方公共団体情報システム機構): authenticity check
    (真正性確認) of an individual number."""

    async def confirm(self, number: IndividualNumber) -> Authenticity: ...


@dataclass(frozen=True)
class InquiryAnswer:
    status: str  # "answered" | "no-data" | "held"
    content: dict[str, Any] | None


class IntermediateServer(Protocol):
    """The municipal intermediate server (自治体中間サーバー)."""

    async def register_replica(self, message: ReplicaMessage) -> str:
        """Register (or replace) a replica; returns the server's receipt id. Idempotent on
        (integrated addressee number, item, version)."""
        ...

    async def inquire(
        self, *, integrated_addressee_number: str, provider: str, item: str
    ) -> InquiryAnswer: ...

    async def export_replicas(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Every replica held, for reconciliation with the originals (C-84)."""
        ...

    async def delete_replicas(self, integrated_addressee_number: str) -> str:
        """C-97: the municipality's own operation erasing every replica of the person;
        returns the server's receipt. Idempotent (nothing held: the same receipt)."""
        ...

    async def card_states(self) -> list[CardStateReport]:
        """Every person's マイナ保険証 state the online-qualification side holds, by the
        integrated addressee number (simulated on this port; the real side is the insurers'
        intermediate server, 医療保険者等向け中間サーバー)."""
        ...


class Federation(Protocol):
    """The federation's file exchange (国保総合PC / 国保情報集約システム)."""

    async def send(self, file_name: str, content: bytes) -> str:
        """Deliver a file; returns the federation's receipt."""
        ...

    async def fetch_continuation_file(self, file_date: date) -> bytes | None:
        """The day's continuation file (KKH-SKK) as the federation sends it; None when it
        has none for that day yet."""
        ...

    async def fetch_claims_file(self, processing_month: str) -> bytes | None:
        """The month's claims file (KKH-RZP, ``YYYY-MM``) as the federation sends it; None
        when it has none for that month yet (ADR 0084)."""
        ...


@dataclass(frozen=True)
class SignedApplication:
    """One application as fetched from the portal: the payload (JSON, carries the individual
    number), its signature and the signing certificate from the MN card."""

    receipt_number: str
    procedure_code: str
    applied_at: datetime
    payload: bytes
    signature: bytes
    certificate_pem: bytes


@dataclass(frozen=True)
class SignatureCheck:
    valid: bool
    reason: str
    certificate_serial: str | None


class SignatureVerifier(Protocol):
    """C-12: validity, chain to the trusted root, revocation, tampering."""

    def verify(self, application: SignedApplication, at: datetime) -> SignatureCheck: ...


class EApplicationPortal(Protocol):
    """サービス検索・電子申請機能 (the portal)."""

    async def fetch_new(self) -> list[SignedApplication]: ...

    async def update_status(self, receipt_number: str, status_code: str, reason: str) -> None: ...


class ResidentRecords(Protocol):
    """The resident-record system: user-certificate serial -> addressee number."""

    async def addressee_of_certificate(self, serial: str) -> str | None: ...


class TransferChannel(Protocol):
    """The common platform's linkage to other divisions (庁内連携) or the media process."""

    async def deliver(
        self, *, recipient: str, method: str, records: list[dict[str, str]]
    ) -> str: ...

    def configured_routes(self) -> list[tuple[str, str]]:
        """(recipient, method) pairs the channel is set up for (C-69)."""
        ...


@dataclass(frozen=True)
class Ports:
    """Everything the gateway's use cases reach outside the database, made by ``bootstrap``."""

    sealer: NumberSealer
    identity: IdentityService
    policy: ResolutionPolicy
    server: IntermediateServer
    permits: PermittedInquiryList
    federation: Federation
    portal: EApplicationPortal
    residents: ResidentRecords
    signatures: SignatureVerifier
    transfers: TransferRegistry
    channel: TransferChannel
    clock: Callable[[], datetime]
    #: benefits' claims import (ADR 0084); None: not configured, forwarding is refused (503)
    benefits: ClaimsReceiver | None = None


class GatewayUnitPort(UnitOfWorkPort, Protocol):
    """One transaction over the gateway's tables (``adapters/unit_of_work.py``): the event
    store, the small repositories and the audit trail; ``async with uow:`` enters it."""

    @property
    def events(self) -> EventStore: ...

    @property
    def vault(self) -> VaultRepository: ...

    @property
    def linkage(self) -> LinkageRecords: ...

    @property
    def federation(self) -> FederationRecords: ...

    @property
    def applications(self) -> ApplicationRecords: ...

    @property
    def transfers(self) -> TransferRecords: ...

    @property
    def card_states(self) -> CardStateRecords: ...

    @property
    def claims_deliveries(self) -> ClaimsDeliveryRecords: ...


#: Opens a unit of work of its own (its own connection and transaction): for the phase of a
#: two-phase send that must commit before a file leaves, and for intake (one per application).
UnitOpener = Callable[[], GatewayUnitPort]
