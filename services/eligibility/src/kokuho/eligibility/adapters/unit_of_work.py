"""``EligibilityUnit``: the service's one unit of work on PostgreSQL (``app.ports``'s
``EligibilityUnitPort`` and ``ReadUnitPort``): the event store (with its outbox), the small
repositories, the read models, the views, and the audit trail, all on one transaction.

Opened by a route through the platform's write/read context it joins the request's
transaction and records the request's audit trail. Opened on the pool (the daily jobs, the
``seed`` and job commands) or on the inbox's connection (the consumer) it is the service's own
work: its use cases record through ``ServiceAudit``, which writes nothing (a job run asked for
through the API is audited by that request)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

from kokuho.eligibility.adapters.certificate_runs import PostgresCertificateRuns
from kokuho.eligibility.adapters.erasures import PostgresErasures
from kokuho.eligibility.adapters.feeds import eligibility_facts
from kokuho.eligibility.adapters.projection import PostgresReadModels
from kokuho.eligibility.adapters.register_store import PostgresRegister
from kokuho.eligibility.adapters.reports import PostgresReportFacts
from kokuho.eligibility.adapters.repositories import (
    SOURCE,
    PostgresNumbers,
    PostgresPayloads,
    PostgresPersons,
    PostgresQualifications,
    PostgresRecords,
)
from kokuho.eligibility.adapters.views import PostgresViews
from kokuho.eligibility.app.ports import Topics
from kokuho.events.runtime.feeds import Feed, FeedingEventStore
from kokuho.platform.audit import RequestAudit
from kokuho.platform.service import ServiceKit
from kokuho.platform.unit_of_work import PoolSource, UnitOfWork


class ServiceAudit:
    """The trail of the service's own work (no request, no staff member): counts, writes
    nothing."""

    def __init__(self) -> None:
        self.records = 0

    async def record(self, *, subjects: Sequence[str], **_: Any) -> None:
        self.records += 1


class EligibilityUnit(UnitOfWork):
    def __init__(
        self,
        pool: PoolSource | None = None,
        *,
        conn: asyncpg.Connection | None = None,
        audit: RequestAudit | None = None,
        topics: Topics | None = None,
        feeds: Sequence[Feed] = (),
    ) -> None:
        super().__init__(pool, conn=conn, audit=audit)
        self.topics = topics or Topics()
        self.feeds = tuple(feeds)
        if audit is None:
            self.audit = ServiceAudit()

    def bind(self, conn: asyncpg.Connection) -> None:
        # The event store feeds the department feeds eligibility owns (ADR 0089).
        self.events = FeedingEventStore(
            conn, source=SOURCE, feeds=self.feeds, project=eligibility_facts
        )
        self.payloads = PostgresPayloads(conn)
        self.numbers = PostgresNumbers(conn)
        self.persons = PostgresPersons(conn, self.events, self.payloads, self.topics)
        self.qualifications = PostgresQualifications(conn)
        self.records = PostgresRecords(conn)
        self.erasures = PostgresErasures(conn)
        self.read_models = PostgresReadModels(conn)
        self.views = PostgresViews(conn)
        self.register = PostgresRegister(conn)
        self.certificate_runs = PostgresCertificateRuns(conn)
        self.report_facts = PostgresReportFacts(conn)


def unit_of(kit: ServiceKit, conn: asyncpg.Connection | None = None) -> EligibilityUnit:
    """A unit of the running service: on ``conn`` (joining its transaction) or on the pool."""
    unit = kit.unit_of_work(conn=conn) if conn is not None else kit.unit_of_work(kit.pool)
    assert isinstance(unit, EligibilityUnit)
    return unit
