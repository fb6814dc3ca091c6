"""The inbox consumers of collection: assessment's ``PremiumAssessed`` becomes charges (its
instalments, or under 特別徴収 its pension deductions: ``app/pension``); delinquency's
``ProceedsCollected`` (a seizure's proceeds) becomes a payment, channel ``enforcement``, its
``PrescriptionRenewed`` renews the instalment's 時効 and its ``ArrearWrittenOff`` records the
不納欠損 (``app/acts``). Each
delivery runs the use case on a unit of work joined to the inbox's transaction, so the charges
and the inbox record commit together; an event collection cannot read goes to the DLQ."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg

from kokuho.collection.adapters.unit_of_work import CollectionUnit
from kokuho.collection.app import acts
from kokuho.collection.app.counter_payments import CounterPayment, receive_at_counter
from kokuho.collection.app.pension import apply_assessment
from kokuho.collection.domain.errors import CollectionError, DuplicatePayment, HouseholdNotFound
from kokuho.collection.domain.parameters import CollectionRules
from kokuho.events.contracts.assessment import PremiumAssessed
from kokuho.events.contracts.delinquency import (
    ArrearWrittenOff,
    PrescriptionRenewed,
    ProceedsCollected,
)
from kokuho.events.ports import EventContext
from kokuho.events.runtime.consumer import Delivery, PermanentFailure
from kokuho.platform.audit import RequestAudit

Handler = Callable[[asyncpg.Connection, Delivery], Awaitable[None]]


def consumer_trail(conn: asyncpg.Connection, operation: str) -> RequestAudit:
    """The audit trail of a consumer's use case, written in the inbox's transaction."""
    return RequestAudit.of_system(lambda: conn, "system:collection-consumer", operation)


def assessment_handler(topic: str) -> Handler:
    async def handle(conn: asyncpg.Connection, delivery: Delivery) -> None:
        event, envelope = delivery.event, delivery.envelope
        if not isinstance(event, PremiumAssessed) or envelope is None:
            return  # other assessment events carry nothing collection charges
        trail = consumer_trail(conn, "consume PremiumAssessed")
        context = EventContext(envelope.correlationid or envelope.id, envelope.id)
        try:
            await apply_assessment(
                CollectionUnit(conn=conn, topic=topic, audit=trail), event, context
            )
        except ValueError as exc:
            raise PermanentFailure(str(exc)) from exc

    return handle


def delinquency_handler(topic: str, rules: CollectionRules) -> Handler:
    """A seizure's proceeds (換価・取立) are a payment on the household's oldest arrears, with
    the proceeds id as its reference; published as ``PaymentReceived`` like any other. A
    renewal or a write-off goes to ``app/acts``. An unknown household or instalment, or a
    renewal of a lapsed charge, goes to the dead-letter topic with its reason."""

    async def handle(conn: asyncpg.Connection, delivery: Delivery) -> None:
        event = delivery.event
        if isinstance(event, PrescriptionRenewed | ArrearWrittenOff):
            await _act(conn, topic, delivery, event)
            return
        if not isinstance(event, ProceedsCollected):
            return  # delinquency's other events change nothing here
        payment = CounterPayment(
            household=event.nhi_household_number,
            amount=event.amount,
            fiscal_year=None,
            period=None,
            receipt_number=event.proceeds_id,
            paid_on=event.effective_on,
            actor="system:delinquency",
            today=event.effective_on,
            channel="enforcement",
        )
        unit = CollectionUnit(
            conn=conn, topic=topic, audit=consumer_trail(conn, "consume ProceedsCollected")
        )
        try:
            await receive_at_counter(unit, rules, payment)
        except DuplicatePayment:
            return  # taken in already (a redelivery under another message id)
        except (HouseholdNotFound, ValueError) as exc:
            raise PermanentFailure(f"{type(exc).__name__}: {exc}") from exc

    return handle


async def _act(
    conn: asyncpg.Connection,
    topic: str,
    delivery: Delivery,
    event: PrescriptionRenewed | ArrearWrittenOff,
) -> None:
    name = type(event).__name__
    unit = CollectionUnit(conn=conn, topic=topic, audit=consumer_trail(conn, f"consume {name}"))
    envelope = delivery.envelope
    context = (
        None
        if envelope is None
        else EventContext(envelope.correlationid or envelope.id, envelope.id)
    )
    h = event.nhi_household_number
    try:
        if isinstance(event, PrescriptionRenewed):
            renew = acts.RenewPrescription(
                h, event.fiscal_year, event.period, event.act, event.effective_on
            )
            await acts.renew_prescription(unit, renew, context)
        else:
            off = acts.WriteOff(
                h, event.fiscal_year, event.period, event.amount, event.ground, event.effective_on
            )
            await acts.write_off(unit, off, context)
    except (CollectionError, ValueError) as exc:
        raise PermanentFailure(f"{type(exc).__name__}: {exc}") from exc
