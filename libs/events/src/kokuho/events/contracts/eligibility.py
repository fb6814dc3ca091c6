"""Public events of the eligibility service (被保険者資格管理).

Two topics (docs/adr/0010-eligibility-event-contracts.md):

- ``kokuho.eligibility.events`` (general, partition key = NHI household number, so that every
  change of one household arrives in order): identifiers, dates, reason codes and the facts
  consumers need. **Never** an individual number (個人番号), and no names, addresses or phone
  numbers. The one personal item carried is the date of birth of insured persons, because
  assessment and benefits need ages on given dates (介護分 40–64, 未就学児, under-18 support
  levy, 70–74 co-payment, turning 75); see ADR 0010.
- ``kokuho.eligibility.personal-details`` (compacted, key = addressee number): the latest
  ``PersonalDetailsRecorded`` of each person (insured persons and deemed householders), the only
  place where names and addresses travel. Erasure is a tombstone (null value) on that key.

Identifier formats (fixed for every service): addressee number (宛名番号) 10 digits, NHI
household number (国保世帯番号) 10 digits, insured number (被保険者番号) 8 digits, branch number
(枝番) 2 digits. No identifier here has 12 digits, so none can be mistaken for an individual
number by the scanners of tests/security.

Every event names who entered the change and who confirmed it (C-11 four eyes); automatic
changes (the daily turning-75 job) carry ``entered_by="system:<job>"`` and no confirmer.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from kokuho.events.contracts.registry import EventContract

EVENTS_TOPIC = "kokuho.eligibility.events"
PERSONAL_DETAILS_TOPIC = "kokuho.eligibility.personal-details"

AddresseeNumber = Annotated[str, Field(pattern=r"^[0-9]{10}$", description="宛名番号")]
HouseholdNumber = Annotated[str, Field(pattern=r"^[0-9]{10}$", description="国保世帯番号")]
InsuredNumber = Annotated[str, Field(pattern=r"^[0-9]{8}$", description="被保険者番号")]
BranchNumber = Annotated[str, Field(pattern=r"^[0-9]{2}$", description="枝番")]
StaffId = Annotated[str, Field(min_length=1, max_length=64)]

AcquisitionReason = Literal[
    "moved_in",  # 転入: the day of moving in
    "left_employee_insurance",  # 社保離脱: the day after retirement (the day of leaving)
    "birth",  # 出生: the birth date
    "public_assistance_ended",  # 生保廃止: the day assistance ends
    "late_elderly_disability_withdrawn",  # 後期障害認定撤回: the day after the withdrawal
    "residence_exception_started",  # 住所地特例: re-acquired as a one-person household
    "other",  # その他 (e.g. 外国人の在留資格取得); effective date entered ex officio
]

LossReason = Literal[
    "moved_out",  # 転出: the day after moving out
    "joined_employee_insurance",  # 社保加入: the day after joining
    "death",  # 死亡: the day after death
    "public_assistance_started",  # 生保開始: the same day
    "turned_75",  # 後期高齢者医療へ移行 at 75: a parameter (rules.md 5.3 unconfirmed)
    "late_elderly_disability_recognised",  # 65–74 障害認定で後期へ: a parameter like turned_75
    "residence_exception_moved",  # leaves the household to re-acquire as one-person household
    "other",  # その他; effective date entered ex officio
]

Relationship = Literal[
    "householder",  # 世帯主
    "spouse",  # 妻 / 夫
    "child",  # 子
    "parent",  # 父 / 母
    "grandchild",  # 孫
    "grandparent",  # 祖父 / 祖母
    "sibling",  # 兄弟姉妹
    "other_relative",  # その他の親族
    "non_relative",  # 同居人 etc.
]

SpecialCaseKind = Literal[
    "residence_exception",  # 住所地特例 (国保法116条の2)
    "student",  # 修学中の特例 (国保法116条, マル学)
]

RetireeKind = Literal[
    "retired_insured",  # 退職被保険者 (退職者医療制度)
    "retiree_dependant",  # 退職被保険者の被扶養者
]

FacilityKind = Literal[
    "hospital",  # 病院・診療所
    "child_welfare_facility",  # 児童福祉施設
    "disability_support_facility",  # 障害者支援施設・グループホーム
    "elderly_home",  # 養護・特別養護・有料・軽費老人ホーム
    "ltc_facility",  # 介護保険施設
    "other_facility",
]

CareExclusionFacilityKind = Literal[
    # 介護保険適用除外施設 (介護保険法施行法11条, 施行規則170条): residents are not 介護保険
    # 第2号被保険者, so no 介護分 is levied for them (issue 13)
    "designated_disability_support_facility",  # 指定障害者支援施設 (生活介護+施設入所支援)
    "disability_support_facility",  # 障害者支援施設 (身体障害者福祉法・知的障害者福祉法の措置)
    "medical_disabled_child_facility",  # 医療型障害児入所施設
    "medical_care_institution",  # 療養介護を行う病院 (指定発達支援医療機関を含む)
    "nozomi_no_sono",  # 国立重度知的障害者総合施設のぞみの園
    "hansen_sanatorium",  # 国立ハンセン病療養所
    "relief_facility",  # 救護施設 (生活保護法)
    "industrial_accident_care_facility",  # 労災特別介護施設
    "other_excluded_facility",  # another facility of 施行規則170条
]

CertificateKind = Literal[
    "eligibility_confirmation_document",  # 資格確認書
    "eligibility_information_notice",  # 資格情報のお知らせ
    "elderly_recipient_certificate",  # 高齢受給者証 (70–74)
    "limit_certificate",  # 限度額適用認定証 (record of issues before 2024-12-02)
    "standard_burden_reduction_certificate",  # 標準負担額減額認定証
    "specified_disease_certificate",  # 特定疾病療養受療証
]


class _Provenance(EventContract):
    """Fields every eligibility event carries: which change it came from and who made it."""

    change_id: UUID = Field(description="the four-eyes change (or job run) the event came from")
    entered_by: StaffId
    confirmed_by: StaffId | None = Field(
        default=None, description="the second clerk (C-11); None for automatic changes"
    )
    ex_officio: bool = Field(default=False, description="職権: a correction by the city (C-24)")


# --- qualification -----------------------------------------------------------------------


class QualificationAcquired(_Provenance):
    """資格取得: the person is insured in the city's NHI from ``acquisition_date``."""

    event_type = "jp.kokuho.eligibility.qualification_acquired.v1"

    addressee_number: AddresseeNumber
    nhi_household_number: HouseholdNumber
    insured_number: InsuredNumber
    card_symbol: str = Field(min_length=1, max_length=20, description="被保険者証記号")
    card_number: str = Field(min_length=1, max_length=20, description="被保険者証番号 (printed)")
    branch_number: BranchNumber
    acquisition_date: date = Field(description="computed from the fact date (rules.md 5.1)")
    acquisition_reason: AcquisitionReason
    fact_date: date = Field(description="the date of the fact: moving in, retirement, birth...")
    notification_date: date
    late_notification: bool = Field(description="notified more than 14 days after the fact")
    birth_date: date = Field(description="needed for age-dependent premiums (ADR 0010)")
    relationship: Relationship
    householder_addressee_number: AddresseeNumber
    former_dependant: bool = Field(default=False, description="旧被扶養者")


class QualificationLost(_Provenance):
    """資格喪失: the person is no longer insured from ``loss_date`` (premium months end the
    month before the month containing ``loss_date``)."""

    event_type = "jp.kokuho.eligibility.qualification_lost.v1"

    addressee_number: AddresseeNumber
    nhi_household_number: HouseholdNumber
    insured_number: InsuredNumber
    loss_date: date
    loss_reason: LossReason
    fact_date: date
    notification_date: date
    late_notification: bool
    remains_in_household: bool = Field(
        description="still lives in the household (e.g. turned 75): becomes 特定同一世帯所属者"
    )


class QualificationCorrected(_Provenance):
    """An ex officio correction (職権訂正, C-24) of a qualification period: the new values
    replace the earlier ones; the earlier event stays in history."""

    event_type = "jp.kokuho.eligibility.qualification_corrected.v1"

    addressee_number: AddresseeNumber
    nhi_household_number: HouseholdNumber
    insured_number: InsuredNumber
    acquisition_date: date
    acquisition_reason: AcquisitionReason
    loss_date: date | None
    loss_reason: LossReason | None
    correction_reason_code: str = Field(min_length=1, max_length=40)


# --- households --------------------------------------------------------------------------


class HouseholdMember(BaseModel):
    """One insured member in a household composition."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    addressee_number: AddresseeNumber
    insured_number: InsuredNumber
    birth_date: date
    relationship: Relationship
    acquisition_date: date
    former_dependant: bool = False


class HouseholdRegistered(_Provenance):
    """国保世帯の設定: a new NHI household with its householder (who may be a deemed
    householder 擬制世帯主, not insured)."""

    event_type = "jp.kokuho.eligibility.household_registered.v1"

    nhi_household_number: HouseholdNumber
    householder_addressee_number: AddresseeNumber
    deemed_householder: bool
    effective_date: date


class HouseholderChanged(_Provenance):
    """世帯主変更."""

    event_type = "jp.kokuho.eligibility.householder_changed.v1"

    nhi_household_number: HouseholdNumber
    previous_householder_addressee_number: AddresseeNumber
    householder_addressee_number: AddresseeNumber
    deemed_householder: bool
    effective_date: date
    notification_date: date
    late_notification: bool


class HouseholdCompositionChanged(_Provenance):
    """The whole composition of one household after a change, effective from
    ``effective_date`` (event-carried state, so assessment needs no reconstruction).

    Published after every change that alters members, householder or special members.
    ``members`` lists the insured members only; ``specified_same_household_members`` lists
    特定同一世帯所属者 (moved to 後期高齢者医療 but still living in the household).
    """

    event_type = "jp.kokuho.eligibility.household_composition_changed.v1"

    nhi_household_number: HouseholdNumber
    effective_date: date
    householder_addressee_number: AddresseeNumber
    deemed_householder: bool
    members: list[HouseholdMember]
    specified_same_household_members: list[AddresseeNumber] = Field(default_factory=list)
    dissolved: bool = Field(default=False, description="no insured member remains")


class MemberMoved(BaseModel):
    """A member who moved to another household in a split or merge, with the new card.
    The qualification continues: ``acquisition_date`` is the original one."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    addressee_number: AddresseeNumber
    insured_number: InsuredNumber
    card_number: str = Field(min_length=1, max_length=20)
    branch_number: BranchNumber
    relationship: Relationship
    birth_date: date | None = None
    acquisition_date: date | None = None
    acquisition_reason: AcquisitionReason | None = None
    former_dependant: bool = False


class HouseholdSplit(_Provenance):
    """世帯分離: members leave ``from_household_number`` for a new household."""

    event_type = "jp.kokuho.eligibility.household_split.v1"

    from_household_number: HouseholdNumber
    new_household_number: HouseholdNumber
    new_householder_addressee_number: AddresseeNumber
    members: list[MemberMoved]
    effective_date: date
    notification_date: date
    late_notification: bool


class HouseholdMerged(_Provenance):
    """世帯合併: every member of ``absorbed_household_number`` joins ``into_household_number``;
    the absorbed household is closed."""

    event_type = "jp.kokuho.eligibility.household_merged.v1"

    absorbed_household_number: HouseholdNumber
    into_household_number: HouseholdNumber
    members: list[MemberMoved]
    effective_date: date
    notification_date: date
    late_notification: bool


class RelationshipChanged(_Provenance):
    """続柄変更."""

    event_type = "jp.kokuho.eligibility.relationship_changed.v1"

    addressee_number: AddresseeNumber
    nhi_household_number: HouseholdNumber
    relationship: Relationship
    effective_date: date


# --- personal details (values only on the compacted topic) -------------------------------

PersonalDetailField = Literal["name", "name_kana", "sex", "birth_date", "address", "phone"]


class PersonalDetailsChanged(_Provenance):
    """氏名・住所等の変更: which of the five items changed. The values themselves are on the
    compacted personal-details topic; only a corrected birth date is repeated here, because
    consumers compute ages from it."""

    event_type = "jp.kokuho.eligibility.personal_details_changed.v1"

    addressee_number: AddresseeNumber
    nhi_household_number: HouseholdNumber
    changed_fields: list[PersonalDetailField] = Field(min_length=1)
    effective_date: date
    notification_date: date
    late_notification: bool
    birth_date: date | None = Field(default=None, description="set when birth_date changed")


class PersonalDetailsRecorded(EventContract):
    """The latest personal details of one person, on the compacted topic
    ``kokuho.eligibility.personal-details`` keyed by addressee number (a tombstone erases).
    Insured persons and deemed householders (who receive notices) both appear here.

    基本5情報 (name, name kana, sex, birth date, address) plus the phone number (NHI-Q-28)."""

    event_type = "jp.kokuho.eligibility.personal_details_recorded.v1"

    addressee_number: AddresseeNumber
    nhi_household_number: HouseholdNumber | None
    name: str = Field(min_length=1, max_length=100, description="氏名 (漢字)")
    name_kana: str = Field(min_length=1, max_length=200, description="氏名 (カナ)")
    sex: Literal["male", "female"]
    birth_date: date
    postal_code: str | None = Field(default=None, pattern=r"^[0-9]{3}-?[0-9]{4}$")
    address: str = Field(min_length=1, max_length=300)
    phone: str | None = Field(default=None, max_length=20)
    as_of: date = Field(description="the date the details took effect")


# --- special cases and assessment attributes ---------------------------------------------


class SpecialCaseStarted(_Provenance):
    """住所地特例 or 修学中の特例 begins. The facility or school name and address stay in
    eligibility (they locate the person); consumers get the kind only."""

    event_type = "jp.kokuho.eligibility.special_case_started.v1"

    addressee_number: AddresseeNumber
    nhi_household_number: HouseholdNumber
    kind: SpecialCaseKind
    facility_kind: FacilityKind | None = None
    start_date: date
    notification_date: date
    late_notification: bool


class SpecialCaseEnded(_Provenance):
    event_type = "jp.kokuho.eligibility.special_case_ended.v1"

    addressee_number: AddresseeNumber
    nhi_household_number: HouseholdNumber
    kind: SpecialCaseKind
    end_date: date


class CareInsuranceExclusionRecorded(_Provenance):
    """介護保険適用除外 (NHI-Q-33, ``ltc_exclusion``): the member lives in a facility excluded
    from long-term-care insurance from ``start_date``; assessment levies no 介護分 for the
    months it covers. ``end_date`` None = still open. The facility name is an operational
    name (not a person's), carried so the assessment notice can state why."""

    event_type = "jp.kokuho.eligibility.care_insurance_exclusion_recorded.v1"

    nhi_household_number: HouseholdNumber
    addressee_number: AddresseeNumber
    facility_kind: CareExclusionFacilityKind
    facility_name: str = Field(min_length=1, max_length=100)
    start_date: date
    end_date: date | None = None


class CareInsuranceExclusionEnded(_Provenance):
    """The member left the excluded facility: the exclusion ends on ``end_date`` (the day of
    leaving); 介護分 is levied again from that month if the member is 40–64."""

    event_type = "jp.kokuho.eligibility.care_insurance_exclusion_ended.v1"

    nhi_household_number: HouseholdNumber
    addressee_number: AddresseeNumber
    facility_kind: CareExclusionFacilityKind
    facility_name: str = Field(min_length=1, max_length=100)
    start_date: date
    end_date: date


class FormerDependantStatusChanged(_Provenance):
    """旧被扶養者: a former dependant of employee insurance whose insured moved to 後期高齢者
    医療. ``since`` is the acquisition date; ``until`` closes the status (None = open)."""

    event_type = "jp.kokuho.eligibility.former_dependant_status_changed.v1"

    addressee_number: AddresseeNumber
    nhi_household_number: HouseholdNumber
    former_dependant: bool
    since: date
    until: date | None = None


class InvoluntaryUnemploymentRecorded(_Provenance):
    """非自発的失業者: the separation date, the employment-insurance reason code
    (特定受給資格者 / 特定理由離職者 codes, e.g. "11", "12", "21", "22", "31", "32") and the
    period the income reduction applies (computed by eligibility from a cited parameter)."""

    event_type = "jp.kokuho.eligibility.involuntary_unemployment_recorded.v1"

    addressee_number: AddresseeNumber
    nhi_household_number: HouseholdNumber
    separation_date: date
    separation_reason_code: str = Field(pattern=r"^[0-9]{2}$")
    reduction_start: date
    reduction_end: date


class RetireeStatusRecorded(_Provenance):
    """退職情報 (NHI-Q-18): a period in which the person was a 退職被保険者 or the dependant
    of one under the 退職者医療制度, as the form states it; ``until`` None = still open.
    Assessment's 退職分 breakdown reads it."""

    event_type = "jp.kokuho.eligibility.retiree_status_recorded.v1"

    addressee_number: AddresseeNumber
    nhi_household_number: HouseholdNumber
    retiree_kind: RetireeKind
    since: date
    until: date | None = None


class SpecifiedSameHouseholdMemberChanged(_Provenance):
    """特定同一世帯所属者: a person who left NHI for 後期高齢者医療 while staying in the
    household. ``until`` is set when they leave the household (or it is dissolved)."""

    event_type = "jp.kokuho.eligibility.specified_same_household_member_changed.v1"

    addressee_number: AddresseeNumber
    nhi_household_number: HouseholdNumber
    since: date
    until: date | None = None


# --- certificates ------------------------------------------------------------------------


class CertificateIssued(_Provenance):
    """資格確認書 / 資格情報のお知らせ / 高齢受給者証 / ... issued (or reissued). The disease
    name of a 特定疾病療養受療証 is health data and stays in eligibility."""

    event_type = "jp.kokuho.eligibility.certificate_issued.v1"

    certificate_id: UUID
    kind: CertificateKind
    addressee_number: AddresseeNumber
    nhi_household_number: HouseholdNumber
    insured_number: InsuredNumber
    issue_date: date
    valid_from: date
    valid_until: date | None
    copayment_rate_tenths: int | None = Field(
        default=None, ge=1, le=3, description="高齢受給者証: 2 or 3 (割)"
    )
    reissue_of: UUID | None = None
    special_care: bool = Field(
        default=False, description="資格確認書(特別療養費): the household pays 10割 (rules.md 4.6)"
    )


class SpecialCareStatusChanged(_Provenance):
    """特別療養費 (rules.md 4.6): delinquency flagged the household (1 year or more of arrears,
    no special reason) or cleared it; 資格確認書 issued meanwhile say so."""

    event_type = "jp.kokuho.eligibility.special_care_status_changed.v1"

    nhi_household_number: HouseholdNumber
    special_care: bool
    effective_on: date


class CertificateCollected(_Provenance):
    """証の回収 (returned, invalidated on loss, or replaced)."""

    event_type = "jp.kokuho.eligibility.certificate_collected.v1"

    certificate_id: UUID
    kind: CertificateKind
    addressee_number: AddresseeNumber
    nhi_household_number: HouseholdNumber
    collected_date: date
    reason: Literal["returned", "qualification_lost", "reissued", "details_changed", "other"]


class CopaymentRateDetermined(_Provenance):
    """一部負担金割合 for a 70–74 insured person (高齢受給者). ``basis`` says whether it came
    from income information or the documented default used until assessment publishes it."""

    event_type = "jp.kokuho.eligibility.copayment_rate_determined.v1"

    addressee_number: AddresseeNumber
    nhi_household_number: HouseholdNumber
    insured_number: InsuredNumber
    copayment_rate_tenths: int = Field(ge=1, le=3)
    valid_from: date
    valid_until: date
    basis: Literal["default", "income"]
