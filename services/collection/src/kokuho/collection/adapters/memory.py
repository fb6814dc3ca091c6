"""The in-memory twin of ``CollectionUnit``, for unit tests. It passes the same contract tests
(``tests/unit/test_unit_of_work_contract.py``); changes made in a block that fails are undone,
as the transaction would be."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import date
from types import TracebackType
from typing import Any, Self

from kokuho.collection.adapters.debits import InMemoryDebitAccounts, InMemoryDebitRequests
from kokuho.collection.adapters.unit_of_work import SOURCE
from kokuho.collection.app.ports import (
    Document,
    ImportRecord,
    TaxTransfer,
    Versioned,
    WorkItem,
)
from kokuho.collection.domain.tax_transfer import TransferLine
from kokuho.events.contracts import collection as contracts
from kokuho.events.ports import ConcurrencyConflict
from kokuho.events.testing.fakes import InMemoryEventStore
from kokuho.platform.unit_of_work import InMemoryUnitOfWork


class InMemoryLedgers:
    def __init__(self) -> None:
        self.rows: dict[str, Versioned] = {}

    async def load_many(self, households: Sequence[str]) -> dict[str, Versioned]:
        return {h: self.rows[h] for h in households if h in self.rows}

    async def save_many(self, ledgers: Sequence[Versioned]) -> None:
        for v in ledgers:
            old = self.rows.get(v.ledger.household)
            if old is not None and old.version > v.version:
                raise ConcurrencyConflict("ledgers", old.version, v.version)
        for v in ledgers:
            self.rows[v.ledger.household] = v

    async def households(self, after: str, limit: int) -> list[str]:
        return sorted(h for h in self.rows if h > after)[:limit]

    def _where(self, test: Any) -> list[str]:
        return sorted(h for h, v in self.rows.items() if any(map(test, v.ledger.charges.values())))

    async def due_for_dunning(self, on_or_before: date) -> list[str]:
        return self._where(
            lambda c: (
                c.outstanding > 0
                and c.dunned_on is None
                and c.lapsed_on is None
                and c.due_date <= on_or_before
            )
        )

    async def unpaid_due_before(self, day: date) -> list[str]:
        return self._where(lambda c: c.outstanding > 0 and c.lapsed_on is None and c.due_date < day)


class InMemoryWorkItems:
    def __init__(self) -> None:
        self.rows: dict[str, WorkItem] = {}

    async def add_many(self, items: Sequence[WorkItem]) -> None:
        for item in items:
            self.rows.setdefault(item.item_id, item)

    async def open_items(self, limit: int, after: str | None) -> list[WorkItem]:
        return [self.rows[k] for k in sorted(self.rows) if k > (after or "")][:limit]


class InMemoryImports:
    def __init__(self) -> None:
        self.rows: dict[str, ImportRecord] = {}

    async def find(self, sha256: str) -> ImportRecord | None:
        return self.rows.get(sha256)

    async def add(self, record: ImportRecord) -> None:
        if record.sha256 in self.rows:
            raise ValueError(f"import {record.sha256} exists")
        self.rows[record.sha256] = record


class InMemoryDocuments:
    def __init__(self) -> None:
        self.rows: dict[str, Document] = {}

    async def add_many(self, documents: Sequence[Document]) -> None:
        for d in documents:
            self.rows.setdefault(d.document_id, d)

    async def get(self, document_id: str) -> Document | None:
        return self.rows.get(document_id)


class InMemoryTaxTransfers:
    def __init__(self) -> None:
        self.rows: dict[int, tuple[TaxTransfer, list[TransferLine]]] = {}

    async def find(self, calendar_year: int) -> TaxTransfer | None:
        found = self.rows.get(calendar_year)
        return None if found is None else found[0]

    async def add(self, transfer: TaxTransfer, lines: Sequence[TransferLine]) -> None:
        if transfer.calendar_year in self.rows:
            raise ValueError(f"transfer of {transfer.calendar_year} exists")
        self.rows[transfer.calendar_year] = (transfer, list(lines))

    async def lines(self, transfer_id: str) -> list[TransferLine]:
        for transfer, lines in self.rows.values():
            if transfer.transfer_id == transfer_id:
                return sorted(lines, key=lambda line: line.household)
        return []


class InMemoryCollectionUnit(InMemoryUnitOfWork):
    def __init__(self, topic: str = contracts.EVENTS_TOPIC) -> None:
        super().__init__()
        self.topic = topic
        self.events = InMemoryEventStore(source=SOURCE)
        self.ledgers = InMemoryLedgers()
        self.work_items = InMemoryWorkItems()
        self.imports = InMemoryImports()
        self.documents = InMemoryDocuments()
        self.debit_accounts = InMemoryDebitAccounts()
        self.debit_requests = InMemoryDebitRequests()
        self.tax_transfers = InMemoryTaxTransfers()
        self._saved: dict[str, Any] | None = None

    _STATE = (
        "ledgers",
        "work_items",
        "imports",
        "documents",
        "debit_accounts",
        "debit_requests",
        "tax_transfers",
    )

    async def __aenter__(self) -> Self:
        if self._depth == 0:
            self._saved = {name: copy.copy(getattr(self, name).rows) for name in self._STATE}
        return await super().__aenter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._depth == 1 and exc is not None and self._saved is not None:
            for name, rows in self._saved.items():
                getattr(self, name).rows = rows
        await super().__aexit__(exc_type, exc, tb)
