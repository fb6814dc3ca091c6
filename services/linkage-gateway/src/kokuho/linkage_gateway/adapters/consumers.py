"""The gateway's inbox consumers; each handler runs inside the inbox transaction of one delivery.

- ``business-events`` (eligibility's and assessment's topics): ``app.replica_policy`` on a unit
  of work joining the inbox transaction: the federation's insured change and the replica, both
  or neither.
- ``card-names`` (eligibility's compacted personal-details topic): a projection keeping only
  the names on the card (for the federation file); a tombstone erases them.
- ``transfer-feeds`` (collection's topic): the owning services' transfers the registry carries
  (移転 1: ``TaxDeductionTransferred``), delivered and recorded (C-66..C-68); other events on
  the topic are not ours.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import asyncpg

from kokuho.events.contracts import EventContract
from kokuho.events.contracts.collection import TaxDeductionTransferred
from kokuho.events.contracts.eligibility import PersonalDetailsRecorded
from kokuho.events.runtime.consumer import Delivery, Handler
from kokuho.linkage_gateway.app.ports import GatewayUnitPort, IntermediateServer, TransferChannel
from kokuho.linkage_gateway.app.replica_policy import on_business_event
from kokuho.linkage_gateway.app.transfers import deliver_tax_deduction_file
from kokuho.linkage_gateway.domain.intermediate import PermittedInquiryList
from kokuho.linkage_gateway.domain.transfers import TransferRegistry

#: A unit of work joining the delivery's transaction.
JoinedUnit = Callable[[asyncpg.Connection], GatewayUnitPort]


def business_event_handler(
    unit: JoinedUnit, server: IntermediateServer, permits: PermittedInquiryList
) -> Handler:
    async def handle(conn: asyncpg.Connection, delivery: Delivery) -> None:
        if delivery.event is None or delivery.envelope is None:
            return  # a tombstone: nothing for the replicas
        await on_business_event(
            unit(conn),
            server,
            permits,
            event=delivery.event,
            event_id=delivery.envelope.id,
            at=datetime.now(UTC),
        )

    return handle


async def _names_recorded(conn: asyncpg.Connection, event: EventContract) -> None:
    assert isinstance(event, PersonalDetailsRecorded)
    await conn.execute(
        "INSERT INTO card_names (addressee_number, name, name_kana, as_of)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT (addressee_number) DO UPDATE SET"
        " name = EXCLUDED.name, name_kana = EXCLUDED.name_kana, as_of = EXCLUDED.as_of,"
        " updated_at = now() WHERE card_names.as_of <= EXCLUDED.as_of",
        event.addressee_number,
        event.name,
        event.name_kana,
        event.as_of,
    )
    # details recorded again (the person is back in eligibility): nothing is due for erasure
    await conn.execute(
        "DELETE FROM erased_persons WHERE addressee_number = $1", event.addressee_number
    )


#: The card-names projection, by event type (others on the topic are not ours to keep).
CARD_NAMES: dict[
    type[EventContract], Callable[[asyncpg.Connection, EventContract], Awaitable[None]]
] = {
    PersonalDetailsRecorded: _names_recorded,
}


async def handle_personal_details(conn: asyncpg.Connection, delivery: Delivery) -> None:
    if delivery.event is None:
        if delivery.key:
            await conn.execute("DELETE FROM card_names WHERE addressee_number = $1", delivery.key)
            # eligibility erased the person: the retention job erases the binding (ADR 0097)
            await conn.execute(
                "INSERT INTO erased_persons (addressee_number) VALUES ($1) ON CONFLICT DO NOTHING",
                delivery.key,
            )
        return
    project = CARD_NAMES.get(type(delivery.event))
    if project is not None:
        await project(conn, delivery.event)


def transfer_feed_handler(
    unit: JoinedUnit, registry: TransferRegistry, channel: TransferChannel
) -> Handler:
    """The owning services' transfer events, each delivered and recorded in its inbox
    transaction (a redelivered event is not delivered twice: the inbox has it)."""

    async def handle(conn: asyncpg.Connection, delivery: Delivery) -> None:
        event, envelope = delivery.event, delivery.envelope
        if not isinstance(event, TaxDeductionTransferred) or envelope is None:
            return  # collection's other events are not transfers
        await deliver_tax_deduction_file(
            unit(conn),
            registry,
            channel,
            event=event,
            event_id=envelope.id,
            source=envelope.source,
            at=datetime.now(UTC),
        )

    return handle
