"""What the use cases of collection need: one unit of work with the event store, the ledger
snapshots, the work list, the payment imports, the printed documents and the audit trail.
``adapters/unit_of_work.py`` (PostgreSQL) and ``adapters/memory.py`` (in memory) provide it;
the same contract tests run against both (tests/unit/test_unit_of_work_contract.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from kokuho.collection.domain.direct_debit import DebitAccount
from kokuho.collection.domain.ledger import Ledger
from kokuho.collection.domain.parameters import CollectionRules
from kokuho.collection.domain.tax_transfer import TransferLine
from kokuho.collection.domain.work_items import Resolution
from kokuho.events.ports import EventStore
from kokuho.platform.unit_of_work import UnitOfWorkPort


@dataclass(frozen=True)
class Versioned:
    ledger: Ledger
    version: int


@dataclass(frozen=True)
class PreparedLedgers:
    """Ledgers to save with the rows the store built for them ahead of the write
    (``Ledgers.prepare``): a payment file builds a part's rows while the one before is written
    (ADR 0109)."""

    ledgers: Sequence[Versioned]
    rows: Any = None  # the store's own (PostgreSQL: the snapshots' text, the charge rows)


@dataclass(frozen=True)
class WorkItem:
    """A payment the matching could not settle alone (unmatched, duplicate, over-payment)."""

    item_id: str
    kind: str
    reason: str
    household: str | None
    amount: int
    reference: str
    created_on: date
    import_id: str | None = None
    line: int | None = None
    channel: str | None = None  # a payment's channel and day: what an assignment receives
    paid_on: date | None = None
    resolved: bool = False


@dataclass(frozen=True)
class ImportRecord:
    import_id: str
    sha256: str
    file_name: str
    lines: int
    applied: int
    refused: int
    work_items: int
    partial: bool
    imported_by: str
    imported_on: date
    refused_lines: Sequence[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Document:
    """A printed document's content (a dunning notice, a refund and appropriation notice),
    rendered again on request."""

    document_id: str
    kind: str
    household: str
    issued_on: date
    content: dict[str, Any]


class LedgerCodec(Protocol):
    """A store's ledgers as ``Ledgers.load_stored`` reads them, decoded, and their rows for
    ``Ledgers.save_prepared`` built, where a payment file is matched: in a worker process
    (ADR 0116), so stateless and picklable."""

    def decode(self, stored: Any) -> dict[str, Versioned]: ...

    def prepare(self, loaded: dict[str, Ledger], saved: Sequence[Versioned]) -> PreparedLedgers:
        """``Ledgers.prepare`` of ``saved`` for ledgers ``loaded`` (as decoded, or as the last
        prepare left them: it keeps each saved ledger there)."""
        ...


class Ledgers(Protocol):
    @property
    def codec(self) -> LedgerCodec:
        """How ``load_stored``'s ledgers are decoded and saved elsewhere (ADR 0116)."""
        ...

    async def load_many(self, households: Sequence[str]) -> dict[str, Versioned]: ...

    async def load_stored(self, households: Sequence[str]) -> Any:
        """``load_many``'s ledgers as stored, to be decoded by ``codec`` elsewhere; saved
        through the rows ``codec.prepare`` built, they are not kept for a later ``prepare``
        (one that saves them again writes all their charge rows)."""
        ...

    async def save_many(self, ledgers: Sequence[Versioned]) -> None:
        """Store each ledger at its (new) version (the snapshot beside its events)."""
        ...

    def prepare(self, ledgers: Sequence[Versioned]) -> PreparedLedgers:
        """``save_many``'s rows built now, without I/O; written by ``save_prepared``, in the
        order they were prepared (the rows of a ledger saved twice follow its first save)."""
        ...

    async def save_prepared(self, parts: Sequence[PreparedLedgers]) -> None:
        """The ledgers of prepared parts saved at once, as ``save_many`` of them all."""
        ...

    async def households(self, after: str, limit: int) -> list[str]:
        """Every household with a ledger, in order, after ``after`` (a page of ``limit``)."""
        ...

    async def due_for_dunning(self, on_or_before: date) -> list[str]:
        """Households with a charge unpaid, not dunned, due on or before the day."""
        ...

    async def unpaid_due_before(self, day: date) -> list[str]:
        """Households with an unpaid, unlapsed charge due before the day."""
        ...


class WorkItems(Protocol):
    async def add_many(self, items: Sequence[WorkItem]) -> None: ...

    async def open_items(self, limit: int, after: str | None) -> list[WorkItem]: ...

    async def get(self, item_id: str) -> WorkItem | None: ...

    async def open_of_household(self, household: str, kinds: Sequence[str]) -> list[WorkItem]:
        """The household's open items of these kinds."""
        ...

    async def mark_resolved(self, item_ids: Sequence[str], resolution_id: str, on: date) -> int:
        """Resolved by ``resolution_id``; an item resolved already keeps its first resolution
        (not counted). Returns how many were resolved now."""
        ...

    async def add_resolution(self, resolution: Resolution) -> None:
        """A new resolution; a second pending one of the same item is a ConcurrencyConflict."""
        ...

    async def update_resolution(self, resolution: Resolution) -> None:
        """Its decision (status, by whom, when, outcome), only while it is pending."""
        ...

    async def resolution(self, resolution_id: str) -> Resolution | None: ...

    async def resolutions(self, item_id: str) -> list[Resolution]:
        """Every resolution of the item, oldest first."""
        ...


class Imports(Protocol):
    async def find(self, sha256: str) -> ImportRecord | None: ...

    async def add(self, record: ImportRecord) -> None: ...


class Documents(Protocol):
    async def add_many(self, documents: Sequence[Document]) -> None: ...

    async def get(self, document_id: str) -> Document | None: ...


@dataclass(frozen=True)
class DebitRequest:
    """A monthly debit request file written (its content is rebuilt from the registrations,
    never stored: it carries account numbers)."""

    request_id: str
    debit_on: date
    count: int
    total: int
    created_by: str
    created_on: date


class DebitAccounts(Protocol):
    """口座振替 registrations (private: account numbers stay in this table)."""

    async def add(self, account: DebitAccount) -> None: ...

    async def get(self, registration_id: str) -> DebitAccount | None: ...

    async def replace(self, account: DebitAccount) -> None:
        """Store the new state; an account confirmed active marks the household's previous
        active one ``replaced``."""
        ...

    async def active(self) -> list[DebitAccount]: ...


class DebitRequests(Protocol):
    async def find(self, debit_on: date) -> DebitRequest | None: ...

    async def add(self, request: DebitRequest) -> None: ...

    async def days(self) -> list[date]: ...


@dataclass(frozen=True)
class TaxTransfer:
    """移転 1 recorded (C-66): what (the lines), to whom, when and under which basis."""

    transfer_id: str
    calendar_year: int
    flow_id: str
    recipient: str
    legal_basis: str
    method: str
    items: tuple[str, ...]
    households: int
    total: int
    transferred_by: str
    transferred_on: date


class TaxTransfers(Protocol):
    async def find(self, calendar_year: int) -> TaxTransfer | None: ...

    async def add(self, transfer: TaxTransfer, lines: Sequence[TransferLine]) -> None: ...

    async def lines(self, transfer_id: str) -> list[TransferLine]: ...


class CollectionUnitPort(UnitOfWorkPort, Protocol):
    @property
    def events(self) -> EventStore: ...

    @property
    def ledgers(self) -> Ledgers: ...

    @property
    def work_items(self) -> WorkItems: ...

    @property
    def imports(self) -> Imports: ...

    @property
    def documents(self) -> Documents: ...

    @property
    def debit_accounts(self) -> DebitAccounts: ...

    @property
    def debit_requests(self) -> DebitRequests: ...

    @property
    def tax_transfers(self) -> TaxTransfers: ...

    @property
    def topic(self) -> str: ...


class BankDirectory(Protocol):
    """The Zengin bank and branch code list: half-width kana names, or None when unknown."""

    def bank(self, bank_code: str) -> str | None: ...

    def branch(self, bank_code: str, branch_code: str) -> str | None: ...


@dataclass(frozen=True)
class Consignor:
    """The city as the debit file's 委託者: its code from the bank and its collecting account."""

    code: str
    name: str
    bank_code: str
    branch_code: str
    account_type: str
    account_number: str


@dataclass(frozen=True)
class Ports:
    """The service's own dependencies: its rules, its day and the document renderer."""

    rules: CollectionRules
    today: Callable[[], date]
    render: Callable[[Document], bytes]
    banks: BankDirectory | None = None
    kana: Callable[[str], str] = str  # the holder's name to half-width kana
    consignor: Consignor | None = None
    #: makes the executor a payment file's slabs are matched in (None: one thread)
    matcher: Callable[[], Executor] | None = None
