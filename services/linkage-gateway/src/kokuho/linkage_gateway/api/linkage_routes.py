"""Intermediate-server routes: inquiries (C-71..C-74, C-77), provisions (C-80, C-81),
reconciliation (C-84). There is no route that writes a replica (C-79)."""

from __future__ import annotations

import dataclasses
import json
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Query

from kokuho.linkage_gateway.adapters.postgres_linkage import PostgresLinkageRecords
from kokuho.linkage_gateway.adapters.postgres_vault import PostgresVault
from kokuho.linkage_gateway.api.context import GatewayDep
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
from kokuho.linkage_gateway.app import intermediate
from kokuho.platform.audit import AuditTrail
from kokuho.platform.auth import StaffUser, require_roles
from kokuho.platform.idempotency import IdempotencyDep
from kokuho.platform.problems import Problem

router = APIRouter(prefix="/api/v1", tags=["intermediate server"])

INQUIRER = "linkage.ipn-inquirer"  # C-71: staff given IPN-inquiry permission
CONNECTOR = "linkage.ipn-connector"  # the intermediate-server connector delivering requests


@router.post("/ipn/inquiries", status_code=201)
async def make_inquiry(
    body: InquiryIn,
    user: Annotated[StaffUser, require_roles(INQUIRER)],
    gateway: GatewayDep,
    idem: IdempotencyDep,
    audit: AuditTrail,
) -> InquiryOut:
    """情報照会 for a pair on the permitted-inquiry list; refused before sending otherwise."""
    async with gateway.pool().acquire() as conn, conn.transaction():
        await idem.begin(conn)
        record = await intermediate.make_inquiry(
            PostgresLinkageRecords(conn),
            PostgresVault(conn),
            gateway.server,
            gateway.permits,
            inquiry_id=uuid4(),
            user_id=user.user_id,
            addressee_number=body.addressee_number,
            affair=body.affair,
            provider=body.provider,
            item=body.item,
            at=gateway.clock(),
        )
        out = InquiryOut(**dataclasses.asdict(record))
        await audit.record(
            subjects=[body.addressee_number],
            detail={
                "inquiry_id": str(record.inquiry_id),
                "legal_basis_row": record.legal_basis_row,
                "provider": body.provider,
                "item": body.item,
                "status": record.status,
            },
            status_code=201,
            conn=conn,
        )
        await idem.complete(conn, out, status_code=201)
    return out


@router.get("/ipn/inquiries/{inquiry_id}")
async def get_inquiry(
    inquiry_id: UUID,
    _user: Annotated[StaffUser, require_roles(INQUIRER, "auditor")],
    gateway: GatewayDep,
    audit: AuditTrail,
) -> InquiryOut:
    """An inquiry and its result; after the retention (C-77) the result is gone."""
    async with gateway.pool().acquire() as conn:
        record = await PostgresLinkageRecords(conn).inquiry(inquiry_id)
    if record is None:
        raise Problem(404, "not-found", detail="No such inquiry.")
    await audit.record(subjects=[record.addressee_number], detail={"inquiry_id": str(inquiry_id)})
    return InquiryOut(**dataclasses.asdict(record))


@router.post("/ipn/provision-requests", status_code=201)
async def receive_provision_request(
    body: ProvisionRequestIn,
    _user: Annotated[StaffUser, require_roles(CONNECTOR)],
    gateway: GatewayDep,
    idem: IdempotencyDep,
    audit: AuditTrail,
) -> ProvisionOut:
    """A provision request relayed by the intermediate server (C-80); flagged items are held
    for a person's approval (C-81); every provision is recorded (C-66)."""
    async with gateway.pool().acquire() as conn, conn.transaction():
        await idem.begin(conn)
        record = await intermediate.handle_provision_request(
            PostgresLinkageRecords(conn),
            gateway.permits,
            provision_id=uuid4(),
            requester=body.requester,
            integrated_addressee_number=body.integrated_addressee_number,
            item=body.item,
            at=gateway.clock(),
        )
        out = ProvisionOut(**dataclasses.asdict(record))
        await audit.record(
            subjects=[record.addressee_number],
            detail={
                "provision_id": str(record.provision_id),
                "requester": record.requester,
                "legal_basis_row": record.legal_basis_row,
                "item": record.item,
                "status": record.status,
            },
            status_code=201,
            conn=conn,
        )
        await idem.complete(conn, out, status_code=201)
    return out


@router.get("/provisions/held")
async def list_held_provisions(
    _user: Annotated[StaffUser, require_roles("linkage.operator")],
    gateway: GatewayDep,
    audit: AuditTrail,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ProvisionPage:
    async with gateway.pool().acquire() as conn:
        held = await PostgresLinkageRecords(conn).held_provisions(limit)
    await audit.record(subjects=sorted({p.addressee_number for p in held}))
    return ProvisionPage(items=[ProvisionOut(**dataclasses.asdict(p)) for p in held])


@router.post("/provisions/{provision_id}/approval")
async def approve_provision(
    provision_id: UUID,
    user: Annotated[StaffUser, require_roles("linkage.operator")],
    gateway: GatewayDep,
    idem: IdempotencyDep,
    audit: AuditTrail,
) -> ProvisionOut:
    """C-81: staff re-checked a held provision; it goes out with the approver recorded."""
    async with gateway.pool().acquire() as conn, conn.transaction():
        await idem.begin(conn)
        record = await intermediate.approve_provision(
            PostgresLinkageRecords(conn),
            provision_id=provision_id,
            user_id=user.user_id,
            at=gateway.clock(),
        )
        out = ProvisionOut(**dataclasses.asdict(record))
        await audit.record(
            subjects=[record.addressee_number],
            detail={"provision_id": str(provision_id), "approved": True},
            conn=conn,
        )
        await idem.complete(conn, out, status_code=200)
    return out


@router.get("/persons/{addressee_number}/replicas")
async def view_replicas(
    addressee_number: AddresseeNumber,
    _user: Annotated[StaffUser, require_roles("linkage.operator", "auditor")],
    gateway: GatewayDep,
    audit: AuditTrail,
) -> ReplicaPage:
    """C-83: the person's current replicas, for staff to view (read only; C-79)."""
    async with gateway.pool().acquire() as conn:
        rows = await conn.fetch(
            "SELECT item, content::text AS content, version, registered_version,"
            " integrated_addressee_number, updated_at FROM replicas"
            " WHERE addressee_number = $1 ORDER BY item",
            addressee_number,
        )
    await audit.record(subjects=[addressee_number], detail={"replicas": len(rows)})
    return ReplicaPage(
        addressee_number=addressee_number,
        items=[ReplicaOut(**{**dict(r), "content": json.loads(r["content"])}) for r in rows],
    )


@router.get("/replicas/reconciliation")
async def replica_reconciliation(
    _user: Annotated[StaffUser, require_roles("linkage.operator", "auditor")],
    gateway: GatewayDep,
    audit: AuditTrail,
) -> ReconciliationOut:
    """C-84: the replicas at the intermediate server against our originals."""
    async with gateway.pool().acquire() as conn:
        differences = await intermediate.reconciliation(
            PostgresLinkageRecords(conn), gateway.server
        )
        # The differences show persons' replica contents: the audit names whose (C-45).
        subjects = await conn.fetch(
            "SELECT addressee_number FROM integrated_addressee"
            " WHERE integrated_addressee_number = ANY($1::text[])",
            sorted({d.key[0] for d in differences}),
        )
    await audit.record(
        subjects=sorted(r["addressee_number"] for r in subjects),
        detail={"differences": len(differences)},
    )
    return ReconciliationOut(
        checked_at=gateway.clock(),
        differences=[
            DifferenceOut(
                integrated_addressee_number=d.key[0],
                item=d.key[1],
                kind=d.kind,
                original=dict(d.original) if d.original is not None else None,
                replica=dict(d.replica) if d.replica is not None else None,
            )
            for d in differences
        ],
    )
