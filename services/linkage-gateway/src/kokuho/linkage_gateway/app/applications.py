"""E-application intake (C-12): fetch from the portal, verify, convert, store, publish without
the number, tell the portal. One transaction per application; the portal is told after the
commit (an application taken before but not told is told again, not taken twice)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kokuho.events.contracts.linkage_gateway import EApplicationAccepted
from kokuho.linkage_gateway.app.ports import (
    GatewayUnitPort,
    NumberSealer,
    Ports,
    ResidentRecords,
    SignatureVerifier,
    SignedApplication,
    UnitOpener,
)
from kokuho.linkage_gateway.app.records import (
    ApplicationRecord,
    ApplicationRecords,
    VaultRepository,
)
from kokuho.linkage_gateway.domain.applications import (
    ApplicationRejected,
    certificate_holder,
    de_identified_answers,
    procedure_of,
)
from kokuho.linkage_gateway.domain.individual_number import (
    IndividualNumber,
    InvalidIndividualNumber,
)
from kokuho.platform.audit import Outcome
from kokuho.platform.errors import DomainError

ACCEPTED = "accepted"


@dataclass(frozen=True)
class IntakeResult:
    receipt_number: str
    status_code: str
    reason: str
    #: whose application it was, once the certificate was converted (for the audit's subjects)
    addressee_number: str | None = None


async def take_application(
    application: SignedApplication,
    *,
    verifier: SignatureVerifier,
    residents: ResidentRecords,
    vault: VaultRepository,
    sealer: NumberSealer,
    records: ApplicationRecords,
    at: datetime,
) -> IntakeResult:
    """Accept or reject one application; either way it is recorded (AM table)."""
    serial: str | None = None
    addressee: str | None = None
    integrated: str | None = None
    procedure_name = ""
    try:
        procedure = procedure_of(application.procedure_code)
        procedure_name = procedure.name
        check = verifier.verify(application, at)
        serial = check.certificate_serial
        if not check.valid:
            raise ApplicationRejected("signature-invalid", check.reason)
        assert serial is not None
        addressee = certificate_holder(await residents.addressee_of_certificate(serial))
        integrated, data = await _holder_checked(application.payload, addressee, vault, sealer)
        answers = de_identified_answers(procedure, data.get("answers") or {})
        status, reason = ACCEPTED, ""
    except ApplicationRejected as rejected:
        status, reason = rejected.code, rejected.reason
    await records.save(
        ApplicationRecord(
            receipt_number=application.receipt_number,
            procedure_code=application.procedure_code,
            procedure_name=procedure_name,
            applied_at=application.applied_at,
            status_code=status,
            status_reason=reason,
            addressee_number=addressee,
            integrated_addressee_number=integrated,
            user_auth_certificate_serial=serial,
            received_at=at,
        )
    )
    if status == ACCEPTED:
        assert addressee is not None
        await records.publish(
            EApplicationAccepted(
                receipt_number=application.receipt_number,
                procedure_code=procedure.code,
                affair=procedure.affair,
                addressee_number=addressee,
                applied_at=application.applied_at,
                answers=answers,
            )
        )
    return IntakeResult(application.receipt_number, status, reason, addressee)


async def _holder_checked(
    payload: bytes, addressee: str, vault: VaultRepository, sealer: NumberSealer
) -> tuple[str, Any]:
    """The payload's number must be the person's bound number: (integrated addressee number,
    the payload's data)."""
    try:
        data = json.loads(payload)
        number = IndividualNumber(str(data.get("individual_number", "")))
    except (ValueError, AttributeError, InvalidIndividualNumber) as exc:
        reason = exc.reason if isinstance(exc, InvalidIndividualNumber) else "not JSON"
        raise ApplicationRejected("malformed-payload", reason) from None
    binding = await vault.binding_of(addressee)
    if binding is None:
        raise ApplicationRejected("number-not-bound", "the person has no bound number")
    if not sealer.matches(binding.number_index, number):
        raise ApplicationRejected(
            "number-mismatch", "the number does not match the person's bound number"
        )
    return binding.integrated_addressee_number, data


INTAKE_OPERATION = "e-application intake"


class ApplicationNotFound(DomainError):
    status = 404
    slug = "not-found"

    def __init__(self) -> None:
        super().__init__("No such application.")


async def application(uow: GatewayUnitPort, receipt_number: str) -> ApplicationRecord:
    """An application's record (AM table; no individual number)."""
    async with uow:
        record = await uow.applications.record_of(receipt_number)
        if record is None:
            raise ApplicationNotFound()
        subjects = [record.addressee_number] if record.addressee_number else []
        await uow.audit.record(subjects=subjects)
        return record


async def run_intake(open_unit: UnitOpener, ports: Ports, *, at: datetime) -> list[IntakeResult]:
    """Take every new application; each is audited, accepted or refused, in its own
    transaction (the unit's trail: the staff user, or the scheduled job)."""
    results = []
    for application in await ports.portal.fetch_new():
        async with open_unit() as uow:
            known = await uow.applications.status_of(application.receipt_number)
            result = None if known else await _take_and_audit(uow, ports, application, at)
        if result is None:
            assert known is not None
            # Taken before, but the portal was not told (a crash after the commit).
            await ports.portal.update_status(application.receipt_number, *known)
            continue
        await ports.portal.update_status(result.receipt_number, result.status_code, result.reason)
        results.append(result)
    return results


async def _take_and_audit(
    uow: GatewayUnitPort, ports: Ports, application: SignedApplication, at: datetime
) -> IntakeResult:
    result = await take_application(
        application,
        verifier=ports.signatures,
        residents=ports.residents,
        vault=uow.vault,
        sealer=ports.sealer,
        records=uow.applications,
        at=at,
    )
    await uow.audit.record(
        operation=INTAKE_OPERATION,
        subjects=[result.addressee_number] if result.addressee_number else [],
        outcome=Outcome.ALLOWED if result.status_code == ACCEPTED else Outcome.FAILED,
        detail={
            "receipt_number": result.receipt_number,
            "status": result.status_code,
            "reason": result.reason,
        },
    )
    return result
