"""Inbox handlers (run in the inbox transaction; duplicates are dropped by the runtime)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import asyncpg

from kokuho.eligibility.adapters.postgres import PostgresUnit, Topics
from kokuho.eligibility.app.policies import on_federation_difference
from kokuho.eligibility.app.service import EligibilityService, HouseholdNotFound
from kokuho.eligibility.domain.errors import EligibilityRuleBroken
from kokuho.events.contracts.linkage_gateway import FederationDifferenceConfirmed
from kokuho.events.runtime.consumer import Delivery, PermanentFailure

log = logging.getLogger(__name__)


def linkage_handler(
    service: EligibilityService, topics: Topics
) -> Callable[[asyncpg.Connection, Delivery], Awaitable[None]]:
    async def handle(conn: asyncpg.Connection, delivery: Delivery) -> None:
        event = delivery.event
        if not isinstance(event, FederationDifferenceConfirmed) or delivery.envelope is None:
            return  # other linkage-gateway events are for other services
        try:
            outcome = await on_federation_difference(
                PostgresUnit(conn, topics), service, event, delivery.envelope.id
            )
        except (EligibilityRuleBroken, HouseholdNotFound) as refused:
            # The rules refuse the federation's dates (e.g. a loss before the acquisition):
            # never silently; the message goes to the dead-letter topic with the rule's name.
            raise PermanentFailure(f"{type(refused).__name__}: {refused}") from refused
        log.info("federation difference taken up", extra={"action": outcome.action})

    return handle
