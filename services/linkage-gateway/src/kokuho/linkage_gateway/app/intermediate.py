"""Intermediate-server handlers: replica registration from business events (C-79), inquiries
against the permitted-inquiry list (C-71..C-74, C-77), provisions with holds (C-80, C-81),
reconciliation (C-84). Every one leaves a record (C-66, C-72)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from kokuho.linkage_gateway.app.ports import (
    InquiryRecord,
    IntermediateServer,
    LinkageRecords,
    ProvisionRecord,
    ReplicaMessage,
    VaultRepository,
)
from kokuho.linkage_gateway.domain.intermediate import (
    Difference,
    PermittedInquiryList,
    decide_provision,
    reconcile,
    replica_changed,
)
from kokuho.linkage_gateway.domain.vault import NoNumberBound


class UnknownProvision(Exception):
    def __init__(self, provision_id: UUID) -> None:
        super().__init__(f"provision {provision_id} is not held for approval")
        self.provision_id = provision_id


class UnknownIntegratedAddressee(Exception):
    def __init__(self) -> None:
        super().__init__("the integrated addressee number is not ours")


@dataclass(frozen=True)
class ReplicaSync:
    version: int
    registered: bool  # False: kept until the person's number is bound


async def sync_replica(
    records: LinkageRecords,
    vault: VaultRepository,
    server: IntermediateServer,
    permits: PermittedInquiryList,
    *,
    addressee_number: str,
    item: str,
    content: dict[str, Any],
    source_event_id: UUID | None,
    at: datetime,
) -> ReplicaSync | None:
    """Keep the original and register the replica when it changed (None: unchanged)."""
    row = permits.replica_item(item).legal_basis_row
    current = await records.replica(addressee_number, item)
    if not replica_changed(current.content if current else None, content):
        return None
    version = (current.version if current else 0) + 1
    binding = await vault.binding_of(addressee_number)
    integrated = binding.integrated_addressee_number if binding else None
    await records.save_replica(addressee_number, item, content, version, integrated)
    if integrated is None:
        return ReplicaSync(version, registered=False)
    message = ReplicaMessage(integrated, item, version, content)
    receipt = await server.register_replica(message)
    await records.record_registration(
        addressee_number=addressee_number,
        message=message,
        legal_basis_row=row,
        source_event_id=source_event_id,
        receipt=receipt,
        at=at,
    )
    return ReplicaSync(version, registered=True)


async def register_pending_replicas(
    records: LinkageRecords,
    server: IntermediateServer,
    permits: PermittedInquiryList,
    *,
    addressee_number: str,
    integrated_addressee_number: str,
    at: datetime,
) -> int:
    """Replicas that waited for the person's number are registered once it is bound."""
    count = 0
    for item, stored in await records.pending_replicas(addressee_number):
        await records.save_replica(
            addressee_number, item, stored.content, stored.version, integrated_addressee_number
        )
        message = ReplicaMessage(integrated_addressee_number, item, stored.version, stored.content)
        receipt = await server.register_replica(message)
        await records.record_registration(
            addressee_number=addressee_number,
            message=message,
            legal_basis_row=permits.replica_item(item).legal_basis_row,
            source_event_id=None,
            receipt=receipt,
            at=at,
        )
        count += 1
    return count


async def make_inquiry(
    records: LinkageRecords,
    vault: VaultRepository,
    server: IntermediateServer,
    permits: PermittedInquiryList,
    *,
    inquiry_id: UUID,
    user_id: str,
    addressee_number: str,
    affair: str,
    provider: str,
    item: str,
    at: datetime,
) -> InquiryRecord:
    """情報照会: checked against the list before anything is sent (C-74), then recorded."""
    permit = permits.check_inquiry(affair=affair, provider=provider, item=item)
    binding = await vault.binding_of(addressee_number)
    if binding is None:
        raise NoNumberBound(addressee_number)
    answer = await server.inquire(
        integrated_addressee_number=binding.integrated_addressee_number,
        provider=provider,
        item=item,
    )
    record = InquiryRecord(
        inquiry_id=inquiry_id,
        requested_by=user_id,
        requested_at=at,
        affair=affair,
        provider=provider,
        item=item,
        legal_basis_row=permit.legal_basis_row,
        addressee_number=addressee_number,
        status=answer.status,
        result=answer.content,
        completed_at=at,
        result_deleted_at=None,
    )
    await records.save_inquiry(record, binding.integrated_addressee_number)
    return record


async def delete_expired_results(
    records: LinkageRecords, *, retention: timedelta, now: datetime
) -> list[UUID]:
    """C-77: inquiry results are deleted once the retention after completion has passed."""
    return await records.delete_inquiry_results(completed_before=now - retention, at=now)


async def handle_provision_request(
    records: LinkageRecords,
    permits: PermittedInquiryList,
    *,
    provision_id: UUID,
    requester: str,
    integrated_addressee_number: str,
    item: str,
    at: datetime,
) -> ProvisionRecord:
    """情報提供: only to permitted requesters (C-80); flagged items held (C-81); recorded."""
    decision = decide_provision(permits, requester=requester, item=item)
    addressee = await records.addressee_of_integrated(integrated_addressee_number)
    if addressee is None:
        raise UnknownIntegratedAddressee()
    record = ProvisionRecord(
        provision_id=provision_id,
        requester=requester,
        item=item,
        legal_basis_row=decision.permit.legal_basis_row,
        addressee_number=addressee,
        requested_at=at,
        status="provided" if decision.automatic else "held",
        provided_at=at if decision.automatic else None,
        approved_by=None,
    )
    await records.save_provision(record, integrated_addressee_number)
    return record


async def approve_provision(
    records: LinkageRecords, *, provision_id: UUID, user_id: str, at: datetime
) -> ProvisionRecord:
    """C-81: a person re-checked the content; the provision goes out, with who approved it."""
    held = await records.provision(provision_id)
    if held is None or held.status != "held":
        raise UnknownProvision(provision_id)
    await records.approve_provision(provision_id, by=user_id, at=at)
    approved = await records.provision(provision_id)
    assert approved is not None
    return approved


async def reconciliation(records: LinkageRecords, server: IntermediateServer) -> list[Difference]:
    """C-84: every replica the server holds against the originals we registered."""
    return reconcile(await records.registered_originals(), await server.export_replicas())
