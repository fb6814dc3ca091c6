"""Request and response bodies. The individual number comes in only in a request body and goes
out only masked (api.md; C-18)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

AddresseeNumber = Annotated[
    str, StringConstraints(min_length=1, max_length=32, pattern=r"^[0-9A-Za-z-]+$")
]
Affair = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9-]*$")
]
ItemName = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_-]*$")
]
# Only the shape here; the check digit is the domain's (a named 422 when it fails).
RawIndividualNumber = Annotated[str, StringConstraints(pattern=r"^[0-9]{12}$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NumberRegistrationIn(_In):
    addressee_number: AddresseeNumber
    # Blank is let through to the handler: C-17 puts a blank number on the confirmation list.
    individual_number: Annotated[str, StringConstraints(pattern=r"^([0-9]{12})?$")] = Field(
        repr=False
    )
    affair: Affair = "nhi-eligibility"


class NumberRegistrationOut(BaseModel):
    addressee_number: str
    individual_number_masked: str
    bound_at: datetime
    created: bool


class ResolutionOut(BaseModel):
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


class VerificationOut(BaseModel):
    """Match or mismatch only; the number is not echoed, not even masked (C-22)."""

    addressee_number: str
    affair: str
    match: bool


class LookupOut(BaseModel):
    addressee_number: str
    individual_number_masked: str


class ConfirmationOut(BaseModel):
    id: int
    addressee_number: str
    rule: str
    reported_at: datetime
    reported_by: str


class ConfirmationPage(BaseModel):
    items: list[ConfirmationOut]
    next_cursor: str | None


class InquiryIn(_In):
    addressee_number: AddresseeNumber
    affair: Affair
    provider: Affair
    item: Affair


class InquiryOut(BaseModel):
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
    integrated_addressee_number: Annotated[str, StringConstraints(pattern=r"^[0-9]{16}$")]
    item: Affair


class ProvisionOut(BaseModel):
    provision_id: UUID
    requester: str
    item: str
    legal_basis_row: str
    addressee_number: str
    requested_at: datetime
    status: str
    provided_at: datetime | None
    approved_by: str | None


class ProvisionPage(BaseModel):
    items: list[ProvisionOut]


class ReplicaOut(BaseModel):
    """One replica as we hold it (the original) and what was registered of it (C-83)."""

    item: str
    content: dict[str, Any]
    version: int
    registered_version: int
    #: None while the person's number is not yet bound (the replica waits)
    integrated_addressee_number: str | None
    updated_at: datetime


class ReplicaPage(BaseModel):
    addressee_number: str
    items: list[ReplicaOut]


class DifferenceOut(BaseModel):
    integrated_addressee_number: str
    item: str
    kind: str
    original: dict[str, Any] | None
    replica: dict[str, Any] | None


class ReconciliationOut(BaseModel):
    checked_at: datetime
    differences: list[DifferenceOut]


class TransmissionOut(BaseModel):
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


class TransmissionPage(BaseModel):
    items: list[TransmissionOut]


class ContinuationFileIn(_In):
    file_name: Annotated[
        str, StringConstraints(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9._-]+$")
    ]
    content: Annotated[str, StringConstraints(min_length=1, max_length=5_000_000)]


class ContinuationReceiptOut(BaseModel):
    file_id: int
    records: int
    differences: int


class DifferenceItem(BaseModel):
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


class DifferencePage(BaseModel):
    items: list[DifferenceItem]
    next_cursor: str | None


class TransmissionResult(BaseModel):
    sent: bool
    transmission: TransmissionOut | None


class IntakeResultOut(BaseModel):
    receipt_number: str
    status_code: str
    reason: str


class IntakeRunOut(BaseModel):
    results: list[IntakeResultOut]


class ApplicationOut(BaseModel):
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


class TransferOut(BaseModel):
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


class DriftOut(BaseModel):
    recipient: str
    method: str
    reason: str


class DriftReport(BaseModel):
    registry_version: str
    drift: list[DriftOut]


class CarryOverReceiptOut(BaseModel):
    households: int
