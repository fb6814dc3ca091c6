"""What the use cases of collection need: one unit of work with the event store, the ledger
snapshots, the work list, the payment imports, the printed documents and the audit trail.
``adapters/unit_of_work.py`` (PostgreSQL) and ``adapters/memory.py`` (in memory) provide it;
the same contract tests run against both (tests/unit/test_unit_of_work_contract.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from kokuho.collection.domain.ledger import Ledger
from kokuho.collection.domain.parameters import CollectionRules
from kokuho.events.ports import EventStore
from kokuho.platform.unit_of_work import UnitOfWorkPort


@dataclass(frozen=True)
class Versioned:
    ledger: Ledger
    version: int


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


class Ledgers(Protocol):
    async def load_many(self, households: Sequence[str]) -> dict[str, Versioned]: ...

    async def save_many(self, ledgers: Sequence[Versioned]) -> None:
        """Store each ledger at its (new) version (the snapshot beside its events)."""
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


class Imports(Protocol):
    async def find(self, sha256: str) -> ImportRecord | None: ...

    async def add(self, record: ImportRecord) -> None: ...


class Documents(Protocol):
    async def add_many(self, documents: Sequence[Document]) -> None: ...

    async def get(self, document_id: str) -> Document | None: ...


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
    def topic(self) -> str: ...


@dataclass(frozen=True)
class Ports:
    """The service's own dependencies: its rules, its day and the document renderer."""

    rules: CollectionRules
    today: Callable[[], date]
    render: Callable[[Document], bytes]
