"""E-application intake routes (申請管理, C-12)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from kokuho.linkage_gateway.adapters.postgres_applications import run_intake
from kokuho.linkage_gateway.api.context import GatewayDep
from kokuho.linkage_gateway.api.schemas import (
    ApplicationOut,
    IntakeResultOut,
    IntakeRunOut,
)
from kokuho.platform.audit import AuditTrail, Outcome
from kokuho.platform.auth import StaffUser, require_roles
from kokuho.platform.problems import Problem

router = APIRouter(prefix="/api/v1/e-applications", tags=["e-applications"])


@router.post("/intake-runs", status_code=201)
async def run_e_application_intake(
    _user: Annotated[StaffUser, require_roles("batch.operator", "linkage.operator")],
    gateway: GatewayDep,
    audit: AuditTrail,
) -> IntakeRunOut:
    """Fetch new signed applications from the portal, verify each (C-12), store it, publish the
    accepted ones without the individual number, and tell the portal. Every application taken
    is audited, accepted or refused."""
    results = await run_intake(
        gateway.pool(),
        gateway.portal,
        verifier=gateway.signatures,
        residents=gateway.residents,
        sealer=gateway.sealer,
        at=gateway.clock(),
    )
    for r in results:
        await audit.record(
            "e-application intake",
            subjects=[r.addressee_number] if r.addressee_number else [],
            outcome=Outcome.ALLOWED if r.status_code == "accepted" else Outcome.FAILED,
            detail={
                "receipt_number": r.receipt_number,
                "status": r.status_code,
                "reason": r.reason,
            },
        )
    return IntakeRunOut(
        results=[
            IntakeResultOut(
                receipt_number=r.receipt_number, status_code=r.status_code, reason=r.reason
            )
            for r in results
        ]
    )


@router.get("/{receipt_number}")
async def get_e_application(
    receipt_number: Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9-]+$")],
    _user: Annotated[StaffUser, require_roles("linkage.operator", "auditor")],
    gateway: GatewayDep,
    audit: AuditTrail,
) -> ApplicationOut:
    async with gateway.pool().acquire() as conn:
        row = await conn.fetchrow(
            "SELECT receipt_number, procedure_code, procedure_name, applied_at, status_code,"
            " status_reason, addressee_number, received_at FROM applications"
            " WHERE receipt_number = $1",
            receipt_number,
        )
    if row is None:
        raise Problem(404, "not-found", detail="No such application.")
    out = ApplicationOut(**dict(row))
    await audit.record(subjects=[out.addressee_number] if out.addressee_number else [])
    return out
