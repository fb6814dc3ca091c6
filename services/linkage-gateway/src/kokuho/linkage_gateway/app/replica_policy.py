"""Policy: eligibility's qualification events drive replica registration (C-79) and mark
deaths in the vault (C-93). No person ever writes a replica by hand."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from kokuho.events.contracts import EventContract
from kokuho.events.contracts.eligibility import (
    QualificationAcquired,
    QualificationCorrected,
    QualificationLost,
)
from kokuho.linkage_gateway.app import vault as vault_handlers
from kokuho.linkage_gateway.app.intermediate import ReplicaSync, sync_replica
from kokuho.linkage_gateway.app.ports import IntermediateServer, LinkageRecords, VaultRepository
from kokuho.linkage_gateway.domain.intermediate import (
    QUALIFICATION_ITEM,
    PermittedInquiryList,
    QualificationReplica,
)

ELIGIBILITY_AFFAIR = "nhi-eligibility"


async def on_eligibility_event(
    records: LinkageRecords,
    vault: VaultRepository,
    server: IntermediateServer,
    permits: PermittedInquiryList,
    *,
    event: EventContract,
    event_id: UUID | None,
    at: datetime,
) -> ReplicaSync | None:
    if isinstance(event, QualificationAcquired):
        replica = QualificationReplica(True, event.acquisition_date, None)
        addressee = event.addressee_number
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
