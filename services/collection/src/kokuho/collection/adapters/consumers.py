"""The inbox consumer of collection: assessment's ``PremiumAssessed`` becomes charges (its
instalments, or under 特別徴収 its pension deductions: ``app/pension``). Each
delivery runs the use case on a unit of work joined to the inbox's transaction, so the charges
and the inbox record commit together; an event collection cannot read goes to the DLQ."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg

from kokuho.collection.adapters.unit_of_work import CollectionUnit
from kokuho.collection.app.pension import apply_assessment
from kokuho.events.contracts.assessment import PremiumAssessed
from kokuho.events.ports import EventContext
from kokuho.events.runtime.consumer import Delivery, PermanentFailure
from kokuho.platform.audit import PostgresAuditLog, RequestAudit

Handler = Callable[[asyncpg.Connection, Delivery], Awaitable[None]]


def assessment_handler(topic: str) -> Handler:
    async def handle(conn: asyncpg.Connection, delivery: Delivery) -> None:
        event, envelope = delivery.event, delivery.envelope
        if not isinstance(event, PremiumAssessed) or envelope is None:
            return  # other assessment events carry nothing collection charges
        trail = RequestAudit(
            PostgresAuditLog(lambda: conn),
            user_id="system:collection-consumer",
            terminal_id=None,
            operation="consume PremiumAssessed",
            request_id=None,
        )
        context = EventContext(envelope.correlationid or envelope.id, envelope.id)
        try:
            await apply_assessment(
                CollectionUnit(conn=conn, topic=topic, audit=trail), event, context
            )
        except ValueError as exc:
            raise PermanentFailure(str(exc)) from exc

    return handle
