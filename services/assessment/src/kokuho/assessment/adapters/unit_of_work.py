"""``AssessmentUnit``: one connection and transaction over assessment's event store, its
repositories and the audit trail (see ``kokuho.platform.unit_of_work``)."""

from __future__ import annotations

import asyncpg

from kokuho.assessment.adapters.household_projection import PostgresHouseholdProjection
from kokuho.assessment.adapters.repositories import (
    PostgresAnnualRuns,
    PostgresAssessments,
    PostgresIncomes,
    PostgresPensions,
    PostgresReductions,
)
from kokuho.assessment.adapters.retention import PostgresRetention
from kokuho.assessment.app.ports import (
    AnnualRuns,
    Assessments,
    HouseholdProjection,
    Incomes,
    Pensions,
    Reductions,
)
from kokuho.events.contracts.assessment import income_facts_topic
from kokuho.events.ports import EventStore
from kokuho.events.runtime.store import PostgresEventStore
from kokuho.platform.audit import RequestAudit
from kokuho.platform.unit_of_work import PoolSource, UnitOfWork

SOURCE = "/kokuho/assessment"


class AssessmentUnit(UnitOfWork):
    """Opened on the pool (consumers, commands) or on a route's transaction; ``topic`` is where
    what it appends is published (``settings.events_topic``)."""

    events: EventStore
    households: HouseholdProjection
    incomes: Incomes
    pensions: Pensions
    assessments: Assessments
    reductions: Reductions
    annual_runs: AnnualRuns
    retention: PostgresRetention

    def __init__(
        self,
        pool: PoolSource | None = None,
        *,
        conn: asyncpg.Connection | None = None,
        audit: RequestAudit | None = None,
        topic: str,
    ) -> None:
        super().__init__(pool, conn=conn, audit=audit)
        self.topic = topic
        # the restricted topic of the income facts benefits needs (ADR 0045), beside ``topic``
        self.facts_topic = income_facts_topic(topic)

    def bind(self, conn: asyncpg.Connection) -> None:
        self.events = PostgresEventStore(conn, source=SOURCE)
        self.households = PostgresHouseholdProjection(conn)
        self.incomes = PostgresIncomes(conn)
        self.pensions = PostgresPensions(conn)
        self.assessments = PostgresAssessments(conn)
        self.reductions = PostgresReductions(conn)
        self.annual_runs = PostgresAnnualRuns(conn)
        self.retention = PostgresRetention(conn)
