"""Transfer delivery (移転): registry check, only the listed items, recorded before it leaves
(C-66..C-68). ``prepare_transfer`` runs in one transaction, the delivery outside it, and the
confirmation in another (adapters/transfer_sending.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from kokuho.linkage_gateway.app.ports import (
    NumberSealer,
    TransferChannel,
    TransferRecord,
    TransferRecords,
    VaultRepository,
)
from kokuho.linkage_gateway.domain.transfers import TransferRegistry
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
