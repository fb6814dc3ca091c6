"""The service's inbox consumers (run in the inbox transaction; duplicates are dropped by the
runtime): linkage-gateway's confirmed federation differences, benefits' co-payment rates,
delinquency's 特別療養費 flag."""

from __future__ import annotations

import logging

import asyncpg

from kokuho.eligibility.adapters.unit_of_work import unit_of
from kokuho.eligibility.app.policies import (
    on_copayment_rate_decided,
    on_federation_difference,
    on_special_care,
)
from kokuho.eligibility.app.ports import Eligibility
from kokuho.eligibility.domain.errors import EligibilityRuleBroken
from kokuho.events.contracts.benefits import CopaymentRateDecided
from kokuho.events.contracts.delinquency import SpecialCareCleared, SpecialCareFlagged
from kokuho.events.contracts.linkage_gateway import FederationDifferenceConfirmed
from kokuho.events.runtime.consumer import Delivery, PermanentFailure
from kokuho.platform.eventing import Subscription
from kokuho.platform.service import ServiceKit

log = logging.getLogger(__name__)


def linkage_subscription(kit: ServiceKit, topic: str) -> Subscription:
    """``federation``: each confirmed difference becomes a pending ex officio correction (or a
    review of a person unknown here); a difference the rules refuse goes to the dead-letter
    topic with the rule's name, never silently."""
    ports = kit.ports
    assert isinstance(ports, Eligibility)

    async def handle(conn: asyncpg.Connection, delivery: Delivery) -> None:
        event = delivery.event
        if not isinstance(event, FederationDifferenceConfirmed) or delivery.envelope is None:
            return  # other linkage-gateway events are for other services
        uow = unit_of(kit, conn)
        try:
            outcome = await on_federation_difference(uow, ports, event, delivery.envelope.id)
        except EligibilityRuleBroken as refused:
            raise PermanentFailure(f"{type(refused).__name__}: {refused}") from refused
        log.info("federation difference taken up", extra={"action": outcome.action})

    return Subscription("federation", [topic], handle)


def benefits_subscription(kit: ServiceKit, topic: str) -> Subscription:
    """``benefits``: each income-based 70-74 rate is recorded for the members it names, so the
    next 資格確認書 / お知らせ prints it (rules.md 3.4)."""
    ports = kit.ports
    assert isinstance(ports, Eligibility)

    async def handle(conn: asyncpg.Connection, delivery: Delivery) -> None:
        event = delivery.event
        if not isinstance(event, CopaymentRateDecided):
            return  # benefits' other events are for other services
        try:
            applied = await on_copayment_rate_decided(lambda: unit_of(kit, conn), ports, event)
        except EligibilityRuleBroken as refused:
            raise PermanentFailure(f"{type(refused).__name__}: {refused}") from refused
        log.info("co-payment rates recorded", extra={"members": len(applied)})

    return Subscription("benefits", [topic], handle)


def delinquency_subscription(kit: ServiceKit, topic: str) -> Subscription:
    """``delinquency``: the 特別療養費 flag of a household, set or cleared; 資格確認書 issued
    while it holds are 資格確認書(特別療養費) (rules.md 4.6)."""
    ports = kit.ports
    assert isinstance(ports, Eligibility)

    async def handle(conn: asyncpg.Connection, delivery: Delivery) -> None:
        event = delivery.event
        if not isinstance(event, SpecialCareFlagged | SpecialCareCleared):
            return  # delinquency's other events are for other services
        flagged = isinstance(event, SpecialCareFlagged)
        try:
            action = await on_special_care(
                unit_of(kit, conn), ports, event.nhi_household_number, flagged, event.effective_on
            )
        except EligibilityRuleBroken as refused:
            raise PermanentFailure(f"{type(refused).__name__}: {refused}") from refused
        log.info("special care status", extra={"action": action})

    return Subscription("delinquency", [topic], handle)
