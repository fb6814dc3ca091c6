"""The inbox consumer of delinquency: collection's events become facts of the cases. Each
delivery runs the use case on a unit of work joined to the inbox's transaction, so the case
and the inbox record commit together; an event delinquency cannot read goes to the DLQ."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg

from kokuho.delinquency.adapters.unit_of_work import DelinquencyUnit
from kokuho.delinquency.app.collection_events import take_in
from kokuho.delinquency.domain.parameters import Rules
from kokuho.events.contracts import EventContract
from kokuho.events.ports import EventContext
from kokuho.events.runtime.consumer import Delivery, PermanentFailure
from kokuho.platform.audit import RequestAudit

Handler = Callable[[asyncpg.Connection, Delivery], Awaitable[None]]


def collection_handler(topic: str, rules: Rules) -> Handler:
    async def handle(conn: asyncpg.Connection, delivery: Delivery) -> None:
        event, envelope = delivery.event, delivery.envelope
        if not isinstance(event, EventContract) or envelope is None:
            return
        trail = RequestAudit.of_system(
            lambda: conn, "system:delinquency-consumer", f"consume {event.event_type}"
        )
        context = EventContext(envelope.correlationid or envelope.id, envelope.id)
        try:
            await take_in(
                DelinquencyUnit(conn=conn, topic=topic, audit=trail), event, rules, context
            )
        except (ValueError, KeyError) as exc:
            raise PermanentFailure(str(exc)) from exc

    return handle
