"""Request and response bodies. The request models are the application's
(``app/requests.py``, on the platform's ``RequestModel``: a pending change keeps its request and
the confirming use case reads it back); every response is a typed ``...Out`` model."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from kokuho.eligibility.app.changes import Outcome, describe
from kokuho.eligibility.app.jobs import JobResult
from kokuho.eligibility.app.requests import (
    KANA_PATTERN,
    AcquisitionIn,
    CertificateIn,
    CollectIn,
    CorrectionIn,
    ErasureIn,
    FormerDependantIn,
    HouseholderIn,
    JobIn,
    LossIn,
    MergeIn,
    PersonalDetailsIn,
    RegisterHouseholdIn,
    RejectIn,
    RelationshipIn,
    ResidenceExceptionIn,
    RetireeIn,
    SpecialCaseEndIn,
    SpecialCaseIn,
    SplitIn,
    UnemploymentIn,
)
from kokuho.platform.models import ResponseModel

__all__ = [
    "KANA_PATTERN",
    "AcquisitionIn",
    "CertificateIn",
    "CollectIn",
    "CorrectionIn",
    "ErasureIn",
    "FormerDependantIn",
    "HouseholderIn",
    "JobIn",
    "LossIn",
    "MergeIn",
    "PersonalDetailsIn",
    "RegisterHouseholdIn",
    "RejectIn",
    "RelationshipIn",
    "ResidenceExceptionIn",
    "RetireeIn",
    "SpecialCaseEndIn",
    "SpecialCaseIn",
    "SplitIn",
    "UnemploymentIn",
]


class EventOut(ResponseModel):
    type: str
    data: dict[str, Any]


class ChangeOut(ResponseModel):
    change_id: UUID
    kind: str
    status: str
    nhi_household_number: str
    subjects: list[str]
    entered_by: str
    confirmed_by: str | None
    events: list[EventOut]

    @classmethod
    def of(cls, outcome: Outcome) -> ChangeOut:
        return cls(
            change_id=outcome.change_id,
            kind=outcome.kind,
            status=outcome.status,
            nhi_household_number=outcome.nhi_household_number,
            subjects=list(outcome.subjects),
            entered_by=outcome.entered_by,
            confirmed_by=outcome.confirmed_by,
            events=[EventOut(**x) for x in describe(outcome.events)],
        )


class PendingChangeOut(ResponseModel):
    change_id: UUID
    kind: str
    nhi_household_number: str
    subjects: list[str]
    status: str
    ex_officio: bool
    entered_by: str
    entered_at: datetime
    decided_by: str | None
    decided_at: datetime | None


class ChangeRecordOut(PendingChangeOut):
    identity_method: str | None
    by_proxy: bool | None


class PersonDetailsOut(ResponseModel):
    addressee_number: str
    nhi_household_number: str | None
    name: str
    name_kana: str
    sex: str
    birth_date: date
    postal_code: str | None
    address: str
    phone: str | None
    as_of: date


class PeriodOut(ResponseModel):
    addressee_number: str
    nhi_household_number: str
    insured_number: str
    card_symbol: str
    card_number: str
    branch_number: str
    birth_date: date
    relationship: str
    acquisition_date: date
    acquisition_reason: str
    acquisition_notified: date
    acquisition_late: bool
    loss_date: date | None
    loss_reason: str | None
    loss_notified: date | None
    loss_late: bool | None
    former_dependant: bool
    copayment_until: date | None


class SpecialCaseOut(ResponseModel):
    kind: str
    nhi_household_number: str
    facility_kind: str | None
    facility_name: str | None
    facility_address: str | None
    start_date: date
    end_date: date | None


class UnemploymentOut(ResponseModel):
    separation_date: date
    separation_reason_code: str
    reduction_start: date
    reduction_end: date


class RetireeStatusOut(ResponseModel):
    retiree_kind: str
    nhi_household_number: str
    since: date
    until: date | None


class PersonOut(ResponseModel):
    addressee_number: str
    details: PersonDetailsOut | None
    qualifications: list[PeriodOut]
    special_cases: list[SpecialCaseOut]
    involuntary_unemployment: list[UnemploymentOut]
    retiree_status: list[RetireeStatusOut]


class PersonFoundOut(ResponseModel):
    addressee_number: str
    nhi_household_number: str | None
    name: str
    name_kana: str
    sex: str
    birth_date: date
    insured_number: str | None
    insured: bool


class ErasureOut(ResponseModel):
    addressee_number: str
    request_id: str
    status: str  # pending -> confirmed | rejected
    requested_by: str
    decided_by: str | None
    erased: bool


class MemberOut(PeriodOut):
    name: str | None


class HouseholdOut(ResponseModel):
    nhi_household_number: str
    householder_addressee_number: str
    deemed_householder: bool
    dissolved: bool
    specified_same_household_members: list[str]
    registered_on: date
    as_of: date | None
    householder_name: str | None
    members: list[MemberOut]


class HistoryEventOut(ResponseModel):
    version: int
    type: str
    recorded_at: datetime
    data: dict[str, Any]


class CertificateOut(ResponseModel):
    certificate_id: UUID
    kind: str
    addressee_number: str
    nhi_household_number: str
    insured_number: str
    issue_date: date
    valid_from: date
    valid_until: date | None
    copayment_rate_tenths: int | None
    special_care: bool = False
    reissue_of: UUID | None
    collected_date: date | None
    collected_reason: str | None
    issued_by: str
    limit_category: str | None
    application_date: date | None
    long_term: bool | None
    disease_name: str | None
    copayment_limit_yen: int | None
    name: str | None
    name_kana: str | None
    sex: str | None
    birth_date: date | None
    address: str | None
    postal_code: str | None
    householder_addressee_number: str | None
    householder_name: str | None


class FederationReviewOut(ResponseModel):
    event_id: UUID
    addressee_number: str
    insured_number: str
    kind: str
    federation_acquisition_date: date
    federation_loss_date: date | None
    file_date: date
    confirmed_by: str
    change_id: UUID | None
    received_at: datetime


class JobOut(ResponseModel):
    as_of: str
    candidates: int
    processed: int
    failed: list[dict[str, str]]

    @classmethod
    def of(cls, as_of: date, result: JobResult) -> JobOut:
        return cls(
            as_of=str(as_of),
            candidates=result.candidates,
            processed=result.processed,
            failed=result.failed,
        )
