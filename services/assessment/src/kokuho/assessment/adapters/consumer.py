"""The inbox handler for eligibility's events: project, then re-assess (one transaction)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date

import asyncpg

from kokuho.assessment.adapters.household_projection import PostgresHouseholdProjection
from kokuho.assessment.adapters.postgres import PostgresAssessmentStore
from kokuho.assessment.app.assessing import UNKNOWN_BIRTH_DATE, ParametersFor
from kokuho.assessment.app.eligibility_policy import apply_eligibility_event
from kokuho.assessment.app.income import IncomeAlreadyDeclared, declare_no_income
from kokuho.assessment.domain.errors import ParametersIncomplete, ParametersMissing
from kokuho.events.contracts.linkage_gateway import EApplicationAccepted
from kokuho.events.runtime.consumer import Delivery, PermanentFailure
from kokuho.events.runtime.store import EventContext, PostgresEventStore

SOURCE = "/kokuho/assessment"

log = logging.getLogger(__name__)


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


#: linkage-gateway's procedure for the no-income declaration (所得なし申告)
NO_INCOME_PROCEDURE = "NHI-NO-INCOME-DECLARATION"


def e_application_handler(
    parameters_for: ParametersFor, today: Callable[[], date]
) -> Callable[[asyncpg.Connection, Delivery], Awaitable[None]]:
    """無所得申立 from e-applications that linkage-gateway verified and forwarded (no
    individual number: it arrives as an addressee number). ``fiscal_year`` in the answers is
    the premium's year, so the income year is the calendar year before it."""

    async def handle(conn: asyncpg.Connection, delivery: Delivery) -> None:
        event = delivery.event
        if not isinstance(event, EApplicationAccepted):
            return
        if event.affair != "assessment" or event.procedure_code != NO_INCOME_PROCEDURE:
            return
        if event.answers.get("no_income") is not True:
            return  # a declaration that there was income carries nothing to record
        fiscal_year = event.answers.get("fiscal_year")
        if (
            not isinstance(fiscal_year, int)
            or isinstance(fiscal_year, bool)
            or not (2000 <= fiscal_year <= 2100)
        ):
            raise PermanentFailure(f"e-application {event.receipt_number}: no valid fiscal_year")
        birth = await conn.fetchval(
            "SELECT birth_date FROM household_members WHERE addressee_number = $1 LIMIT 1",
            event.addressee_number,
        )
        try:
            await declare_no_income(
                PostgresAssessmentStore(conn),
                PostgresEventStore(conn, source=SOURCE),
                parameters_for,
                addressee_number=event.addressee_number,
                income_year=fiscal_year - 1,
                birth_date=birth or UNKNOWN_BIRTH_DATE,
                channel="e_application",
                actor=f"system:e-application:{event.receipt_number}",
                today=today(),
            )
        except IncomeAlreadyDeclared:
            # the tax system reported income: the declaration does not replace it (logged for
            # the clerks' follow-up by receipt number, never by person)
            log.warning(
                "no-income e-application not applied: income recorded",
                extra={"receipt_number": event.receipt_number},
            )

    return handle
