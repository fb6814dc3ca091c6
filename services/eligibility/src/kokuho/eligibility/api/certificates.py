"""Certificates: issue (a document at once, a record pending a second clerk), collect, read,
and the Japanese PDF."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from kokuho.eligibility.adapters.pdf import render_certificate
from kokuho.eligibility.api.deps import EligibilityDep, HouseholdNumber, ReadDep, Staff, WriteDep
from kokuho.eligibility.api.schemas import CertificateIn, CertificateOut, ChangeOut, CollectIn
from kokuho.eligibility.app import certificates, views

router = APIRouter(prefix="/api/v1", tags=["eligibility"])


@router.post("/households/{household_number}/certificates", status_code=201)
async def issue_certificate(
    household_number: HouseholdNumber,
    body: CertificateIn,
    user: Staff,
    ports: EligibilityDep,
    write: WriteDep,
) -> ChangeOut:
    """Issue or reissue 資格確認書, 資格情報のお知らせ or 高齢受給者証 (acts at once), or enter
    the record of a 限度額適用認定証 / 減額認定証 / 特定疾病療養受療証 (pending until a second
    clerk confirms it, C-11)."""
    command = certificates.IssueCertificate(household_number, body, user.user_id)
    return await write.run(
        lambda uow: certificates.issue_certificate(uow, ports, command),
        ChangeOut.of,
        status_code=201,
    )


@router.post("/households/{household_number}/certificates/{certificate_id}/collect")
async def collect_certificate(
    household_number: HouseholdNumber,
    certificate_id: UUID,
    body: CollectIn,
    user: Staff,
    ports: EligibilityDep,
    write: WriteDep,
) -> ChangeOut:
    command = certificates.CollectCertificate(
        household_number, str(certificate_id), body, user.user_id
    )
    return await write.run(
        lambda uow: certificates.collect_certificate(uow, ports, command), ChangeOut.of
    )


@router.get("/certificates/{certificate_id}")
async def get_certificate(certificate_id: UUID, user: Staff, read: ReadDep) -> CertificateOut:
    return await read.run(
        lambda uow: views.certificate(uow, certificate_id), CertificateOut.model_validate
    )


@router.get(
    "/certificates/{certificate_id}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def get_certificate_pdf(certificate_id: UUID, user: Staff, read: ReadDep) -> Response:
    pdf = await read.run(
        lambda uow: views.certificate(uow, certificate_id, rendered=True), render_certificate
    )
    return Response(pdf, media_type="application/pdf")
