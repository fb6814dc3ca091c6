"""What a counter clerk enters (request bodies), validated at the edge (C-04: closed schema,
undeclared fields are refused; C-10: identity verification is recorded with each intake).

The models derive from the platform's ``RequestModel`` (closed, frozen, no control characters
however deeply nested). They live in ``app/`` rather than ``api/schemas.py`` because a pending
change keeps its request as a forgettable payload and the use case that confirms it reads the
payload back into the same model (``app/change_kinds.py``); ``api/schemas.py`` re-exports them."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, model_validator

from kokuho.events.contracts.eligibility import (
    AcquisitionReason,
    AddresseeNumber,
    FacilityKind,
    LossReason,
    Relationship,
    RetireeKind,
    SpecialCaseKind,
)
from kokuho.platform.models import RequestModel
from kokuho.platform.names import PersonName, PersonNameKana

Text = Annotated[str, Field(min_length=1, max_length=100)]
KANA_PATTERN = r"^[\u30A1-\u30FC\u3000 ・]+$"  # full-width katakana, long vowel mark, spaces
DateField = Annotated[date, Field(ge=date(1900, 1, 1), le=date(2200, 12, 31))]


class PersonalDetails(RequestModel):
    """基本5情報 (and the phone number) as entered from the form."""

    # kokuho.platform.names: stored as entered (variation sequences, compatibility ideographs),
    # width forms normalised, characters the print fonts lack refused by code point (ADR 0008)
    name: PersonName = Field(description="氏名 (漢字): MJ文字, as entered")
    name_kana: PersonNameKana = Field(description="フリガナ: full-width katakana")
    sex: Literal["male", "female"]
    birth_date: DateField
    postal_code: str | None = Field(default=None, pattern=r"^[0-9]{3}-?[0-9]{4}$")
    address: str = Field(min_length=1, max_length=300)
    phone: str | None = Field(default=None, pattern=r"^[0-9+\-() ]{6,20}$")


class IdentityVerification(RequestModel):
    """C-10: how the person (or proxy) was identified at the counter."""

    method: Literal["mn_card", "notification_card_with_photo_id", "photo_id", "two_documents"]
    proxy: bool = False
    power_of_attorney_checked: bool = False

    @model_validator(mode="after")
    def _proxy_needs_power_of_attorney(self) -> IdentityVerification:
        if self.proxy and not self.power_of_attorney_checked:
            raise ValueError("a proxy needs power_of_attorney_checked = true (C-10)")
        return self


class MemberIn(RequestModel):
    addressee_number: AddresseeNumber
    reason: AcquisitionReason
    fact_date: DateField = Field(description="the date of the fact (moving in, retirement ...)")
    notification_date: DateField
    relationship: Relationship
    former_dependant: bool = False
    effective_date: DateField | None = Field(
        default=None, description="only for reason 'other' (ex officio); otherwise computed"
    )
    details: PersonalDetails


class RegisterHouseholdIn(RequestModel):
    householder_addressee_number: AddresseeNumber
    householder_details: PersonalDetails | None = Field(
        default=None, description="required when the householder is not insured (擬制世帯主)"
    )
    members: list[MemberIn] = Field(min_length=1, max_length=20)
    identity_verification: IdentityVerification

    @model_validator(mode="after")
    def _deemed_householder_needs_details(self) -> RegisterHouseholdIn:
        numbers = [m.addressee_number for m in self.members]
        if len(set(numbers)) != len(numbers):
            raise ValueError("a member appears twice")
        if self.householder_addressee_number not in numbers and self.householder_details is None:
            raise ValueError("householder_details are required for a deemed householder")
        return self


class AcquisitionIn(RequestModel):
    member: MemberIn
    identity_verification: IdentityVerification


class LossIn(RequestModel):
    addressee_number: AddresseeNumber
    reason: LossReason
    fact_date: DateField
    notification_date: DateField
    effective_date: DateField | None = None
    identity_verification: IdentityVerification


class HouseholderIn(RequestModel):
    householder_addressee_number: AddresseeNumber
    fact_date: DateField
    notification_date: DateField
    previous_householder_relationship: Relationship | None = None
    householder_details: PersonalDetails | None = Field(
        default=None, description="for a new householder who is not insured"
    )
    identity_verification: IdentityVerification


class RelationshipIn(RequestModel):
    relationship: Relationship
    fact_date: DateField


class PersonalDetailsIn(RequestModel):
    details: PersonalDetails
    fact_date: DateField
    notification_date: DateField
    identity_verification: IdentityVerification


class CorrectionIn(RequestModel):
    """職権訂正 (C-24): the corrected period and why."""

    acquisition_date: DateField
    acquisition_reason: AcquisitionReason
    loss_date: DateField | None = None
    loss_reason: LossReason | None = None
    reason_code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")
    reason: str = Field(min_length=1, max_length=500)


class SpecialCaseIn(RequestModel):
    kind: SpecialCaseKind
    facility_kind: FacilityKind | None = None
    facility_name: str | None = Field(default=None, max_length=200)
    facility_address: str | None = Field(default=None, max_length=300)
    fact_date: DateField
    notification_date: DateField
    identity_verification: IdentityVerification


class ResidenceExceptionIn(RequestModel):
    """住所地特例 (国保法116条の2) for a member who moves into a facility in another
    municipality: the member leaves the household for a one-person household of their own,
    keeps the qualification, and becomes their own payer (rules.md 5.2). A child placed in a
    児童福祉施設 stays in the parents' household: use ``special-cases`` instead."""

    facility_kind: FacilityKind
    facility_name: str | None = Field(default=None, max_length=200)
    facility_address: str | None = Field(default=None, max_length=300)
    details: PersonalDetails | None = Field(
        default=None, description="the member's details with the facility address, if changed"
    )
    fact_date: DateField
    notification_date: DateField
    identity_verification: IdentityVerification


class SpecialCaseEndIn(RequestModel):
    kind: SpecialCaseKind
    end_date: DateField


class UnemploymentIn(RequestModel):
    separation_date: DateField
    separation_reason_code: str = Field(pattern=r"^[0-9]{2}$")


class FormerDependantIn(RequestModel):
    """旧被扶養者 (from the employee-insurance certificate of the insured who moved to 後期)."""

    former_dependant: bool
    since: DateField
    until: DateField | None = None


class RetireeIn(RequestModel):
    """退職情報 (NHI-Q-18): 退職被保険者 or the dependant of one, from ``since``; ``until``
    closes the period."""

    retiree_kind: RetireeKind
    since: DateField
    until: DateField | None = None


class SplitIn(RequestModel):
    """世帯分離: the members who leave, and the new household's householder (one of them, or a
    non-insured person who is then the deemed householder)."""

    members: list[AddresseeNumber] = Field(min_length=1, max_length=20)
    new_householder_addressee_number: AddresseeNumber
    new_householder_details: PersonalDetails | None = None
    fact_date: DateField
    notification_date: DateField
    identity_verification: IdentityVerification


class MergeIn(RequestModel):
    """世帯合併: this household's members join ``into_household_number``."""

    into_household_number: str = Field(pattern=r"^[0-9]{10}$")
    fact_date: DateField
    notification_date: DateField
    identity_verification: IdentityVerification


class ErasureIn(RequestModel):
    reason: str = Field(min_length=1, max_length=500)


class RejectIn(RequestModel):
    reason: str = Field(min_length=1, max_length=500)


class CertificateIn(RequestModel):
    """Issue a document, or record a 限度額適用認定証 / 標準負担額減額認定証 / 特定疾病療養受療証
    (NHI-Q-39..45; the disease name is health data and stays in eligibility)."""

    kind: Literal[
        "eligibility_confirmation_document",
        "eligibility_information_notice",
        "elderly_recipient_certificate",
        "limit_certificate",
        "standard_burden_reduction_certificate",
        "specified_disease_certificate",
    ]
    addressee_number: AddresseeNumber
    issue_date: DateField
    reissue_of: str | None = Field(default=None, pattern=r"^[0-9a-f-]{36}$")
    valid_until: DateField | None = Field(default=None, description="records only")
    limit_category: str | None = Field(default=None, pattern=r"^[ア-オ一-龥A-Za-z0-9ⅠⅡ]{1,10}$")
    application_date: DateField | None = None
    long_term: bool | None = Field(default=None, description="長期該当 (減額認定証)")
    disease_name: str | None = Field(default=None, min_length=1, max_length=100)
    copayment_limit_yen: int | None = Field(default=None, ge=0, le=1_000_000)

    @model_validator(mode="after")
    def _record_fields_match_the_kind(self) -> CertificateIn:
        limit = self.kind in ("limit_certificate", "standard_burden_reduction_certificate")
        disease = self.kind == "specified_disease_certificate"
        if limit != (self.limit_category is not None and self.application_date is not None):
            raise ValueError("limit_category and application_date go with limit certificates")
        if disease != (self.disease_name is not None and self.copayment_limit_yen is not None):
            raise ValueError("disease_name and copayment_limit_yen go with 特定疾病療養受療証")
        if self.long_term is not None and self.kind != "standard_burden_reduction_certificate":
            raise ValueError("long_term goes with 標準負担額減額認定証")
        if self.valid_until is not None and not (limit or disease):
            raise ValueError("the validity of this document is computed, not entered")
        return self


class CollectIn(RequestModel):
    collected_date: DateField
    reason: Literal["returned", "details_changed", "other"]


class JobIn(RequestModel):
    as_of: DateField = Field(description="the date the job runs for (normally today)")
