"""The PostgreSQL unit of work of delinquency.

The event store and the cases on one transaction.

Driver errors are translated here into domain errors (a unique violation on ``cases`` is
``CaseAlreadyOpened``), never in the HTTP layer.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg

from kokuho.delinquency.domain.case import Case
from kokuho.delinquency.domain.errors import CaseAlreadyOpened
from kokuho.events.contracts import delinquency as contracts
from kokuho.events.ports import EventStore
from kokuho.events.runtime.store import PostgresEventStore
from kokuho.platform.audit import RequestAudit
from kokuho.platform.unit_of_work import PoolSource, UnitOfWork

SOURCE = "/kokuho/delinquency"


class PostgresCases:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, case: Case) -> None:
        try:
            await self._conn.execute(
                "INSERT INTO cases (case_id, addressee_number, opened_on, opened_by)"
                " VALUES ($1, $2, $3, $4)",
                case.case_id,
                case.addressee_number,
                case.opened_on,
                case.opened_by,
            )
        except asyncpg.UniqueViolationError:
            raise CaseAlreadyOpened(f"case {case.case_id} is already open") from None

    async def get(self, case_id: UUID) -> Case | None:
        row = await self._conn.fetchrow(
            "SELECT case_id, addressee_number, opened_on, opened_by FROM cases WHERE case_id = $1",
            case_id,
        )
        return None if row is None else Case(**dict(row))


class DelinquencyUnit(UnitOfWork):
    """Opened on the pool (commands, jobs) or on a request's connection (``WriteDep``)."""

    events: EventStore
    cases: PostgresCases

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

    def bind(self, conn: asyncpg.Connection) -> None:
        self.events = PostgresEventStore(conn, source=SOURCE)
        self.cases = PostgresCases(conn)
