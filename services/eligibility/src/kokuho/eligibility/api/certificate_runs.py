"""The bulk certificate run (batch operators) and the basis of a member's document (clerks):
who gets a 資格確認書 and who a 資格情報のお知らせ (SF-Q06, SF-Q08; ADR 0017)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, cast
from uuid import UUID

from fastapi import APIRouter, Request

from kokuho.eligibility.adapters.print_files import PrintFiles
from kokuho.eligibility.api.deps import (
    AddresseeNumber,
    BatchOperator,
    EligibilityDep,
    ReadDep,
    Staff,
    UnitsDep,
    WriteDep,
)
from kokuho.eligibility.app import certificate_runs as runs
from kokuho.eligibility.config import Settings
from kokuho.eligibility.domain.certificate_choice import CertificateBasis, choose_certificate
from kokuho.eligibility.parameters.renewal import load_renewal
from kokuho.platform.models import ResponseModel
from kokuho.platform.problems import Problem
from kokuho.platform.service import kit_of

router = APIRouter(prefix="/api/v1", tags=["eligibility"])


class CertificateBasisOut(ResponseModel):
    addressee_number: str
    card_status: str | None
    card_status_as_of: date | None
    e_certificate_expires_on: date | None
    dv_support: bool
    on_application: bool
    kind: str
    reason: str

    @classmethod
    def of(cls, addressee_number: str, row: dict[str, Any] | None, on: date) -> CertificateBasisOut:
        row = row or {}
        basis = CertificateBasis(
            row.get("card_status"),
            row.get("e_certificate_expires_on"),
            bool(row.get("dv_support")),
            bool(row.get("on_application")),
        )
        choice = choose_certificate(basis, on, load_renewal().grace_months)
        return cls(
            addressee_number=addressee_number,
            card_status=basis.card_status,
            card_status_as_of=row.get("card_status_as_of"),
            e_certificate_expires_on=basis.e_certificate_expires_on,
            dv_support=basis.dv_support,
            on_application=basis.on_application,
            kind=choice.kind,
            reason=choice.reason,
        )


class PrintFileOut(ResponseModel):
    name: str
    certificates: int


class CertificateRunOut(ResponseModel):
    run_id: UUID
    renewal: str
    issue_date: date
    valid_until: date
    status: str
    candidates: int
    issued: int
    kept: int
    refused: int
    print_files: int
    finished_at: str | None = None


def _run_out(row: dict[str, Any]) -> CertificateRunOut:
    finished = row.get("finished_at")
    return CertificateRunOut(
        run_id=row["run_id"],
        renewal=row["renewal"],
        issue_date=row["issue_date"],
        valid_until=row["valid_until"],
        status=row["status"],
        candidates=row["candidates"],
        issued=row["issued_total"],
        kept=row["kept"],
        refused=row["refused"],
        print_files=row["print_files"],
        finished_at=finished.isoformat() if finished else None,
    )


@router.post("/persons/{addressee_number}/certificate-basis")
async def record_certificate_basis(
    addressee_number: AddresseeNumber,
    body: runs.CertificateBasisIn,
    user: Staff,
    ports: EligibilityDep,
    write: WriteDep,
) -> CertificateBasisOut:
    """Record 住基 DV support or a 要配慮者's application for a 資格確認書 (or their end): the
    member then gets a 資格確認書 whatever the card."""
    return await write.run(
        lambda uow: runs.record_basis(uow, addressee_number, body.dv_support, body.on_application),
        lambda row: CertificateBasisOut.of(addressee_number, row, ports.today()),
    )


@router.get("/persons/{addressee_number}/certificate-basis")
async def get_certificate_basis(
    addressee_number: AddresseeNumber, user: Staff, ports: EligibilityDep, read: ReadDep
) -> CertificateBasisOut:
    """The member's basis and the document the rule gives today."""
    return await read.run(
        lambda uow: runs.basis_of(uow, addressee_number),
        lambda row: CertificateBasisOut.of(addressee_number, row, ports.today()),
    )


@router.post("/jobs/certificates")
async def run_certificates(
    request: Request,
    user: BatchOperator,
    ports: EligibilityDep,
    units: UnitsDep,
    read: ReadDep,
) -> CertificateRunOut:
    """The bulk renewal of certificate_renewal.toml: issue every member's document unless held,
    then the print files; an unfinished run of the renewal is resumed. The city-scale run is
    the ``certificates`` command (same code)."""
    settings = kit_of(request).settings
    assert isinstance(settings, Settings)
    if settings.print_dir is None:
        raise Problem(
            409,
            "print-directory-not-configured",
            detail="KOKUHO_ELIGIBILITY_PRINT_DIR is not set: the run has nowhere to print",
        )
    result = await runs.run_renewal(
        cast("Callable[[], runs.CertificateUnit]", units),  # the service's unit has them
        ports,
        load_renewal(),
        user.user_id,
        PrintFiles(settings.print_dir),
    )
    return await read.run(
        lambda uow: runs.record_run(uow, result),
        _run_out,
    )


@router.get("/certificate-runs/{run_id}")
async def get_certificate_run(
    run_id: UUID, user: BatchOperator, read: ReadDep
) -> CertificateRunOut:
    """A run's progress: members seen, documents issued, kept, refused, print files."""
    return await read.run(
        lambda uow: runs.run_of(uow, run_id),
        _run_out,
    )
