"""The state of a household (国保世帯): its members with their qualification periods, the
householder, the specified members (特定同一世帯所属者) and the certificates issued."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from kokuho.eligibility.domain import errors as e


@dataclass(frozen=True)
class CareExclusion:
    """A period in a facility excluded from long-term-care insurance (end None: open)."""

    facility_kind: str
    facility_name: str
    start_date: date
    end_date: date | None = None


@dataclass(frozen=True)
class Member:
    addressee_number: str
    insured_number: str
    branch_number: str
    birth_date: date
    relationship: str
    acquisition_date: date
    acquisition_reason: str
    loss_date: date | None = None
    loss_reason: str | None = None
    former_dependant: bool = False
    special_cases: frozenset[str] = frozenset()
    copayment_until: date | None = None
    #: the rate determined for the period ending ``copayment_until`` (tenths: 2 = 2割), from
    #: ``copayment_from``; ``copayment_basis`` "default" or "income" (benefits' decision)
    copayment_rate_tenths: int | None = None
    copayment_from: date | None = None
    copayment_basis: str | None = None
    care_exclusions: tuple[CareExclusion, ...] = ()

    def copayment_rate_on(self, day: date) -> int | None:
        """The rate determined for a period containing ``day``, if any."""
        if self.copayment_from is None or self.copayment_until is None:
            return None
        return (
            self.copayment_rate_tenths
            if self.copayment_from <= day <= self.copayment_until
            else None
        )

    @property
    def active(self) -> bool:
        return self.loss_date is None


@dataclass(frozen=True)
class Certificate:
    certificate_id: str
    kind: str
    addressee_number: str
    collected: bool = False


@dataclass(frozen=True)
class Household:
    nhi_household_number: str
    registered: bool = False
    householder_addressee_number: str = ""
    members: dict[str, Member] = field(default_factory=dict)
    next_branch: int = 1
    #: 特定同一世帯所属者 and the date each became one
    specified_same_household: dict[str, date] = field(default_factory=dict)
    certificates: dict[str, Certificate] = field(default_factory=dict)
    #: 特別療養費 from this day (delinquency's flag), None when not flagged
    special_care_from: date | None = None

    def under_special_care(self, day: date) -> bool:
        return self.special_care_from is not None and self.special_care_from <= day

    @property
    def active_members(self) -> list[Member]:
        return [m for m in self.members.values() if m.active]

    @property
    def deemed_householder(self) -> bool:
        """擬制世帯主: the householder is not an insured member."""
        head = self.members.get(self.householder_addressee_number)
        return head is None or not head.active

    def active_member(self, addressee_number: str) -> Member:
        member = self.members.get(addressee_number)
        if member is None or not member.active:
            raise e.QualificationNotHeld(addressee_number, self.nhi_household_number)
        return member

    def with_member(self, member: Member) -> Household:
        """This household with ``member`` added or replaced."""
        return replace(self, members={**self.members, member.addressee_number: member})


def initial(nhi_household_number: str) -> Household:
    return Household(nhi_household_number)


def check_dates(fact_date: date, notification_date: date, today: date) -> None:
    """A notification comes on or after the fact, and not after today."""
    if notification_date < fact_date:
        raise e.NotificationBeforeFact(fact_date, notification_date)
    if notification_date > today:
        raise e.DateInFuture("notification_date", notification_date, today)


def check_not_future(name: str, day: date, today: date) -> None:
    """A fact dated today is allowed; tomorrow is not."""
    if day > today:
        raise e.DateInFuture(name, day, today)
