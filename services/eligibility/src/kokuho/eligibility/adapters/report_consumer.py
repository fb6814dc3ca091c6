"""The reports' consumer (group ``reports``): assessment's, collection's and benefits' public
events become report facts in the inbox transaction (duplicates are dropped by the inbox and
by the tables' keys). Events the reports do not use are passed by."""

from __future__ import annotations

import logging

import asyncpg

from kokuho.eligibility.adapters.reports import project
from kokuho.events.runtime.consumer import Delivery
from kokuho.platform.eventing import Subscription

log = logging.getLogger(__name__)


def reports_subscription(topics: list[str]) -> Subscription:
    async def handle(conn: asyncpg.Connection, delivery: Delivery) -> None:
        if delivery.event is not None and await project(conn, delivery.event):
            log.debug("report fact", extra={"event": type(delivery.event).__name__})

    return Subscription("reports", topics, handle)
