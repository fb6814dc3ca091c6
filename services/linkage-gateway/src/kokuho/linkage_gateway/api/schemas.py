"""Request and response bodies. The individual number comes in only in a request body and goes
out only masked (api.md; C-18)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, StringConstraints

from kokuho.linkage_gateway.app.federation_records import StoredDifference
from kokuho.linkage_gateway.app.records import TransferRecord
from kokuho.linkage_gateway.domain.intermediate import Difference
from kokuho.platform.models import (
    FileContent,
    RequestModel,
    ResponseModel,
    TakesIndividualNumber,
)

# The identifier formats every service shares (libs/events contracts eligibility.py): ASCII
# digits only, so full-width digits, letters and signs are refused with a 422 naming the field.
AddresseeNumber = Annotated[
    str, StringConstraints(pattern=r"^[0-9]{10}$"), Field(description="宛名番号")
]
IntegratedAddresseeNumber = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{16}$"),
    Field(description="統合宛名番号 (16 digits, as the vault issues it)"),
]
Affair = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9-]*$")
]
ItemName = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_-]*$")
]
# Only the shape here; the check digit is the domain's (a named 422 when it fails).
RawIndividualNumber = Annotated[
    str, StringConstraints(pattern=r"^[0-9]{12}$"), TakesIndividualNumber
]


class _In(RequestModel):
    """Closed, frozen, no control characters (the platform's request base)."""


class NumberRegistrationIn(_In):
    addressee_number: AddresseeNumber
    # Blank is let through to the handler: C-17 puts a blank number on the confirmation list.
    individual_number: Annotated[
        str, StringConstraints(pattern=r"^([0-9]{12})?$"), TakesIndividualNumber
    ] = Field(repr=False)
    affair: Affair = "nhi-eligibility"


class NumberRegistrationOut(ResponseModel):
    addressee_number: str
    individual_number_masked: str
    bound_at: datetime
    created: bool


class ResolutionOut(ResponseModel):
    addressee_number: str
    integrated_addressee_number: str
    individual_number_masked: str
    affair: str
    legal_basis: str
    deceased: bool


class LookupIn(_In):
    individual_number: RawIndividualNumber = Field(repr=False)
    affair: Affair


class VerificationIn(_In):
    addressee_number: AddresseeNumber
    individual_number: RawIndividualNumber = Field(repr=False)
    affair: Affair = "nhi-eligibility"


class VerificationOut(ResponseModel):
    """Match or mismatch only; the number is not echoed, not even masked (C-22)."""

    addressee_number: str
    affair: str
    match: bool


class LookupOut(ResponseModel):
    addressee_number: str
    individual_number_masked: str


class ConfirmationOut(ResponseModel):
    id: int
    addressee_number: str
    rule: str
    reported_at: datetime
    reported_by: str


class ConfirmationPage(ResponseModel):
    items: list[ConfirmationOut]
    next_cursor: str | None


class InquiryIn(_In):
    addressee_number: AddresseeNumber
    affair: Affair
    provider: Affair
    item: Affair


class InquiryOut(ResponseModel):
    inquiry_id: UUID
    requested_by: str
    requested_at: datetime
    affair: str
    provider: str
    item: str
    legal_basis_row: str
    addressee_number: str
    status: str
    result: dict[str, Any] | None
    completed_at: datetime | None
    result_deleted_at: datetime | None


class ProvisionRequestIn(_In):
    requester: Affair
    integrated_addressee_number: IntegratedAddresseeNumber
    item: Affair


class ProvisionOut(ResponseModel):
    provision_id: UUID
    requester: str
    item: str
    legal_basis_row: str
    addressee_number: str
    requested_at: datetime
    status: str
    provided_at: datetime | None
    approved_by: str | None


class ProvisionPage(ResponseModel):
    items: list[ProvisionOut]


class ReplicaOut(ResponseModel):
    """One replica as we hold it (the original) and what was registered of it (C-83)."""

    item: str
    content: dict[str, Any]
    version: int
    registered_version: int
    #: None while the person's number is not yet bound (the replica waits)
    integrated_addressee_number: str | None
    updated_at: datetime


class ReplicaPage(ResponseModel):
    addressee_number: str
    items: list[ReplicaOut]


class DifferenceOut(ResponseModel):
    integrated_addressee_number: str
    item: str
    kind: str
    original: dict[str, Any] | None
    replica: dict[str, Any] | None

    @classmethod
    def of(cls, d: Difference) -> DifferenceOut:
        return cls(
            integrated_addressee_number=d.key[0],
            item=d.key[1],
            kind=d.kind,
            original=dict(d.original) if d.original is not None else None,
            replica=dict(d.replica) if d.replica is not None else None,
        )


class ReconciliationOut(ResponseModel):
    checked_at: datetime
    differences: list[DifferenceOut]


class TransmissionOut(ResponseModel):
    id: int
    file_name: str
    sequence: int
    record_count: int
    sha256: str
    sent_by: str
    status: str
    prepared_at: datetime
    receipt: str | None
    sent_at: datetime | None


class TransmissionPage(ResponseModel):
    items: list[TransmissionOut]


class ContinuationFileIn(_In):
    file_name: Annotated[
        str, StringConstraints(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9._-]+$")
    ]
    # The federation's file: its parser refuses a number line by line (C-19, ADR 0021).
    content: Annotated[str, StringConstraints(min_length=1, max_length=5_000_000), FileContent]


class ContinuationReceiptOut(ResponseModel):
    file_id: int
    records: int
    differences: int


class DifferenceItem(ResponseModel):
    id: int
    file_id: int
    file_date: date
    addressee_number: str
    insured_number: str
    kind: str
    federation_acquisition_date: date
    federation_loss_date: date | None
    our_acquisition_date: date | None
    our_loss_date: date | None
    status: str
    decided_by: str | None

    @classmethod
    def of(cls, stored: StoredDifference) -> DifferenceItem:
        x = stored.difference
        return cls(
            id=stored.id,
            file_id=stored.file_id,
            file_date=stored.file_date,
            addressee_number=x.addressee_number,
            insured_number=x.insured_number,
            kind=x.kind,
            federation_acquisition_date=x.federation_acquisition_date,
            federation_loss_date=x.federation_loss_date,
            our_acquisition_date=x.our_acquisition_date,
            our_loss_date=x.our_loss_date,
            status=stored.status,
            decided_by=stored.decided_by,
        )


class DifferencePage(ResponseModel):
    items: list[DifferenceItem]
    next_cursor: str | None


class TransmissionResult(ResponseModel):
    sent: bool
    transmission: TransmissionOut | None


class IntakeResultOut(ResponseModel):
    receipt_number: str
    status_code: str
    reason: str


class IntakeRunOut(ResponseModel):
    results: list[IntakeResultOut]


class ApplicationOut(ResponseModel):
    receipt_number: str
    procedure_code: str
    procedure_name: str
    applied_at: datetime
    status_code: str
    status_reason: str
    addressee_number: str | None
    received_at: datetime


class TransferIn(_In):
    flow_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    recipient: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    method: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    items: Annotated[list[ItemName], Field(min_length=1, max_length=10)]
    addressee_numbers: Annotated[list[AddresseeNumber], Field(min_length=1, max_length=1000)]


class TransferOut(ResponseModel):
    transfer_id: UUID
    flow_id: str
    recipient: str
    legal_basis: str
    items: list[str]
    method: str
    subject_count: int
    requested_by: str
    status: str
    delivered_at: datetime | None
    receipt: str | None

    @classmethod
    def of(cls, record: TransferRecord) -> TransferOut:
        return cls(
            transfer_id=record.transfer_id,
            flow_id=record.flow_id,
            recipient=record.recipient,
            legal_basis=record.legal_basis,
            items=list(record.items),
            method=record.method,
            subject_count=len(record.subjects),
            requested_by=record.requested_by,
            status=record.status,
            delivered_at=record.delivered_at,
            receipt=record.receipt,
        )


class DriftOut(ResponseModel):
    recipient: str
    method: str
    reason: str


class DriftReport(ResponseModel):
    registry_version: str
    drift: list[DriftOut]


class CarryOverReceiptOut(ResponseModel):
    households: int


class ClaimsFileIn(_In):
    """The federation's monthly claims file (KKH-RZP), handed on to benefits (ADR 0084)."""

    file_name: Annotated[
        str, StringConstraints(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9._-]+$")
    ]
    # Screened here for individual numbers (C-19); benefits validates every line.
    content: Annotated[str, StringConstraints(min_length=1, max_length=64_000_000), FileContent]


class ClaimsFetchIn(_In):
    """Which month's claims file to fetch from the federation (its processing month)."""

    processing_month: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")]


class ClaimsDeliveryOut(ResponseModel):
    """A claims file's delivery to benefits: ``prepared`` (sent, no answer yet), ``delivered``
    (benefits' receipt) or ``refused`` (benefits refused it whole)."""

    sha256: str
    file_name: str
    file_date: date
    month: str
    lines: int
    status: str
    received_by: str
    received_at: datetime
    recipient: str
    delivered_at: datetime | None
    receipt: dict[str, Any] | None
