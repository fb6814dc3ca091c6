"""Policy: the business services' events drive replica registration (C-79): eligibility's
qualification events (and deaths in the vault, C-93), assessment's premiums (for the
householder). No person ever writes a replica by hand."""

from __future__ import annotations

from datetime import datetime
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
from kokuho.linkage_gateway.app import vault as vault_handlers
from kokuho.linkage_gateway.app.intermediate import ReplicaSync, sync_replica
from kokuho.linkage_gateway.app.ports import IntermediateServer, LinkageRecords, VaultRepository
from kokuho.linkage_gateway.domain.intermediate import (
    PREMIUM_ITEM,
    QUALIFICATION_ITEM,
    PermittedInquiryList,
    QualificationReplica,
)

ELIGIBILITY_AFFAIR = "nhi-eligibility"


async def on_business_event(
    records: LinkageRecords,
    vault: VaultRepository,
    server: IntermediateServer,
    permits: PermittedInquiryList,
    *,
    event: EventContract,
    event_id: UUID | None,
    at: datetime,
) -> ReplicaSync | None:
    if isinstance(event, PremiumAssessed):
        return await _premium_assessed(records, vault, server, permits, event, event_id, at)
    if isinstance(event, (HouseholdRegistered, HouseholderChanged)):
        await records.set_householder(
            event.nhi_household_number, event.householder_addressee_number
        )
        return await _sync_premium(
            records, vault, server, permits, event.nhi_household_number, event_id, at
        )
    if isinstance(event, QualificationAcquired):
        replica = QualificationReplica(True, event.acquisition_date, None)
        addressee = event.addressee_number
        if await records.householder_of(event.nhi_household_number) is None:
            await records.set_householder(
                event.nhi_household_number, event.householder_addressee_number
            )
            # A premium that arrived before the household was known goes out now.
            await _sync_premium(
                records, vault, server, permits, event.nhi_household_number, event_id, at
            )
        # The person is a subject of the eligibility affair from now on (C-02).
        await vault.add_subject(addressee, ELIGIBILITY_AFFAIR)
    elif isinstance(event, QualificationLost):
        addressee = event.addressee_number
        current = await records.replica(addressee, QUALIFICATION_ITEM)
        acquired = (current.content.get("acquisition_date") if current else None) or None
        replica = QualificationReplica(
            False,
            datetime.fromisoformat(acquired).date() if isinstance(acquired, str) else None,
            event.loss_date,
        )
        if event.loss_reason == "death":
            await vault_handlers.record_death(vault, addressee_number=addressee, at=at)
    elif isinstance(event, QualificationCorrected):
        addressee = event.addressee_number
        replica = QualificationReplica(
            event.loss_date is None, event.acquisition_date, event.loss_date
        )
    else:
        return None  # other eligibility events carry nothing the replicas hold
    return await sync_replica(
        records,
        vault,
        server,
        permits,
        addressee_number=addressee,
        item=QUALIFICATION_ITEM,
        content=replica.content(),
        source_event_id=event_id,
        at=at,
    )


async def _premium_assessed(
    records: LinkageRecords,
    vault: VaultRepository,
    server: IntermediateServer,
    permits: PermittedInquiryList,
    event: PremiumAssessed,
    event_id: UUID | None,
    at: datetime,
) -> ReplicaSync | None:
    """保険料: the household's assessment for the year, as the householder's replica."""
    kept = await records.save_premium(
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
    return await _sync_premium(
        records, vault, server, permits, event.nhi_household_number, event_id, at
    )


async def _sync_premium(
    records: LinkageRecords,
    vault: VaultRepository,
    server: IntermediateServer,
    permits: PermittedInquiryList,
    household: str,
    event_id: UUID | None,
    at: datetime,
) -> ReplicaSync | None:
    householder = await records.householder_of(household)
    premiums = await records.premiums_of(household)
    if householder is None or not premiums:
        return None  # the other half arrives later and registers it then
    return await sync_replica(
        records,
        vault,
        server,
        permits,
        addressee_number=householder,
        item=PREMIUM_ITEM,
        content={"nhi_household_number": household, "fiscal_years": premiums},
        source_event_id=event_id,
        at=at,
    )
