"""The PostgreSQL unit of work of delinquency: the event store, the case views and the charge
dates on one transaction."""

from __future__ import annotations

import json
from datetime import date

import asyncpg

from kokuho.delinquency.app.codec import decode, encode
from kokuho.delinquency.domain.model import Case
from kokuho.events.contracts import delinquency as contracts
from kokuho.events.ports import EventStore
from kokuho.events.runtime.store import PostgresEventStore
from kokuho.platform.audit import RequestAudit
from kokuho.platform.unit_of_work import PoolSource, UnitOfWork

SOURCE = "/kokuho/delinquency"


def _case(row: asyncpg.Record | None) -> Case | None:
    if row is None:
        return None
    result: Case = decode(Case, json.loads(row["state"]))
    return result


class PostgresCaseViews:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def put(self, case: Case) -> None:
        await self._conn.execute(
            "INSERT INTO case_views (household, status, stage, officer, ward, outstanding, state)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)"
            " ON CONFLICT (household) DO UPDATE SET status = $2, stage = $3, officer = $4,"
            " ward = $5, outstanding = $6, state = $7::jsonb, updated_at = now()",
            case.household,
            case.status,
            case.stage,
            case.officer,
            case.ward,
            case.outstanding,
            json.dumps(encode(case), ensure_ascii=False),
        )

    async def get(self, household: str) -> Case | None:
        row = await self._conn.fetchrow(
            "SELECT state FROM case_views WHERE household = $1", household
        )
        return _case(row)

    async def page(
        self,
        *,
        status: str | None,
        stage: str | None,
        officer: str | None,
        after: str | None,
        limit: int,
    ) -> list[Case]:
        rows = await self._conn.fetch(
            "SELECT state FROM case_views WHERE status <> 'untracked'"
            " AND ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR stage = $2)"
            " AND ($3::text IS NULL OR officer = $3) AND ($4::text IS NULL OR household > $4)"
            " ORDER BY household LIMIT $5",
            status,
            stage,
            officer,
            after,
            limit,
        )
        return [c for r in rows if (c := _case(r)) is not None]

    async def to_review(self) -> list[str]:
        rows = await self._conn.fetch(
            "SELECT household FROM case_views WHERE status IN ('watching', 'open')"
            " OR (status = 'closed' AND outstanding > 0) ORDER BY household"
        )
        return [r["household"] for r in rows]

    async def all(self) -> list[Case]:
        rows = await self._conn.fetch("SELECT state FROM case_views ORDER BY household")
        return [c for r in rows if (c := _case(r)) is not None]


class PostgresChargeDates:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def put(self, household: str, fiscal_year: int, period: int, due_date: date) -> None:
        await self._conn.execute(
            "INSERT INTO charge_dates (household, fiscal_year, period, due_date)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT (household, fiscal_year, period)"
            " DO UPDATE SET due_date = $4",
            household,
            fiscal_year,
            period,
            due_date,
        )

    async def due_date(self, household: str, fiscal_year: int, period: int) -> date | None:
        value: date | None = await self._conn.fetchval(
            "SELECT due_date FROM charge_dates WHERE household = $1 AND fiscal_year = $2"
            " AND period = $3",
            household,
            fiscal_year,
            period,
        )
        return value


class DelinquencyUnit(UnitOfWork):
    """Opened on the pool (commands, jobs), a request's connection (``WriteDep``) or the
    inbox consumer's connection."""

    events: EventStore
    cases: PostgresCaseViews
    charges: PostgresChargeDates

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
        self.cases = PostgresCaseViews(conn)
        self.charges = PostgresChargeDates(conn)
