"""The PostgreSQL unit of work of collection: the event store, the ledger snapshots (with the
charge rows the jobs query), the work list, the payment imports and the documents, on one
transaction. Driver errors are translated here, never in the HTTP layer. The work list's
repository is in ``adapters/work_items.py``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import asyncpg
from pydantic_core import from_json, to_json

from kokuho.collection.adapters.debits import PostgresDebitAccounts, PostgresDebitRequests
from kokuho.collection.adapters.rows import (
    changed_charge_rows,
    charge_rows,
    ledger_from_json,
    ledger_to_json,
)
from kokuho.collection.adapters.work_items import PostgresWorkItems
from kokuho.collection.app.ports import (
    Document,
    ImportRecord,
    PreparedLedgers,
    TaxTransfer,
    Versioned,
)
from kokuho.collection.domain.ledger import Ledger
from kokuho.collection.domain.tax_transfer import TransferLine
from kokuho.events.contracts import collection as contracts
from kokuho.events.ports import ConcurrencyConflict, EventStore
from kokuho.events.runtime.store import PostgresEventStore
from kokuho.platform.audit import RequestAudit
from kokuho.platform.unit_of_work import PoolSource, UnitOfWork

SOURCE = "/kokuho/collection"


_CHARGE_COLUMNS = [
    "household",
    "fiscal_year",
    "period",
    "due_date",
    "amount",
    "outstanding",
    "dunned_on",
    "lapsed_on",
]


@dataclass
class _LedgerRows:
    """What saving ledgers writes: the snapshots and the charge rows that changed."""

    households: list[str]
    versions: list[int]
    states: list[str]
    replaced: list[str] = field(default_factory=list)
    removed: list[tuple[str, int, int]] = field(default_factory=list)
    updated: list[tuple[Any, ...]] = field(default_factory=list)
    added: list[tuple[Any, ...]] = field(default_factory=list)

    @classmethod
    def joined(cls, parts: Sequence[_LedgerRows]) -> _LedgerRows:
        if len(parts) == 1:
            return parts[0]
        out = cls([], [], [])
        for p in parts:
            out.households += p.households
            out.versions += p.versions
            out.states += p.states
            out.replaced += p.replaced
            out.removed += p.removed
            out.updated += p.updated
            out.added += p.added
        return out


#: a ledger as PostgreSQL stores it: household, version, snapshot (JSON text)
StoredLedger = tuple[str, int, str]


class PostgresLedgerCodec:
    """The snapshots decoded and the rows built where a payment file is matched: in a worker
    process (ADR 0116), which gets the snapshots' text (it pickles at almost no cost) and
    gives back the rows ``PostgresLedgers.save_prepared`` writes."""

    def decode(self, stored: Sequence[StoredLedger]) -> dict[str, Versioned]:
        return {h: Versioned(ledger_from_json(from_json(state)), v) for h, v, state in stored}

    def prepare(self, loaded: dict[str, Ledger], saved: Sequence[Versioned]) -> PreparedLedgers:
        return PreparedLedgers((), _ledger_rows(loaded, saved))


def _ledger_rows(loaded: dict[str, Ledger], saved: Sequence[Versioned]) -> _LedgerRows:
    """The snapshots of ``saved`` and the charge rows that changed: of a household in
    ``loaded`` (as loaded, or as saved last) only what changed since, of another all of them;
    each saved ledger is kept in ``loaded`` for the next."""
    rows = _LedgerRows(
        [v.ledger.household for v in saved],
        [v.version for v in saved],
        # pydantic-core's Rust JSON: a payment file writes every household's snapshot, and
        # the standard library's encoder and decoder were a tenth of the import (issue 10)
        [to_json(ledger_to_json(v.ledger)).decode() for v in saved],
    )
    for v in saved:
        household = v.ledger.household
        before = loaded.get(household)
        loaded[household] = v.ledger
        if before is None:
            rows.replaced.append(household)
            rows.added += charge_rows(v.ledger)
            continue
        kept = set(v.ledger.charges)  # one pass over the keys, not a lookup method each
        rows.removed += [(household, y, p) for y, p in before.charges if (y, p) not in kept]
        for key, row in changed_charge_rows(before, v.ledger):
            (rows.updated if key in before.charges else rows.added).append(row)
    return rows


class PostgresLedgers:
    codec = PostgresLedgerCodec()

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn
        # the ledgers as loaded (or last saved) in this transaction: a save writes only the
        # charge rows that changed (a payment touches one or two of a household's ten charges)
        self._loaded: dict[str, Ledger] = {}

    async def load_stored(self, households: Sequence[str]) -> list[StoredLedger]:
        rows = await self._conn.fetch(
            "SELECT household, version, state::text AS state FROM ledgers"
            " WHERE household = ANY($1::text[])",
            list(households),
        )
        return [(r["household"], r["version"], r["state"]) for r in rows]

    async def load_many(self, households: Sequence[str]) -> dict[str, Versioned]:
        loaded = self.codec.decode(await self.load_stored(households))
        for household, versioned in loaded.items():
            self._loaded[household] = versioned.ledger
        return loaded

    async def save_many(self, ledgers: Sequence[Versioned]) -> None:
        await self.save_prepared([self.prepare(ledgers)])

    def prepare(self, ledgers: Sequence[Versioned]) -> PreparedLedgers:
        return PreparedLedgers(ledgers, _ledger_rows(self._loaded, ledgers))

    async def save_prepared(self, parts: Sequence[PreparedLedgers]) -> None:
        rows = _LedgerRows.joined([p.rows for p in parts if p.rows.households])
        if not rows.households:
            return
        status = await self._conn.execute(
            "INSERT INTO ledgers (household, version, state)"
            " SELECT h, v, s::json FROM unnest($1::text[], $2::int[], $3::text[]) AS u(h, v, s)"
            " ON CONFLICT (household) DO UPDATE SET version = EXCLUDED.version,"
            " state = EXCLUDED.state, updated_at = now()"
            " WHERE ledgers.version <= EXCLUDED.version",
            rows.households,
            rows.versions,
            rows.states,
        )
        if int(status.split()[-1]) != len(rows.households):
            raise ConcurrencyConflict("ledgers", 0, None)
        await self._save_charges(rows)

    async def _save_charges(self, rows: _LedgerRows) -> None:
        if rows.replaced:
            await self._conn.execute(
                "DELETE FROM charges WHERE household = ANY($1::text[])", rows.replaced
            )
        if rows.removed:
            await self._conn.execute(
                "DELETE FROM charges c USING unnest($1::text[], $2::int[], $3::int[])"
                " AS u(h, y, p) WHERE c.household = u.h AND c.fiscal_year = u.y"
                " AND c.period = u.p",
                *zip(*rows.removed, strict=True),
            )
        if rows.updated:
            await self._conn.execute(
                "UPDATE charges c SET due_date = u.d, amount = u.a, outstanding = u.o,"
                " dunned_on = u.dn, lapsed_on = u.l"
                " FROM unnest($1::text[], $2::int[], $3::int[], $4::date[], $5::bigint[],"
                " $6::bigint[], $7::date[], $8::date[]) AS u(h, y, p, d, a, o, dn, l)"
                " WHERE c.household = u.h AND c.fiscal_year = u.y AND c.period = u.p",
                *zip(*rows.updated, strict=True),
            )
        if rows.added:
            await self._conn.copy_records_to_table(
                "charges", records=rows.added, columns=_CHARGE_COLUMNS
            )

    def forget(self) -> None:
        """Drop the ledgers kept for the transaction (it ended): a payment file's tens of
        thousands would otherwise live as long as the unit of work, and the cyclic collector,
        paused for the file, would walk them all when it resumes."""
        self._loaded = {}

    async def households(self, after: str, limit: int) -> list[str]:
        rows = await self._conn.fetch(
            "SELECT household FROM ledgers WHERE household > $1 ORDER BY household LIMIT $2",
            after,
            limit,
        )
        return [r["household"] for r in rows]

    async def due_for_dunning(self, on_or_before: date) -> list[str]:
        rows = await self._conn.fetch(
            "SELECT DISTINCT household FROM charges WHERE outstanding > 0 AND dunned_on IS NULL"
            " AND lapsed_on IS NULL AND due_date <= $1 ORDER BY household",
            on_or_before,
        )
        return [r["household"] for r in rows]

    async def unpaid_due_before(self, day: date) -> list[str]:
        rows = await self._conn.fetch(
            "SELECT DISTINCT household FROM charges WHERE outstanding > 0 AND lapsed_on IS NULL"
            " AND due_date < $1 ORDER BY household",
            day,
        )
        return [r["household"] for r in rows]


class PostgresImports:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def find(self, sha256: str) -> ImportRecord | None:
        row = await self._conn.fetchrow(
            "SELECT import_id, sha256, file_name, lines, applied, refused, work_items, partial,"
            " imported_by, imported_on, refused_lines::text AS refused_lines"
            " FROM payment_imports WHERE sha256 = $1",
            sha256,
        )
        if row is None:
            return None
        data: dict[str, Any] = dict(row)
        data["refused_lines"] = json.loads(data["refused_lines"])
        return ImportRecord(**data)

    async def add(self, record: ImportRecord) -> None:
        await self._conn.execute(
            "INSERT INTO payment_imports (import_id, sha256, file_name, lines, applied, refused,"
            " work_items, partial, imported_by, imported_on, refused_lines)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb)",
            record.import_id,
            record.sha256,
            record.file_name,
            record.lines,
            record.applied,
            record.refused,
            record.work_items,
            record.partial,
            record.imported_by,
            record.imported_on,
            json.dumps(list(record.refused_lines)),
        )


class PostgresDocuments:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add_many(self, documents: Sequence[Document]) -> None:
        if not documents:
            return
        await self._conn.executemany(
            "INSERT INTO documents (document_id, kind, household, issued_on, content)"
            " VALUES ($1, $2, $3, $4, $5::jsonb) ON CONFLICT (document_id) DO NOTHING",
            [
                (d.document_id, d.kind, d.household, d.issued_on, json.dumps(d.content))
                for d in documents
            ],
        )

    async def get(self, document_id: str) -> Document | None:
        row = await self._conn.fetchrow(
            "SELECT document_id, kind, household, issued_on, content::text AS content"
            " FROM documents WHERE document_id = $1",
            document_id,
        )
        if row is None:
            return None
        return Document(
            row["document_id"],
            row["kind"],
            row["household"],
            row["issued_on"],
            json.loads(row["content"]),
        )


class PostgresTaxTransfers:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def find(self, calendar_year: int) -> TaxTransfer | None:
        row = await self._conn.fetchrow(
            "SELECT transfer_id, calendar_year, flow_id, recipient, legal_basis, method, items,"
            " households, total, transferred_by, transferred_on FROM tax_transfers"
            " WHERE calendar_year = $1",
            calendar_year,
        )
        if row is None:
            return None
        data = dict(row)
        data["items"] = tuple(data["items"])
        return TaxTransfer(**data)

    async def add(self, transfer: TaxTransfer, lines: Sequence[TransferLine]) -> None:
        t = transfer
        await self._conn.execute(
            "INSERT INTO tax_transfers (transfer_id, calendar_year, flow_id, recipient,"
            " legal_basis, method, items, households, total, transferred_by, transferred_on)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            t.transfer_id,
            t.calendar_year,
            t.flow_id,
            t.recipient,
            t.legal_basis,
            t.method,
            list(t.items),
            t.households,
            t.total,
            t.transferred_by,
            t.transferred_on,
        )
        if lines:
            await self._conn.copy_records_to_table(
                "tax_transfer_lines",
                records=[(t.transfer_id, x.household, x.amount, x.pension_deducted) for x in lines],
                columns=["transfer_id", "household", "amount", "pension_deducted"],
            )

    async def lines(self, transfer_id: str) -> list[TransferLine]:
        rows = await self._conn.fetch(
            "SELECT household, amount, pension_deducted FROM tax_transfer_lines"
            " WHERE transfer_id = $1 ORDER BY household",
            transfer_id,
        )
        return [TransferLine(r["household"], r["amount"], r["pension_deducted"]) for r in rows]


class CollectionUnit(UnitOfWork):
    """Opened on the pool (commands, jobs, consumers) or on a request's connection."""

    events: EventStore
    ledgers: PostgresLedgers
    work_items: PostgresWorkItems
    imports: PostgresImports
    documents: PostgresDocuments
    debit_accounts: PostgresDebitAccounts
    debit_requests: PostgresDebitRequests
    tax_transfers: PostgresTaxTransfers

    def __init__(
        self,
        pool: PoolSource | None = None,
        *,
        conn: asyncpg.Connection | None = None,
        audit: RequestAudit | None = None,
        topic: str = contracts.EVENTS_TOPIC,
    ) -> None:
        super().__init__(pool, conn=conn, audit=audit)
        self.topic = topic

    def unbind(self) -> None:
        # the ledgers a file import loaded (millions of objects) go with its transaction
        self.ledgers.forget()

    def bind(self, conn: asyncpg.Connection) -> None:
        self.events = PostgresEventStore(conn, source=SOURCE)
        self.ledgers = PostgresLedgers(conn)
        self.work_items = PostgresWorkItems(conn)
        self.imports = PostgresImports(conn)
        self.documents = PostgresDocuments(conn)
        self.debit_accounts = PostgresDebitAccounts(conn)
        self.debit_requests = PostgresDebitRequests(conn)
        self.tax_transfers = PostgresTaxTransfers(conn)
