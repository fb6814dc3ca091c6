"""Transfer routes (移転): the registry of the seed's transfers, recorded manual hand-overs of
registered flows only (C-66..C-68), every delivery for the auditor (C-66), drift (C-69)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import uuid4

from fastapi import APIRouter, Query

from kokuho.linkage_gateway.api.deps import (
    Auditor,
    GatewayDep,
    Operator,
    ReadDep,
    UnitsDep,
    WriteDep,
)
from kokuho.linkage_gateway.api.schemas import DriftOut, DriftReport, TransferIn, TransferOut
from kokuho.linkage_gateway.api.transfer_schemas import (
    DeliveryOut,
    DeliveryPage,
    FlowOut,
    RegistryOut,
)
from kokuho.linkage_gateway.app import transfers
from kokuho.platform.problems import FieldError, Problem

router = APIRouter(prefix="/api/v1/transfers", tags=["transfers"])


@router.post("", status_code=201)
async def deliver(
    body: TransferIn, user: Operator, ports: GatewayDep, units: UnitsDep, write: WriteDep
) -> TransferOut:
    """Record a manual hand-over (paper, flash memory) of a registered flow: only that flow's
    recipient, medium (``method``) and items; flows delivered by a feed or a yearly file are
    refused (422 ``not-a-manual-handover``). The record is committed before the hand-over
    (C-66); 503 leaves it 'prepared'."""
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


@router.get("")
async def list_deliveries(
    _user: Auditor,
    read: ReadDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    flow_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    on_or_after: Annotated[date | None, Query(description="day (JST), from")] = None,
    on_or_before: Annotated[date | None, Query(description="day (JST), to")] = None,
) -> DeliveryPage:
    """Every transfer delivered or attempted (C-66), newest first: what, to whom, when, by
    whom, on which basis, whose data; by flow and day."""
    if on_or_after and on_or_before and on_or_before < on_or_after:
        raise Problem(
            422,
            "invalid-period",
            detail="on_or_before is before on_or_after.",
            errors=[FieldError(pointer="/query/on_or_before", reason="before on_or_after")],
        )
    return await read.run(
        lambda uow: transfers.deliveries(
            uow,
            limit=limit,
            flow_id=flow_id,
            on_or_after=on_or_after,
            on_or_before=on_or_before,
        ),
        lambda rows: DeliveryPage(items=[DeliveryOut.of(r) for r in rows]),
    )


@router.get("/registry")
async def registry(_user: Auditor, ports: GatewayDep) -> RegistryOut:
    """The transfer registry: every transfer of the source (flows.md section 6) in its order,
    the missing ones as unknown (no personal data)."""
    return RegistryOut(
        version=ports.transfers.version,
        flows=[FlowOut.of(f) for f in ports.transfers.by_seed_number()],
    )


@router.get("/drift")
async def drift(_user: Auditor, ports: GatewayDep) -> DriftReport:
    """C-69: configured routes without an approved registry entry (no personal data)."""
    return DriftReport(
        registry_version=ports.transfers.version,
        drift=[DriftOut.model_validate(d) for d in transfers.drift(ports)],
    )
