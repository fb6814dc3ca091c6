"""The inbox consumers of assessment: eligibility's events (project, then re-assess) and the
e-applications linkage-gateway forwards (無所得申立). Each delivery runs its use case on a unit
of work joined to the inbox's transaction, so the effects and the inbox record commit together.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

import asyncpg

from kokuho.assessment.adapters.unit_of_work import AssessmentUnit
from kokuho.assessment.app.eligibility_policy import apply_eligibility_event
from kokuho.assessment.app.income import EApplicationInvalid, declare_from_e_application
from kokuho.assessment.app.ports import ParametersFor
from kokuho.assessment.domain.errors import ParametersIncomplete, ParametersMissing
from kokuho.events.contracts.linkage_gateway import EApplicationAccepted
from kokuho.events.ports import EventContext
from kokuho.events.runtime.consumer import Delivery, PermanentFailure

Handler = Callable[[asyncpg.Connection, Delivery], Awaitable[None]]


def _context(delivery: Delivery) -> EventContext:
    envelope = delivery.envelope
    assert envelope is not None
    return EventContext(
        correlation_id=envelope.correlationid or envelope.id, causation_id=envelope.id
    )


def eligibility_handler(rules: ParametersFor, today: Callable[[], date], topic: str) -> Handler:
    async def handle(conn: asyncpg.Connection, delivery: Delivery) -> None:
        if delivery.event is None or delivery.envelope is None:
            return  # a tombstone carries nothing for assessment
        try:
            await apply_eligibility_event(
                AssessmentUnit(conn=conn, topic=topic),
                rules,
                delivery.event,
                today=today(),
                context=_context(delivery),
            )
        except (ParametersMissing, ParametersIncomplete) as exc:
            # a year the city has not configured cannot be re-assessed by retrying
            raise PermanentFailure(str(exc)) from exc

    return handle


def e_application_handler(rules: ParametersFor, today: Callable[[], date], topic: str) -> Handler:
    async def handle(conn: asyncpg.Connection, delivery: Delivery) -> None:
        event = delivery.event
        if not isinstance(event, EApplicationAccepted):
            return
        try:
            await declare_from_e_application(
                AssessmentUnit(conn=conn, topic=topic), rules, event, today=today()
            )
        except EApplicationInvalid as exc:
            raise PermanentFailure(str(exc)) from exc

    return handle
