"""Transfer routes (移転): delivery of registered flows only (C-66..C-68), drift check (C-69)."""

from __future__ import annotations

from typing import Annotated
from uuid import uuid4

import asyncpg
from fastapi import APIRouter

from kokuho.linkage_gateway.adapters.transfer_sending import transfer
from kokuho.linkage_gateway.api.context import GatewayDep
from kokuho.linkage_gateway.api.schemas import DriftOut, DriftReport, TransferIn, TransferOut
from kokuho.linkage_gateway.app.ports import TransferRecord
from kokuho.linkage_gateway.domain.transfers import configuration_drift
from kokuho.platform.audit import AuditTrail
from kokuho.platform.auth import StaffUser, require_roles
from kokuho.platform.idempotency import IdempotencyDep

router = APIRouter(prefix="/api/v1/transfers", tags=["transfers"])


class _NewRequest(Exception):
    """The Idempotency-Key was not used before (the probe's transaction is rolled back)."""


def _out(record: TransferRecord) -> TransferOut:
    return TransferOut(
        transfer_id=record.transfer_id,
        flow_id=record.flow_id,
        recipient=record.recipient,
        legal_basis=record.legal_basis,
        items=list(record.items),
        method=record.method,
        subject_count=len(record.subjects),
        requested_by=record.requested_by,
        status=record.status,
        delivered_at=record.delivered_at,
        receipt=record.receipt,
    )


@router.post("", status_code=201)
async def deliver(
    body: TransferIn,
    user: Annotated[StaffUser, require_roles("linkage.operator")],
    gateway: GatewayDep,
    idem: IdempotencyDep,
    audit: AuditTrail,
) -> TransferOut:
    """Deliver a registered flow's items for the given persons; anything else is refused.
    The record is committed before the delivery (C-66); 503 leaves it 'prepared'."""
    try:  # a repeated Idempotency-Key is answered before anything is prepared or sent
        async with gateway.pool().acquire() as conn, conn.transaction():
            await idem.begin(conn)
            raise _NewRequest
    except _NewRequest:
        pass

    async def finish(conn: asyncpg.Connection, record: TransferRecord) -> None:
        await idem.begin(conn)
        await audit.record(
            subjects=list(record.subjects),
            detail={"transfer_id": str(record.transfer_id), "flow_id": record.flow_id},
            status_code=201,
            conn=conn,
        )
        await idem.complete(conn, _out(record), status_code=201)

    delivered = await transfer(
        gateway.pool(),
        gateway.transfers,
        gateway.channel,
        gateway.sealer,
        transfer_id=uuid4(),
        flow_id=body.flow_id,
        recipient=body.recipient,
        method=body.method,
        items=body.items,
        addressee_numbers=body.addressee_numbers,
        user_id=user.user_id,
        at=gateway.clock(),
        finish=finish,
    )
    return _out(delivered)


@router.get("/drift")
async def drift(
    _user: Annotated[StaffUser, require_roles("linkage.operator", "auditor")],
    gateway: GatewayDep,
) -> DriftReport:
    """C-69: configured routes without an approved registry entry."""
    found = configuration_drift(gateway.transfers, gateway.channel.configured_routes())
    return DriftReport(
        registry_version=gateway.transfers.version,
        drift=[DriftOut(**d.__dict__) for d in found],
    )
