"""From a change's request to the domain's decision: one command builder per change kind
(``app/change_kinds.py`` puts them in its table), and the two decisions that touch two
households (split and merge)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import uuid4

from kokuho.eligibility.app import requests as rq
from kokuho.eligibility.app.ports import Eligibility, EligibilityUnitPort
from kokuho.eligibility.app.streams import Loaded, existing_household
from kokuho.eligibility.domain import commands as c
from kokuho.eligibility.domain import errors as e
from kokuho.eligibility.domain import events as ev
from kokuho.eligibility.domain.household import (
    Household,
    decide,
    decide_merge,
    decide_split,
    evolve,
    initial,
)
from kokuho.events.contracts.eligibility import PersonalDetailsRecorded
from kokuho.platform.models import RequestModel

PLACEHOLDER_INSURED = "00000000"


@dataclass(frozen=True)
class Entry:
    """A change as entered: its kind, request, household and (for member changes) person;
    ``target`` is the new household number a split was given at entry."""

    kind: str
    body: RequestModel
    household: str
    addressee: str | None = None
    target: str | None = None


@dataclass(frozen=True)
class Decision:
    """The events for the change's household, and for a second household (split, merge)."""

    events: list[ev.Event]
    other: tuple[str, Loaded, list[ev.Event]] | None = None


@dataclass(frozen=True)
class Deciding:
    """What a decision needs: the unit, the ports, and whether numbers are allocated now
    (confirmation) or a placeholder is enough (the dry run at entry)."""

    uow: EligibilityUnitPort
    ports: Eligibility
    allocate: bool


async def _not_insured_elsewhere(d: Deciding, addressee: str, here: str) -> None:
    other = await d.uow.qualifications.active_household_of(addressee)
    if other is not None and other != here:
        raise e.QualificationAlreadyHeld(addressee, other)


async def acquisition(d: Deciding, member: rq.MemberIn, state: Household) -> c.AcquireQualification:
    await _not_insured_elsewhere(d, member.addressee_number, state.nhi_household_number)
    if member.addressee_number in state.members or not d.allocate:
        insured = PLACEHOLDER_INSURED
    else:
        insured = await d.uow.numbers.next_insured_number()
    return c.AcquireQualification(
        addressee_number=member.addressee_number,
        insured_number=insured,
        reason=member.reason,
        fact_date=member.fact_date,
        notification_date=member.notification_date,
        birth_date=member.details.birth_date,
        relationship=member.relationship,
        today=d.ports.today(),
        former_dependant=member.former_dependant,
        effective_date=member.effective_date,
    )


async def register(d: Deciding, body: rq.RegisterHouseholdIn, state: Household) -> c.Command:
    acquisitions = tuple([await acquisition(d, m, state) for m in body.members])
    return c.RegisterHousehold(
        state.nhi_household_number, body.householder_addressee_number, acquisitions
    )


async def acquire(d: Deciding, body: rq.AcquisitionIn, state: Household) -> c.Command:
    return await acquisition(d, body.member, state)


def issue(body: rq.CertificateIn) -> c.IssueCertificate:
    return c.IssueCertificate(
        str(uuid4()),
        body.kind,
        body.addressee_number,
        body.issue_date,
        body.reissue_of,
        body.valid_until,
    )


def changed_fields(
    current: PersonalDetailsRecorded | None, new: rq.PersonalDetails
) -> tuple[str, ...]:
    fields = ("name", "name_kana", "sex", "birth_date", "address", "phone")
    if current is None:
        return fields
    changed = [f for f in fields if getattr(current, f) != getattr(new, f)]
    if current.postal_code != new.postal_code and "address" not in changed:
        changed.append("address")
    return tuple(changed)


async def personal_details(
    d: Deciding, body: rq.PersonalDetailsIn, addressee: str
) -> c.ChangePersonalDetails:
    current = await d.uow.persons.details(addressee)
    return c.ChangePersonalDetails(
        addressee,
        changed_fields(current, body.details),
        body.fact_date,
        body.notification_date,
        d.ports.today(),
        body.details.birth_date,
    )


async def split(d: Deciding, entry: Entry, loaded: Loaded) -> Decision:
    """世帯分離, and 住所地特例 as a split of one member into a household of their own."""
    assert entry.target is not None
    target = initial(entry.target)
    body = entry.body
    if isinstance(body, rq.SplitIn):
        head, members = body.new_householder_addressee_number, tuple(body.members)
    else:
        assert isinstance(body, rq.ResidenceExceptionIn)
        assert entry.addressee is not None
        head, members = entry.addressee, (entry.addressee,)
    today, rules = d.ports.today(), d.ports.rules
    command = c.SplitHousehold(
        entry.target, head, members, body.fact_date, body.notification_date, today
    )
    source_events, target_events = decide_split(loaded.state, target, command, rules)
    if isinstance(body, rq.ResidenceExceptionIn):
        after = target
        for event in target_events:
            after = evolve(after, event)
        start = c.StartSpecialCase(
            head,
            "residence_exception",
            body.facility_kind,
            body.fact_date,
            body.notification_date,
            today,
        )
        target_events += decide(after, start, rules)
    return Decision(source_events, (entry.target, Loaded(target, 0), target_events))


async def merge(d: Deciding, entry: Entry, loaded: Loaded) -> Decision:
    """世帯合併: the household's members join ``into_household_number``."""
    body = entry.body
    assert isinstance(body, rq.MergeIn)
    into = await existing_household(d.uow, body.into_household_number)
    command = c.MergeHousehold(
        body.into_household_number, body.fact_date, body.notification_date, d.ports.today()
    )
    events, into_events = decide_merge(loaded.state, into.state, command, d.ports.rules)
    return Decision(events, (body.into_household_number, into, into_events))
