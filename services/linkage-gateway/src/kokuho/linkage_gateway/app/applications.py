"""E-application intake (C-12): verify, convert, store, publish without the number."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from kokuho.events.contracts.linkage_gateway import EApplicationAccepted
from kokuho.linkage_gateway.app.ports import (
    ApplicationRecord,
    ApplicationRecords,
    NumberSealer,
    ResidentRecords,
    SignatureVerifier,
    SignedApplication,
    VaultRepository,
)
from kokuho.linkage_gateway.domain.applications import (
    ApplicationRejected,
    de_identified_answers,
    procedure_of,
)
from kokuho.linkage_gateway.domain.individual_number import (
    IndividualNumber,
    InvalidIndividualNumber,
)

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
        addressee = await residents.addressee_of_certificate(serial)
        if addressee is None:
            raise ApplicationRejected("unknown-certificate", "no resident holds this certificate")
        try:
            data = json.loads(application.payload)
            number = IndividualNumber(str(data.get("individual_number", "")))
        except (ValueError, AttributeError, InvalidIndividualNumber) as exc:
            reason = exc.reason if isinstance(exc, InvalidIndividualNumber) else "not JSON"
            raise ApplicationRejected("malformed-payload", reason) from None
        binding = await vault.binding_of(addressee)
        if binding is None:
            raise ApplicationRejected("number-not-bound", "the person has no bound number")
        if binding.number_index != sealer.index(number):
            raise ApplicationRejected(
                "number-mismatch", "the number does not match the person's bound number"
            )
        integrated = binding.integrated_addressee_number
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
