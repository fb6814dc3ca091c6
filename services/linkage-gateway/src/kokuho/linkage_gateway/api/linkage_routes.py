"""Intermediate-server routes: inquiries (C-71..C-74, C-77), provisions (C-80, C-81), the
person's replicas (C-83) and reconciliation (C-84). There is no route that writes a replica
(C-79)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Query

from kokuho.linkage_gateway.api.deps import (
    Auditor,
    Connector,
    GatewayDep,
    Inquirer,
    InquiryReader,
    Operator,
    ReadDep,
    WriteDep,
)
from kokuho.linkage_gateway.api.schemas import (
    AddresseeNumber,
    DifferenceOut,
    InquiryIn,
    InquiryOut,
    ProvisionOut,
    ProvisionPage,
    ProvisionRequestIn,
    ReconciliationOut,
    ReplicaOut,
    ReplicaPage,
)
from kokuho.linkage_gateway.app import inquiries, intermediate

router = APIRouter(prefix="/api/v1", tags=["intermediate server"])


@router.post("/ipn/inquiries", status_code=201)
async def make_inquiry(
    body: InquiryIn, user: Inquirer, ports: GatewayDep, write: WriteDep
) -> InquiryOut:
    """情報照会 for a pair on the permitted-inquiry list; refused before sending otherwise."""
    command = inquiries.MakeInquiry(
        inquiry_id=uuid4(),
        user_id=user.user_id,
        addressee_number=body.addressee_number,
        affair=body.affair,
        provider=body.provider,
        item=body.item,
        at=ports.clock(),
    )
    return await write.run(
        lambda uow: inquiries.make_inquiry(uow, ports.server, ports.permits, command),
        InquiryOut.model_validate,
        status_code=201,
    )


@router.get("/ipn/inquiries/{inquiry_id}")
async def get_inquiry(inquiry_id: UUID, _user: InquiryReader, read: ReadDep) -> InquiryOut:
    """An inquiry and its result; after the retention (C-77) the result is gone."""
    return await read.run(lambda uow: inquiries.inquiry(uow, inquiry_id), InquiryOut.model_validate)


@router.post("/ipn/provision-requests", status_code=201)
async def receive_provision_request(
    body: ProvisionRequestIn, _user: Connector, ports: GatewayDep, write: WriteDep
) -> ProvisionOut:
    """A provision request relayed by the intermediate server (C-80); flagged items are held
    for a person's approval (C-81); every provision is recorded (C-66)."""
    command = inquiries.ProvisionRequest(
        provision_id=uuid4(),
        requester=body.requester,
        integrated_addressee_number=body.integrated_addressee_number,
        item=body.item,
        at=ports.clock(),
    )
    return await write.run(
        lambda uow: inquiries.handle_provision_request(uow, ports.permits, command),
        ProvisionOut.model_validate,
        status_code=201,
    )


@router.get("/provisions/held")
async def list_held_provisions(
    _user: Operator, read: ReadDep, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> ProvisionPage:
    return await read.run(
        lambda uow: inquiries.held_provisions(uow, limit=limit),
        lambda held: ProvisionPage(items=[ProvisionOut.model_validate(p) for p in held]),
    )


@router.post("/provisions/{provision_id}/approval")
async def approve_provision(
    provision_id: UUID, user: Operator, ports: GatewayDep, write: WriteDep
) -> ProvisionOut:
    """C-81: staff re-checked a held provision; it goes out with the approver recorded."""
    command = inquiries.ApproveProvision(provision_id, user.user_id, ports.clock())
    return await write.run(
        lambda uow: inquiries.approve_provision(uow, command), ProvisionOut.model_validate
    )


@router.get("/persons/{addressee_number}/replicas")
async def view_replicas(
    addressee_number: AddresseeNumber, _user: Auditor, read: ReadDep
) -> ReplicaPage:
    """C-83: the person's current replicas, for staff to view (read only; C-79)."""
    return await read.run(
        lambda uow: intermediate.replicas_of(uow, addressee_number),
        lambda replicas: ReplicaPage(
            addressee_number=addressee_number,
            items=[ReplicaOut.model_validate(r) for r in replicas],
        ),
    )


@router.get("/replicas/reconciliation")
async def replica_reconciliation(
    _user: Auditor, ports: GatewayDep, read: ReadDep
) -> ReconciliationOut:
    """C-84: the replicas at the intermediate server against our originals."""
    return await read.run(
        lambda uow: intermediate.reconciliation(uow, ports.server),
        lambda differences: ReconciliationOut(
            checked_at=ports.clock(), differences=[DifferenceOut.of(d) for d in differences]
        ),
    )
