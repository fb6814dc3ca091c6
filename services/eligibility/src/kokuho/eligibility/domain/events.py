"""Domain events of a household (国保世帯). Field names match the public contracts in
``kokuho.events.contracts.eligibility``; the application layer adds the provenance (change id,
entering and confirming clerk, ex officio) when it publishes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class HouseholdRegistered:
    nhi_household_number: str
    householder_addressee_number: str
    deemed_householder: bool
    effective_date: date


@dataclass(frozen=True)
class QualificationAcquired:
    addressee_number: str
    nhi_household_number: str
    insured_number: str
    card_symbol: str
    card_number: str
    branch_number: str
    acquisition_date: date
    acquisition_reason: str
    fact_date: date
    notification_date: date
    late_notification: bool
    birth_date: date
    relationship: str
    householder_addressee_number: str
    former_dependant: bool = False


@dataclass(frozen=True)
class QualificationLost:
    addressee_number: str
    nhi_household_number: str
    insured_number: str
    loss_date: date
    loss_reason: str
    fact_date: date
    notification_date: date
    late_notification: bool
    remains_in_household: bool


@dataclass(frozen=True)
class QualificationCorrected:
    addressee_number: str
    nhi_household_number: str
    insured_number: str
    acquisition_date: date
    acquisition_reason: str
    loss_date: date | None
    loss_reason: str | None
    correction_reason_code: str


@dataclass(frozen=True)
class HouseholderChanged:
    nhi_household_number: str
    previous_householder_addressee_number: str
    householder_addressee_number: str
    deemed_householder: bool
    effective_date: date
    notification_date: date
    late_notification: bool


@dataclass(frozen=True)
class RelationshipChanged:
    addressee_number: str
    nhi_household_number: str
    relationship: str
    effective_date: date


@dataclass(frozen=True)
class HouseholdMember:
    addressee_number: str
    insured_number: str
    birth_date: date
    relationship: str
    acquisition_date: date
    former_dependant: bool = False


@dataclass(frozen=True)
class HouseholdCompositionChanged:
    nhi_household_number: str
    effective_date: date
    householder_addressee_number: str
    deemed_householder: bool
    members: tuple[HouseholdMember, ...]
    specified_same_household_members: tuple[str, ...] = ()
    dissolved: bool = False


@dataclass(frozen=True)
class MemberMoved:
    addressee_number: str
    insured_number: str
    card_number: str
    branch_number: str
    relationship: str
    birth_date: date | None = None
    acquisition_date: date | None = None
    acquisition_reason: str | None = None
    former_dependant: bool = False


@dataclass(frozen=True)
class HouseholdSplit:
    from_household_number: str
    new_household_number: str
    new_householder_addressee_number: str
    members: tuple[MemberMoved, ...]
    effective_date: date
    notification_date: date
    late_notification: bool


@dataclass(frozen=True)
class HouseholdMerged:
    absorbed_household_number: str
    into_household_number: str
    members: tuple[MemberMoved, ...]
    effective_date: date
    notification_date: date
    late_notification: bool


@dataclass(frozen=True)
class PersonalDetailsChanged:
    addressee_number: str
    nhi_household_number: str
    changed_fields: tuple[str, ...]
    effective_date: date
    notification_date: date
    late_notification: bool
    birth_date: date | None = None


@dataclass(frozen=True)
class SpecialCaseStarted:
    addressee_number: str
    nhi_household_number: str
    kind: str
    facility_kind: str | None
    start_date: date
    notification_date: date
    late_notification: bool


@dataclass(frozen=True)
class SpecialCaseEnded:
    addressee_number: str
    nhi_household_number: str
    kind: str
    end_date: date


@dataclass(frozen=True)
class InvoluntaryUnemploymentRecorded:
    addressee_number: str
    nhi_household_number: str
    separation_date: date
    separation_reason_code: str
    reduction_start: date
    reduction_end: date


@dataclass(frozen=True)
class RetireeStatusRecorded:
    addressee_number: str
    nhi_household_number: str
    retiree_kind: str
    since: date
    until: date | None = None


@dataclass(frozen=True)
class FormerDependantStatusChanged:
    addressee_number: str
    nhi_household_number: str
    former_dependant: bool
    since: date
    until: date | None = None


@dataclass(frozen=True)
class SpecifiedSameHouseholdMemberChanged:
    addressee_number: str
    nhi_household_number: str
    since: date
    until: date | None = None


@dataclass(frozen=True)
class CertificateIssued:
    certificate_id: str
    kind: str
    addressee_number: str
    nhi_household_number: str
    insured_number: str
    issue_date: date
    valid_from: date
    valid_until: date | None
    copayment_rate_tenths: int | None = None
    reissue_of: str | None = None
    special_care: bool = False


@dataclass(frozen=True)
class CertificateCollected:
    certificate_id: str
    kind: str
    addressee_number: str
    nhi_household_number: str
    collected_date: date
    reason: str


@dataclass(frozen=True)
class CopaymentRateDetermined:
    addressee_number: str
    nhi_household_number: str
    insured_number: str
    copayment_rate_tenths: int
    valid_from: date
    valid_until: date
    basis: str


@dataclass(frozen=True)
class SpecialCareStatusChanged:
    """特別療養費: delinquency flagged (or cleared) the household (rules.md 4.6)."""

    nhi_household_number: str
    special_care: bool
    effective_on: date


@dataclass(frozen=True)
class CareInsuranceExclusionRecorded:
    """介護保険適用除外: assessment levies no 介護分 for the months it covers."""

    nhi_household_number: str
    addressee_number: str
    facility_kind: str
    facility_name: str
    start_date: date
    end_date: date | None


@dataclass(frozen=True)
class CareInsuranceExclusionEnded:
    nhi_household_number: str
    addressee_number: str
    facility_kind: str
    facility_name: str
    start_date: date
    end_date: date


Event = (
    HouseholdRegistered
    | QualificationAcquired
    | QualificationLost
    | QualificationCorrected
    | HouseholderChanged
    | RelationshipChanged
    | HouseholdCompositionChanged
    | HouseholdSplit
    | HouseholdMerged
    | PersonalDetailsChanged
    | SpecialCaseStarted
    | SpecialCaseEnded
    | InvoluntaryUnemploymentRecorded
    | RetireeStatusRecorded
    | FormerDependantStatusChanged
    | SpecifiedSameHouseholdMemberChanged
    | CertificateIssued
    | CertificateCollected
    | CopaymentRateDetermined
    | SpecialCareStatusChanged
    | CareInsuranceExclusionRecorded
    | CareInsuranceExclusionEnded
)

ALL_EVENTS: tuple[type[Event], ...] = (
    HouseholdRegistered,
    QualificationAcquired,
    QualificationLost,
    QualificationCorrected,
    HouseholderChanged,
    RelationshipChanged,
    HouseholdCompositionChanged,
    HouseholdSplit,
    HouseholdMerged,
    PersonalDetailsChanged,
    SpecialCaseStarted,
    SpecialCaseEnded,
    InvoluntaryUnemploymentRecorded,
    RetireeStatusRecorded,
    FormerDependantStatusChanged,
    SpecifiedSameHouseholdMemberChanged,
    CertificateIssued,
    CertificateCollected,
    CopaymentRateDetermined,
    SpecialCareStatusChanged,
    CareInsuranceExclusionRecorded,
    CareInsuranceExclusionEnded,
)
