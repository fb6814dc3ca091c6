"""The consumer of the マイナ保険証 state (linkage-gateway's ``MynaInsuranceCardStatusChanged``,
consumer group ``card-status``): kept as the member's certificate basis, which the bulk run
decides from (ADR 0019). Duplicates are dropped by the inbox; an older report than the one
held changes nothing."""

from __future__ import annotations

import logging

import asyncpg

from kokuho.eligibility.adapters.unit_of_work import unit_of
from kokuho.eligibility.app.certificate_runs import card_status_changed
from kokuho.events.contracts.linkage_gateway import MynaInsuranceCardStatusChanged
from kokuho.events.runtime.consumer import Delivery
from kokuho.platform.eventing import Subscription
from kokuho.platform.service import ServiceKit

log = logging.getLogger(__name__)


def card_status_subscription(kit: ServiceKit, topic: str) -> Subscription:
    async def handle(conn: asyncpg.Connection, delivery: Delivery) -> None:
        event = delivery.event
        if not isinstance(event, MynaInsuranceCardStatusChanged):
            return  # linkage-gateway's other events are for other consumers
        kept = await card_status_changed(
            unit_of(kit, conn),
            event.addressee_number,
            event.status,
            event.e_certificate_expires_on,
            event.as_of,
        )
        log.info("card status", extra={"kept": kept})

    return Subscription("card-status", [topic], handle)
