"""C-96: the record of every erasure after a retention period (C-95): which data class of
whose data (an addressee number, or a household number and fiscal year) was erased from which
store, when, by whom (the retention job or a confirmed erasure request) and on what basis. No
personal data. One shape for every service (ADRs 0096, 0097): each service's migration makes
the ``erasure_records`` table; ``erasure_routes`` lists it for the auditor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class ErasureRecord:
    data_class: str
    subject: str
    store: str
    erased_on: date
    erased_at: datetime
    erased_by: str
    basis: str

    @property
    def key(self) -> tuple[str, str, str]:
        """One record per data class, subject and store: a re-run records nothing new."""
        return self.data_class, self.subject, self.store


class ErasureRecordsPort(Protocol):
    async def add(self, records: list[ErasureRecord]) -> None:
        """Record them; a store already recorded for the subject stays as first recorded."""
        ...

    async def page(self, limit: int, after: int | None) -> list[tuple[int, ErasureRecord]]:
        """The records after position ``after``, oldest first, with their positions."""
        ...


COLUMNS = ("data_class", "subject", "store", "erased_on", "erased_at", "erased_by", "basis")
INSERT = (
    "INSERT INTO erasure_records (data_class, subject, store, erased_on, erased_at, erased_by,"
    " basis) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    " ON CONFLICT (data_class, subject, store) DO NOTHING"
)
SELECT = (
    "SELECT id, data_class, subject, store, erased_on, erased_at, erased_by, basis"
    " FROM erasure_records WHERE id > $1 ORDER BY id LIMIT $2"
)


class PostgresErasureRecords:
    def __init__(self, conn: Any) -> None:  # an asyncpg connection (no I/O import here)
        self._conn = conn

    async def add(self, records: list[ErasureRecord]) -> None:
        await self._conn.executemany(
            INSERT, [tuple(getattr(r, c) for c in COLUMNS) for r in records]
        )

    async def page(self, limit: int, after: int | None) -> list[tuple[int, ErasureRecord]]:
        rows = await self._conn.fetch(SELECT, after or 0, limit)
        return [(row["id"], ErasureRecord(*(row[c] for c in COLUMNS))) for row in rows]


class InMemoryErasureRecords:
    """The same contract in memory (unit tests)."""

    def __init__(self) -> None:
        self.erased: list[ErasureRecord] = []

    async def add(self, records: list[ErasureRecord]) -> None:
        known = {r.key for r in self.erased}
        for record in records:
            if record.key not in known:
                known.add(record.key)
                self.erased.append(record)

    async def page(self, limit: int, after: int | None) -> list[tuple[int, ErasureRecord]]:
        numbered = list(enumerate(self.erased, start=1))
        return [(i, r) for i, r in numbered if i > (after or 0)][:limit]
