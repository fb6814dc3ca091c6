"""The inbox handler for eligibility's events: project, then re-assess (one transaction)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

import asyncpg

from kokuho.assessment.adapters.household_projection import PostgresHouseholdProjection
from kokuho.assessment.adapters.postgres import PostgresAssessmentStore
from kokuho.assessment.app.assessing import ParametersFor
from kokuho.assessment.app.eligibility_policy import apply_eligibility_event
from kokuho.assessment.domain.errors import ParametersIncomplete, ParametersMissing
from kokuho.events.runtime.consumer import Delivery, PermanentFailure
from kokuho.events.runtime.store import EventContext, PostgresEventStore

SOURCE = "/kokuho/assessment"


def eligibility_handler(
    parameters_for: ParametersFor, today: Callable[[], date]
) -> Callable[[asyncpg.Connection, Delivery], Awaitable[None]]:
    async def handle(conn: asyncpg.Connection, delivery: Delivery) -> None:
        if delivery.event is None or delivery.envelope is None:
            return  # a tombstone carries nothing for assessment
        envelope = delivery.envelope
        try:
            await apply_eligibility_event(
                PostgresHouseholdProjection(conn),
                PostgresAssessmentStore(conn),
                PostgresEventStore(conn, source=SOURCE),
                parameters_for,
                delivery.event,
                today=today(),
                context=EventContext(
                    correlation_id=envelope.correlationid or envelope.id,
                    causation_id=envelope.id,
                ),
            )
        except (ParametersMissing, ParametersIncomplete) as exc:
            # a year the city has not configured cannot be re-assessed by retrying
            raise PermanentFailure(str(exc)) from exc

    return handle
