"""Commands on a household. ``today`` comes from the application's clock, so the domain has no
clock of its own; numbers (insured numbers, certificate ids) are allocated by the application."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class AcquireQualification:
    """資格取得. ``effective_date`` only for reason ``other`` (set ex officio, C-24)."""

    addressee_number: str
    insured_number: str
    reason: str
    fact_date: date
    notification_date: date
    birth_date: date
    relationship: str
    today: date
    former_dependant: bool = False
    effective_date: date | None = None


@dataclass(frozen=True)
class RegisterHousehold:
    """A new NHI household with its first members (a family moving in, a newborn's own
    household is rare). A householder not among ``acquisitions`` is a deemed householder."""

    nhi_household_number: str
    householder_addressee_number: str
    acquisitions: tuple[AcquireQualification, ...]


@dataclass(frozen=True)
class LoseQualification:
    """資格喪失. ``effective_date`` only for reason ``other``."""

    addressee_number: str
    reason: str
    fact_date: date
    notification_date: date
    today: date
    effective_date: date | None = None


@dataclass(frozen=True)
class ChangeHouseholder:
    householder_addressee_number: str
    fact_date: date
    notification_date: date
    today: date
    previous_householder_relationship: str | None = None


@dataclass(frozen=True)
class ChangeRelationship:
    addressee_number: str
    relationship: str
    fact_date: date
    today: date


@dataclass(frozen=True)
class ChangePersonalDetails:
    """Name, kana, sex, birth date, address or phone changed; the values travel separately."""

    addressee_number: str
    changed_fields: tuple[str, ...]
    fact_date: date
    notification_date: date
    today: date
    birth_date: date | None = None


@dataclass(frozen=True)
class CorrectQualification:
    """職権訂正 (C-24): replace a member's period; ``reason`` is required."""

    addressee_number: str
    acquisition_date: date
    acquisition_reason: str
    loss_date: date | None
    loss_reason: str | None
    reason_code: str
    reason: str


@dataclass(frozen=True)
class StartSpecialCase:
    addressee_number: str
    kind: str
    facility_kind: str | None
    fact_date: date
    notification_date: date
    today: date


@dataclass(frozen=True)
class EndSpecialCase:
    addressee_number: str
    kind: str
    end_date: date
    today: date


@dataclass(frozen=True)
class RecordInvoluntaryUnemployment:
    addressee_number: str
    separation_date: date
    separation_reason_code: str
    today: date


@dataclass(frozen=True)
class RecordRetireeStatus:
    """退職情報: the person was a 退職被保険者 (or a dependant of one) from ``since``."""

    addressee_number: str
    retiree_kind: str
    since: date
    today: date
    until: date | None = None


@dataclass(frozen=True)
class ChangeFormerDependantStatus:
    """旧被扶養者: set from ``since``; ``until`` closes it."""

    addressee_number: str
    former_dependant: bool
    since: date
    today: date
    until: date | None = None


@dataclass(frozen=True)
class DetermineCopaymentRate:
    """The 70-74 co-payment rate for the period containing ``as_of`` (the documented default
    until assessment publishes income-based decisions)."""

    addressee_number: str
    as_of: date


@dataclass(frozen=True)
class ApplyCopaymentDecision:
    """The income-based 70-74 rate benefits decided for an August-July (rules.md 3.4); it
    replaces the documented default of that period."""

    addressee_number: str
    copayment_rate_tenths: int
    valid_from: date
    valid_until: date


@dataclass(frozen=True)
class RecordSpecialCare:
    """特別療養費 flagged (``special_care``) or cleared by delinquency from ``effective_on``."""

    special_care: bool
    effective_on: date


@dataclass(frozen=True)
class IssueCertificate:
    certificate_id: str
    kind: str
    addressee_number: str
    issue_date: date
    reissue_of: str | None = None
    valid_until: date | None = None  # records of limit / disease certificates carry their own


@dataclass(frozen=True)
class CollectCertificate:
    certificate_id: str
    collected_date: date
    reason: str


@dataclass(frozen=True)
class SplitHousehold:
    """世帯分離: ``members`` move to a new household headed by ``new_householder``."""

    new_household_number: str
    new_householder_addressee_number: str
    members: tuple[str, ...]
    fact_date: date
    notification_date: date
    today: date


@dataclass(frozen=True)
class MergeHousehold:
    """世帯合併: every insured member of this household joins ``into`` (the other state)."""

    into_household_number: str
    fact_date: date
    notification_date: date
    today: date


@dataclass(frozen=True)
class RecordCareExclusion:
    """介護保険適用除外 (NHI-Q-33): the member lives in an excluded facility from ``start_date``."""

    addressee_number: str
    facility_kind: str
    facility_name: str
    start_date: date
    end_date: date | None
    today: date


@dataclass(frozen=True)
class EndCareExclusion:
    addressee_number: str
    end_date: date
    today: date


Command = (
    RegisterHousehold
    | AcquireQualification
    | LoseQualification
    | ChangeHouseholder
    | ChangeRelationship
    | ChangePersonalDetails
    | CorrectQualification
    | StartSpecialCase
    | EndSpecialCase
    | RecordInvoluntaryUnemployment
    | RecordRetireeStatus
    | ChangeFormerDependantStatus
    | DetermineCopaymentRate
    | ApplyCopaymentDecision
    | RecordSpecialCare
    | IssueCertificate
    | CollectCertificate
    | RecordCareExclusion
    | EndCareExclusion
)
