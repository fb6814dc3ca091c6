"""Policy: the business services' events drive the gateway (C-79). In one inbox transaction an
eligibility qualification event becomes an insured change for the federation and the original
of the qualification replica (and a death marks the vault, C-93); assessment's premiums become
the householder's premium replica. No person ever writes a replica by hand."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from kokuho.events.contracts import EventContract
from kokuho.events.contracts.assessment import PremiumAssessed
from kokuho.events.contracts.eligibility import (
    HouseholderChanged,
    HouseholdRegistered,
    QualificationAcquired,
    QualificationCorrected,
    QualificationLost,
)
from kokuho.linkage_gateway.app import vault as vault_use_cases
from kokuho.linkage_gateway.app.federation import capture_change
from kokuho.linkage_gateway.app.intermediate import ReplicaSync, sync_replica
from kokuho.linkage_gateway.app.ports import GatewayUnitPort, IntermediateServer
from kokuho.linkage_gateway.app.records import LinkageRecords, VaultRepository
from kokuho.linkage_gateway.domain.intermediate import (
    PREMIUM_ITEM,
    QUALIFICATION_ITEM,
    PermittedInquiryList,
    QualificationReplica,
)

ELIGIBILITY_AFFAIR = "nhi-eligibility"


@dataclass(frozen=True)
class _Delivery:
    """One business event and what its handling reaches."""

    records: LinkageRecords
    vault: VaultRepository
    server: IntermediateServer
    permits: PermittedInquiryList
    event_id: UUID | None
    at: datetime

    async def sync(
        self, addressee_number: str, item: str, content: dict[str, Any]
    ) -> ReplicaSync | None:
        return await sync_replica(
            self.records,
            self.vault,
            self.server,
            self.permits,
            addressee_number=addressee_number,
            item=item,
            content=content,
            source_event_id=self.event_id,
            at=self.at,
        )


Handler = Callable[[_Delivery, EventContract], Awaitable[ReplicaSync | None]]


async def on_business_event(
    uow: GatewayUnitPort,
    server: IntermediateServer,
    permits: PermittedInquiryList,
    *,
    event: EventContract,
    event_id: UUID | None,
    at: datetime,
) -> ReplicaSync | None:
    """Both effects of one delivery, or neither (``uow`` joins the inbox transaction)."""
    async with uow:
        await capture_change(uow.federation, event=event, event_id=event_id)
        handle = REPLICA_POLICY.get(type(event))
        if handle is None:
            return None  # other events carry nothing the replicas hold
        delivery = _Delivery(uow.linkage, uow.vault, server, permits, event_id, at)
        return await handle(delivery, event)


async def _premium_assessed(d: _Delivery, event: EventContract) -> ReplicaSync | None:
    """保険料: the household's assessment for the year, as the householder's replica."""
    assert isinstance(event, PremiumAssessed)
    kept = await d.records.save_premium(
        event.nhi_household_number,
        event.fiscal_year,
        event.revision,
        {
            "annual_amount": event.annual_amount,
            "statutory_reduction": event.statutory_reduction,
            "assessed_on": event.assessed_on.isoformat(),
        },
    )
    if not kept:
        return None  # an older revision arrived late
    return await _sync_premium(d, event.nhi_household_number)


async def _householder(d: _Delivery, event: EventContract) -> ReplicaSync | None:
    assert isinstance(event, HouseholdRegistered | HouseholderChanged)
    await d.records.set_householder(event.nhi_household_number, event.householder_addressee_number)
    return await _sync_premium(d, event.nhi_household_number)


async def _acquired(d: _Delivery, event: EventContract) -> ReplicaSync | None:
    assert isinstance(event, QualificationAcquired)
    if await d.records.householder_of(event.nhi_household_number) is None:
        await d.records.set_householder(
            event.nhi_household_number, event.householder_addressee_number
        )
        # A premium that arrived before the household was known goes out now.
        await _sync_premium(d, event.nhi_household_number)
    # The person is a subject of the eligibility affair from now on (C-02).
    await d.vault.add_subject(event.addressee_number, ELIGIBILITY_AFFAIR)
    replica = QualificationReplica(True, event.acquisition_date, None)
    return await d.sync(event.addressee_number, QUALIFICATION_ITEM, replica.content())


async def _lost(d: _Delivery, event: EventContract) -> ReplicaSync | None:
    assert isinstance(event, QualificationLost)
    addressee = event.addressee_number
    current = await d.records.replica(addressee, QUALIFICATION_ITEM)
    acquired = (current.content.get("acquisition_date") if current else None) or None
    replica = QualificationReplica(
        False,
        datetime.fromisoformat(acquired).date() if isinstance(acquired, str) else None,
        event.loss_date,
    )
    if event.loss_reason == "death":
        await vault_use_cases.record_death(d.vault, addressee_number=addressee, at=d.at)
    return await d.sync(addressee, QUALIFICATION_ITEM, replica.content())


async def _corrected(d: _Delivery, event: EventContract) -> ReplicaSync | None:
    assert isinstance(event, QualificationCorrected)
    replica = QualificationReplica(event.loss_date is None, event.acquisition_date, event.loss_date)
    return await d.sync(event.addressee_number, QUALIFICATION_ITEM, replica.content())


async def _sync_premium(d: _Delivery, household: str) -> ReplicaSync | None:
    householder = await d.records.householder_of(household)
    premiums = await d.records.premiums_of(household)
    if householder is None or not premiums:
        return None  # the other half arrives later and registers it then
    return await d.sync(
        householder, PREMIUM_ITEM, {"nhi_household_number": household, "fiscal_years": premiums}
    )


#: Which business event feeds which replica (a dispatch table, keyed by the event's type).
REPLICA_POLICY: dict[type[EventContract], Handler] = {
    PremiumAssessed: _premium_assessed,
    HouseholdRegistered: _householder,
    HouseholderChanged: _householder,
    QualificationAcquired: _acquired,
    QualificationLost: _lost,
    QualificationCorrected: _corrected,
}
