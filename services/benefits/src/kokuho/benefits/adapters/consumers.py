"""The inbox consumers of benefits: linkage-gateway's high-cost carry-over lists (S2),
delinquency's 給付の一時差止 and its release (rules.md §4.6), and assessment's income facts on
its restricted topic (所得区分 and the 70–74 rate, ADR 0045). Each
delivery runs its use case on a unit of work joined to the inbox's transaction, so the effect
and the inbox record commit together (duplicates dropped, poison to ``<topic>.dlq``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

import asyncpg

from kokuho.benefits.adapters.unit_of_work import BenefitsUnit
from kokuho.benefits.app.claims import record_carry_over
from kokuho.benefits.app.copayment_rates import INCOME_FACTS_ACTOR, decide_on_income_facts
from kokuho.benefits.app.medical_expenses import (
    record_special_care_cleared,
    record_special_care_flag,
)
from kokuho.benefits.app.ports import Benefits
from kokuho.benefits.app.repayments import detect_repayment
from kokuho.benefits.app.withholding import record_withheld, release_withheld
from kokuho.benefits.domain.repayment import Detect
from kokuho.events.contracts.assessment import HouseholdIncomeFactsStated
from kokuho.events.contracts.delinquency import (
    BenefitsReleased,
    BenefitsWithheld,
    SpecialCareCleared,
    SpecialCareFlagged,
)
from kokuho.events.contracts.eligibility import QualificationLost
from kokuho.events.contracts.linkage_gateway import HighCostCarryOverListed
from kokuho.events.runtime.consumer import Delivery
from kokuho.platform.audit import RequestAudit

Handler = Callable[[asyncpg.Connection, Delivery], Awaitable[None]]


def carry_over_handler(topic: str) -> Handler:
    async def handle(conn: asyncpg.Connection, delivery: Delivery) -> None:
        event = delivery.event
        if not isinstance(event, HighCostCarryOverListed):
            return  # the gateway's other events are for other services
        await record_carry_over(BenefitsUnit(conn=conn, topic=topic), event)

    return handle


def delinquency_handler(topic: str) -> Handler:
    async def handle(conn: asyncpg.Connection, delivery: Delivery) -> None:
        event = delivery.event
        if isinstance(event, BenefitsWithheld):
            await record_withheld(BenefitsUnit(conn=conn, topic=topic), event)
        elif isinstance(event, BenefitsReleased):
            await release_withheld(BenefitsUnit(conn=conn, topic=topic), event)
        elif isinstance(event, SpecialCareFlagged):
            await record_special_care_flag(
                BenefitsUnit(conn=conn, topic=topic), event.nhi_household_number, event.effective_on
            )
        elif isinstance(event, SpecialCareCleared):
            await record_special_care_cleared(
                BenefitsUnit(conn=conn, topic=topic), event.nhi_household_number, event.effective_on
            )
        # delinquency's other events are for other services

    return handle


def income_facts_handler(topic: str, ports: Benefits, today: Callable[[], date]) -> Handler:
    """Assessment's ``HouseholdIncomeFactsStated``: decide the household's 所得区分 and 70–74
    rate (published as ``CopaymentRateDecided`` when the outcome changes). The figures are
    judged and dropped; the decision is audited as the system's."""

    async def handle(conn: asyncpg.Connection, delivery: Delivery) -> None:
        event = delivery.event
        if not isinstance(event, HouseholdIncomeFactsStated):
            return
        trail = RequestAudit.of_system(lambda: conn, INCOME_FACTS_ACTOR, "income-facts")
        await decide_on_income_facts(
            BenefitsUnit(conn=conn, topic=topic, audit=trail), ports, event, today()
        )

    return handle


#: who detects a 返納金 case from eligibility's loss events
REPAYMENT_ACTOR = "system:benefits-repayment-detection"


def loss_handler(topic: str, today: Callable[[], date]) -> Handler:
    """eligibility's ``QualificationLost``: look for claims of care after the loss (a loss
    recorded late, with a past date) and open a 返納金 case (不当利得) when there are any."""

    async def handle(conn: asyncpg.Connection, delivery: Delivery) -> None:
        event = delivery.event
        if not isinstance(event, QualificationLost):
            return  # eligibility's other events are for other services
        trail = RequestAudit.of_system(lambda: conn, REPAYMENT_ACTOR, "repayment-detection")
        await detect_repayment(
            BenefitsUnit(conn=conn, topic=topic, audit=trail),
            Detect(
                event.nhi_household_number,
                event.addressee_number,
                event.loss_date,
                (),
                today(),
            ),
        )

    return handle
