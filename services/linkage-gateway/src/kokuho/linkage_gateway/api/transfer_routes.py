"""Transfer routes (移転): delivery of registered flows only (C-66..C-68), drift check (C-69)."""

from __future__ import annotations

from uuid import uuid4

from fastapi import APIRouter

from kokuho.linkage_gateway.api.deps import Auditor, GatewayDep, Operator, UnitsDep, WriteDep
from kokuho.linkage_gateway.api.schemas import DriftOut, DriftReport, TransferIn, TransferOut
from kokuho.linkage_gateway.app import transfers

router = APIRouter(prefix="/api/v1/transfers", tags=["transfers"])


@router.post("", status_code=201)
async def deliver(
    body: TransferIn, user: Operator, ports: GatewayDep, units: UnitsDep, write: WriteDep
) -> TransferOut:
    """Deliver a registered flow's items for the given persons; anything else is refused.
    The record is committed before the delivery (C-66); 503 leaves it 'prepared'."""
    command = transfers.Transfer(
        transfer_id=uuid4(),
        flow_id=body.flow_id,
        recipient=body.recipient,
        method=body.method,
        items=body.items,
        addressee_numbers=body.addressee_numbers,
        user_id=user.user_id,
        at=ports.clock(),
    )
    return await write.run(
        lambda uow: transfers.transfer(uow, units, ports, command, ports.clock),
        TransferOut.of,
        status_code=201,
    )


@router.get("/drift")
async def drift(_user: Auditor, ports: GatewayDep) -> DriftReport:
    """C-69: configured routes without an approved registry entry (no personal data)."""
    return DriftReport(
        registry_version=ports.transfers.version,
        drift=[DriftOut.model_validate(d) for d in transfers.drift(ports)],
    )
