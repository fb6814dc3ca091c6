"""``/api/v1/claim-imports`` (the federation's monthly claims file, all or nothing) and
``/api/v1/households/{n}/claims/{month}`` (a household's claims of a treatment month)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from kokuho.benefits.api.deps import Importer, ReadDep, Reader, WriteDep
from kokuho.benefits.api.high_cost_schemas import MONTH, ClaimImportIn, ClaimImportOut, ClaimOut
from kokuho.benefits.app import claims
from kokuho.benefits.domain.claims import ClaimsFileRefused, month_of
from kokuho.platform.problems import FieldError, Problem

router = APIRouter(prefix="/api/v1", tags=["claims"])

HouseholdNumber = Annotated[str, Path(pattern=r"^[0-9]{10}$", description="国保世帯番号")]
Month = Annotated[str, Path(pattern=MONTH, description="診療月 YYYY-MM")]


def refused_file(refused: ClaimsFileRefused) -> Problem:
    return Problem(
        422,
        "claims-file-refused",
        detail=str(refused),
        errors=[
            FieldError(pointer=f"/body/content/line/{e.line}", reason=e.reason)
            for e in refused.errors[:1000]
        ],
    )


@router.post("/claim-imports", status_code=201)
async def import_claims(body: ClaimImportIn, user: Importer, write: WriteDep) -> ClaimImportOut:
    """The federation's monthly claims file (KKH-RZP, README "Claims file"), sent by
    linkage-gateway or an operator: 201 with the counts; a bad line refuses the whole file
    (422 ``claims-file-refused``, every line's number and reason, nothing applied); the same
    file again is 409 ``claims-file-already-received``."""
    command = claims.ImportClaims(body.file_name, body.content, user.user_id)
    try:
        return await write.run(
            lambda uow: claims.import_claims(uow, command), ClaimImportOut.of, status_code=201
        )
    except ClaimsFileRefused as refused:
        raise refused_file(refused) from None


@router.get("/households/{nhi_household_number}/claims/{treatment_month}")
async def read_claims(
    nhi_household_number: HouseholdNumber, treatment_month: Month, user: Reader, read: ReadDep
) -> list[ClaimOut]:
    month = month_of(treatment_month)
    assert month is not None
    return await read.run(
        lambda uow: claims.read_claims(uow, nhi_household_number, month),
        lambda found: [ClaimOut.of(c) for c in found],
    )
