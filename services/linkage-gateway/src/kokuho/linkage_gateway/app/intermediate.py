"""Replicas at the intermediate server: registered from business events (C-79), pending until
the person's number is bound, viewed by staff (C-83) and reconciled (C-84). Every registration
leaves a record (C-66). Inquiries and provisions: ``app/inquiries.py``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from kokuho.linkage_gateway.app.ports import GatewayUnitPort, IntermediateServer
from kokuho.linkage_gateway.app.records import (
    LinkageRecords,
    ReplicaMessage,
    ReplicaView,
    VaultRepository,
)
from kokuho.linkage_gateway.domain.intermediate import (
    Difference,
    PermittedInquiryList,
    reconcile,
    replica_changed,
)


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


async def replicas_of(uow: GatewayUnitPort, addressee_number: str) -> list[ReplicaView]:
    """C-83: the person's current replicas, for staff to view (read only; C-79)."""
    async with uow:
        replicas = await uow.linkage.replicas_of(addressee_number)
        await uow.audit.record(subjects=[addressee_number], detail={"replicas": len(replicas)})
        return replicas


async def reconciliation(uow: GatewayUnitPort, server: IntermediateServer) -> list[Difference]:
    """C-84: every replica the server holds against the originals we registered. The
    differences show persons' replica contents: the audit names whose (C-45)."""
    async with uow:
        differences = reconcile(
            await uow.linkage.registered_originals(), await server.export_replicas()
        )
        subjects = await uow.vault.addressees_of_integrated([d.key[0] for d in differences])
        await uow.audit.record(subjects=subjects, detail={"differences": len(differences)})
        return differences
