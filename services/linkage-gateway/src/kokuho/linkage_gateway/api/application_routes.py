"""E-application intake routes (申請管理, C-12)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from kokuho.linkage_gateway.api.deps import Auditor, GatewayDep, ReadDep, Sender, UnitsDep
from kokuho.linkage_gateway.api.schemas import ApplicationOut, IntakeResultOut, IntakeRunOut
from kokuho.linkage_gateway.app import applications

router = APIRouter(prefix="/api/v1/e-applications", tags=["e-applications"])


@router.post("/intake-runs", status_code=201)
async def run_e_application_intake(
    _user: Sender, ports: GatewayDep, units: UnitsDep
) -> IntakeRunOut:
    """Fetch new signed applications from the portal, verify each (C-12), store it, publish the
    accepted ones without the individual number, and tell the portal. Every application taken
    is audited, accepted or refused, in its own transaction (so no single write context)."""
    results = await applications.run_intake(units, ports, at=ports.clock())
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
    _user: Auditor,
    read: ReadDep,
) -> ApplicationOut:
    return await read.run(
        lambda uow: applications.application(uow, receipt_number), ApplicationOut.model_validate
    )
