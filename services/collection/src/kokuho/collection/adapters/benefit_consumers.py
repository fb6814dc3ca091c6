"""The inbox consumer of benefits' events (ADR 0085), a dispatch table by event type:
``RepaymentClaimed`` becomes a 返納金 charge, ``BenefitPaymentOrdered`` marked
``may_appropriate_to_arrears`` is set against the household's overdue premiums
(``app/benefit_events``). Other benefits events change nothing here. Each runs on a unit of work
joined to the inbox's transaction; an event collection cannot take goes to the DLQ."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from kokuho.collection.adapters.benefit_records import PostgresBenefitRecords
from kokuho.collection.adapters.consumers import Handler, consumer_trail
from kokuho.collection.adapters.unit_of_work import CollectionUnit
from kokuho.collection.app import benefit_events
from kokuho.collection.domain.errors import CollectionError
from kokuho.collection.domain.parameters import CollectionRules
from kokuho.events.contracts.benefits import BenefitPaymentOrdered, RepaymentClaimed
from kokuho.events.ports import EventContext
from kokuho.events.runtime.consumer import Delivery, PermanentFailure

Policy = Callable[[CollectionUnit, PostgresBenefitRecords, Any, EventContext], Awaitable[Any]]


def benefits_handler(topic: str, rules: CollectionRules) -> Handler:
    async def repayment(
        unit: CollectionUnit, records: PostgresBenefitRecords, e: RepaymentClaimed, ctx: Any
    ) -> Any:
        charge = benefit_events.RepaymentCharge(
            str(e.repayment_id),
            e.nhi_household_number,
            e.debtor_addressee_number,
            e.amount,
            e.due_date,
            e.loss_date,
            e.decided_by,
            e.decided_on,
            e.decided_on,
        )
        return await benefit_events.record_repayment(unit, records, charge, ctx)

    async def payout(
        unit: CollectionUnit, records: PostgresBenefitRecords, e: BenefitPaymentOrdered, ctx: Any
    ) -> Any:
        if not e.may_appropriate_to_arrears:
            return None  # paid to the payee whole: nothing for collection to decide
        decision = benefit_events.PayoutAppropriation(
            str(e.payment_id),
            e.nhi_household_number,
            e.payee_addressee_number,
            e.benefit_kind,
            e.amount,
            0,
            e.ordered_on,
        )
        return await benefit_events.appropriate_payout(unit, records, rules, decision, ctx)

    policies: dict[type[Any], Policy] = {RepaymentClaimed: repayment, BenefitPaymentOrdered: payout}

    async def handle(conn: asyncpg.Connection, delivery: Delivery) -> None:
        event, envelope = delivery.event, delivery.envelope
        policy = policies.get(type(event))
        if policy is None or envelope is None:
            return  # benefits' other events change nothing here
        name = type(event).__name__
        unit = CollectionUnit(conn=conn, topic=topic, audit=consumer_trail(conn, f"consume {name}"))
        context = EventContext(envelope.correlationid or envelope.id, envelope.id)
        try:
            await policy(unit, PostgresBenefitRecords(conn), event, context)
        except (CollectionError, ValueError) as exc:
            raise PermanentFailure(f"{type(exc).__name__}: {exc}") from exc

    return handle
