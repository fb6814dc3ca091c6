"""Transfer delivery (移転): registry check, only the listed items, recorded before it leaves
(C-66..C-68). Two phases around the delivery: ``prepare_transfer`` commits the record as
prepared, the channel delivers outside any transaction, and the caller's unit marks it
delivered with the receipt (a failed delivery leaves it prepared)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from kokuho.linkage_gateway.app.ports import (
    GatewayUnitPort,
    NumberSealer,
    Ports,
    TransferChannel,
    UnitOpener,
)
from kokuho.linkage_gateway.app.records import TransferRecord, TransferRecords, VaultRepository
from kokuho.linkage_gateway.domain.transfers import Drift, TransferRegistry, configuration_drift
from kokuho.linkage_gateway.domain.vault import NoNumberBound


@dataclass(frozen=True)
class PreparedTransfer:
    record: TransferRecord
    payload: list[dict[str, str]] = field(repr=False)  # may hold individual numbers


async def prepare_transfer(
    registry: TransferRegistry,
    vault: VaultRepository,
    sealer: NumberSealer,
    records: TransferRecords,
    *,
    transfer_id: UUID,
    flow_id: str,
    recipient: str,
    method: str,
    items: Sequence[str],
    addressee_numbers: Sequence[str],
    user_id: str,
    at: datetime,
) -> PreparedTransfer:
    flow = registry.check(flow_id=flow_id, recipient=recipient, method=method, items=items)
    wanted = sorted(set(items))
    payload: list[dict[str, str]] = []
    for addressee in addressee_numbers:
        binding = await vault.binding_of(addressee)
        if binding is None:
            raise NoNumberBound(addressee)
        row = {"addressee_number": addressee}
        if "integrated_addressee_number" in wanted:
            row["integrated_addressee_number"] = binding.integrated_addressee_number
        if "individual_number" in wanted:
            sealed = await vault.sealed_of(addressee)
            if sealed is None:
                raise NoNumberBound(addressee)
            row["individual_number"] = sealer.open(sealed, addressee_number=addressee).value
        payload.append({k: v for k, v in row.items() if k in wanted})
    record = TransferRecord(
        transfer_id=transfer_id,
        flow_id=flow.flow_id,
        recipient=recipient,
        legal_basis=flow.legal_basis,
        items=tuple(wanted),
        method=method,
        subjects=tuple(addressee_numbers),
        requested_by=user_id,
        status="prepared",
        prepared_at=at,
        delivered_at=None,
        receipt=None,
    )
    await records.save(record)
    return PreparedTransfer(record, payload)


async def deliver_prepared(channel: TransferChannel, prepared: PreparedTransfer) -> str:
    r = prepared.record
    return await channel.deliver(recipient=r.recipient, method=r.method, records=prepared.payload)


@dataclass(frozen=True)
class Transfer:
    transfer_id: UUID
    flow_id: str
    recipient: str
    method: str
    items: Sequence[str]
    addressee_numbers: Sequence[str]
    user_id: str
    at: datetime


async def transfer(
    uow: GatewayUnitPort,
    open_unit: UnitOpener,
    ports: Ports,
    command: Transfer,
    clock: Callable[[], datetime],
) -> TransferRecord:
    """Deliver a registered flow's items for the given persons; anything else is refused. The
    record is committed before the delivery (C-66); a failed delivery leaves it prepared."""
    c = command
    async with open_unit() as first:
        prepared = await prepare_transfer(
            ports.transfers,
            first.vault,
            ports.sealer,
            first.transfers,
            transfer_id=c.transfer_id,
            flow_id=c.flow_id,
            recipient=c.recipient,
            method=c.method,
            items=c.items,
            addressee_numbers=c.addressee_numbers,
            user_id=c.user_id,
            at=c.at,
        )
    receipt = await deliver_prepared(ports.channel, prepared)
    async with uow:
        delivered = await uow.transfers.mark_delivered(c.transfer_id, receipt, clock())
        await uow.audit.record(
            subjects=list(delivered.subjects),
            detail={"transfer_id": str(c.transfer_id), "flow_id": delivered.flow_id},
            status_code=201,
        )
        return delivered


def drift(ports: Ports) -> list[Drift]:
    """C-69: configured routes without an approved registry entry (no personal data)."""
    return configuration_drift(ports.transfers, ports.channel.configured_routes())
