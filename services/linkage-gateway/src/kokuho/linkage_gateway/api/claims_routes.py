"""The federation's monthly claims file (KKH-RZP), handed on to benefits (ADR 0084), and the
record of those deliveries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kokuho.linkage_gateway.api.deps import (
    GatewayDep,
    ReadDep,
    Sender,
    SenderOrAuditor,
    UnitsDep,
    WriteDep,
)
from kokuho.linkage_gateway.api.federation_routes import rejected_file
from kokuho.linkage_gateway.api.schemas import ClaimsDeliveryOut, ClaimsFetchIn, ClaimsFileIn
from kokuho.linkage_gateway.app import claims_files
from kokuho.linkage_gateway.domain.federation import FileRejected
from kokuho.platform.problems import FieldError, Problem

router = APIRouter(prefix="/api/v1/federation", tags=["federation"])


@router.post("/claims-files", status_code=201)
async def forward_claims_file(
    body: ClaimsFileIn, user: Sender, ports: GatewayDep, units: UnitsDep, write: WriteDep
) -> ClaimsDeliveryOut:
    """The monthly KKH-RZP file: screened (header, no individual number: 422
    ``federation-file-rejected``), recorded, and handed to benefits' claim imports as the
    gateway's service principal. 201 with benefits' receipt; 422 ``claims-file-refused`` with
    every line benefits refused (nothing applied); 409 for a file delivered before; 503 when
    benefits does not answer or is not configured (the delivery stays ``prepared``)."""
    command = claims_files.ForwardClaims(body.file_name, body.content, user.user_id, ports.clock())
    try:
        return await write.run(
            lambda _uow: claims_files.forward_claims_file(units, ports.benefits, command),
            ClaimsDeliveryOut.model_validate,
            status_code=201,
            audited=False,  # both phases are audited by the use case in their own transactions
        )
    except FileRejected as rejected:
        raise rejected_file(body.file_name, rejected) from None
    except claims_files.ClaimsFileRefusedByBenefits as refused:
        raise _refused(body.file_name, refused) from None


def _refused(what: str, refused: claims_files.ClaimsFileRefusedByBenefits) -> Problem:
    return Problem(
        422,
        "claims-file-refused",
        detail=f"{what}: benefits refused the file; nothing of it was applied.",
        errors=[
            FieldError(pointer=f"/body/content/line/{e.line}", reason=e.reason)
            for e in refused.errors[:1000]
        ],
    )


@router.post("/claims-files/fetches", status_code=201)
async def fetch_claims_file(
    body: ClaimsFetchIn, user: Sender, ports: GatewayDep, units: UnitsDep, write: WriteDep
) -> ClaimsDeliveryOut:
    """Fetch the month's KKH-RZP file from the federation and hand it on as
    ``POST /claims-files`` does (the same answers); 404 ``claims-file-not-available`` while
    the federation has none; 503 ``counterpart-unavailable`` when it does not answer."""
    command = claims_files.FetchClaims(body.processing_month, user.user_id, ports.clock())
    try:
        return await write.run(
            lambda _uow: claims_files.fetch_claims_file(
                units, ports.federation, ports.benefits, command
            ),
            ClaimsDeliveryOut.model_validate,
            status_code=201,
            audited=False,  # audited by the use case (both phases), or nothing fetched
        )
    except FileRejected as rejected:
        raise rejected_file(
            claims_files.claims_file_name(body.processing_month), rejected
        ) from None
    except claims_files.ClaimsFileRefusedByBenefits as refused:
        raise _refused(body.processing_month, refused) from None


@router.get("/claims-files")
async def list_claims_files(
    _user: SenderOrAuditor,
    units: UnitsDep,
    read: ReadDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[ClaimsDeliveryOut]:
    """The claims files handed to benefits, newest first."""
    return await read.run(
        lambda _uow: claims_files.list_deliveries(units, limit),
        lambda found: [ClaimsDeliveryOut.model_validate(d) for d in found],
        audited=False,
    )
