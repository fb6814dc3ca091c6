"""The in-memory twin of ``CollectionUnit``, for unit tests. It passes the same contract tests
(``tests/unit/test_unit_of_work_contract.py``); changes made in a block that fails are undone,
as the transaction would be."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator, Sequence
from datetime import date
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from kokuho.collection.adapters.debits import InMemoryDebitAccounts, InMemoryDebitRequests
from kokuho.collection.adapters.unit_of_work import SOURCE
from kokuho.collection.app.ports import (
    Document,
    ImportRecord,
    PreparedLedgers,
    TaxTransfer,
    Versioned,
    WorkItem,
)
from kokuho.collection.domain.ledger import Ledger
from kokuho.collection.domain.tax_transfer import TransferLine
from kokuho.collection.domain.work_items import Resolution
from kokuho.events.contracts import collection as contracts
from kokuho.events.ports import ConcurrencyConflict
from kokuho.events.testing.fakes import InMemoryEventStore
from kokuho.platform.unit_of_work import InMemoryUnitOfWork


class InMemoryLedgerCodec:
    """The ledgers themselves travel (matched in a thread, or pickled whole)."""

    def decode(self, stored: dict[str, Versioned]) -> dict[str, Versioned]:
        return dict(stored)

    def prepare(self, loaded: dict[str, Ledger], saved: Sequence[Versioned]) -> PreparedLedgers:
        return PreparedLedgers(list(saved))


class InMemoryLedgers:
    codec = InMemoryLedgerCodec()

    def __init__(self) -> None:
        self.rows: dict[str, Versioned] = {}

    async def load_many(self, households: Sequence[str]) -> dict[str, Versioned]:
        return {h: self.rows[h] for h in households if h in self.rows}

    async def load_stored(self, households: Sequence[str]) -> dict[str, Versioned]:
        return await self.load_many(households)

    async def save_many(self, ledgers: Sequence[Versioned]) -> None:
        for v in ledgers:
            old = self.rows.get(v.ledger.household)
            if old is not None and old.version > v.version:
                raise ConcurrencyConflict("ledgers", old.version, v.version)
        for v in ledgers:
            self.rows[v.ledger.household] = v

    def prepare(self, ledgers: Sequence[Versioned]) -> PreparedLedgers:
        return PreparedLedgers(list(ledgers))

    async def save_prepared(self, parts: Sequence[PreparedLedgers]) -> None:
        await self.save_many([v for part in parts for v in part.ledgers])

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


_V = TypeVar("_V")


class _Section(Generic[_V]):
    """One kind of row of a flat dict, as a mapping of its own."""

    def __init__(self, rows: dict[tuple[str, str], Any], kind: str) -> None:
        self._rows, self._kind = rows, kind

    def __getitem__(self, key: str) -> _V:
        value: _V = self._rows[(self._kind, key)]
        return value

    def __setitem__(self, key: str, value: _V) -> None:
        self._rows[(self._kind, key)] = value

    def __iter__(self) -> Iterator[str]:
        return iter([k for kind, k in self._rows if kind == self._kind])

    def get(self, key: str) -> _V | None:
        value: _V | None = self._rows.get((self._kind, key))
        return value

    def setdefault(self, key: str, value: _V) -> None:
        self._rows.setdefault((self._kind, key), value)

    def values(self) -> list[_V]:
        return [v for (kind, _), v in self._rows.items() if kind == self._kind]


class InMemoryWorkItems:
    """Items and resolutions in one flat ``rows`` (the unit copies it to undo a block)."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Any] = {}

    @property
    def _items(self) -> _Section[WorkItem]:
        return _Section(self.rows, "item")

    @property
    def _resolutions(self) -> _Section[Resolution]:
        return _Section(self.rows, "resolution")

    async def add_many(self, items: Sequence[WorkItem]) -> None:
        for item in items:
            self._items.setdefault(item.item_id, item)

    async def open_items(self, limit: int, after: str | None) -> list[WorkItem]:
        return [
            self._items[k]
            for k in sorted(self._items)
            if k > (after or "") and not self._items[k].resolved
        ][:limit]

    async def get(self, item_id: str) -> WorkItem | None:
        return self._items.get(item_id)

    async def open_of_household(self, household: str, kinds: Sequence[str]) -> list[WorkItem]:
        return [
            self._items[k]
            for k in sorted(self._items)
            if self._items[k].household == household
            and self._items[k].kind in kinds
            and not self._items[k].resolved
        ]

    async def mark_resolved(self, item_ids: Sequence[str], resolution_id: str, on: date) -> int:
        count = 0
        for item_id in dict.fromkeys(item_ids):
            item = self._items.get(item_id)
            if item is not None and not item.resolved:
                self._items[item_id] = dataclasses.replace(item, resolved=True)
                count += 1
        return count

    async def add_resolution(self, resolution: Resolution) -> None:
        if resolution.status == "pending" and any(
            r.item_id == resolution.item_id and r.status == "pending"
            for r in self._resolutions.values()
        ):
            raise ConcurrencyConflict(f"work-item-{resolution.item_id}", 0, None)
        self._resolutions[resolution.resolution_id] = resolution

    async def update_resolution(self, resolution: Resolution) -> None:
        current = self._resolutions.get(resolution.resolution_id)
        if current is None or current.status != "pending":
            raise ConcurrencyConflict(f"resolution-{resolution.resolution_id}", 0, None)
        self._resolutions[resolution.resolution_id] = resolution

    async def resolution(self, resolution_id: str) -> Resolution | None:
        return self._resolutions.get(resolution_id)

    async def resolutions(self, item_id: str) -> list[Resolution]:
        return sorted(
            (r for r in self._resolutions.values() if r.item_id == item_id),
            key=lambda r: (r.entered_on, r.resolution_id),
        )


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
