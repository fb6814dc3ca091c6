"""Moves between two households: 世帯分離 (split) and 世帯合併 (merge). Each decision returns
the events of both streams; moved members keep their qualification and get new card and
branch numbers."""

from __future__ import annotations

from datetime import date

from kokuho.eligibility.domain import commands as c
from kokuho.eligibility.domain import errors as e
from kokuho.eligibility.domain import events as ev
from kokuho.eligibility.domain.household.composition import with_composition
from kokuho.eligibility.domain.household.state import Household, Member, check_dates
from kokuho.eligibility.domain.rules import QualificationRules, is_late


def _moved(
    member: Member, card_number: str, branch: int, relationship: str | None = None
) -> ev.MemberMoved:
    return ev.MemberMoved(
        addressee_number=member.addressee_number,
        insured_number=member.insured_number,
        card_number=card_number,
        branch_number=f"{branch:02d}",
        relationship=relationship or member.relationship,
        birth_date=member.birth_date,
        acquisition_date=member.acquisition_date,
        acquisition_reason=member.acquisition_reason,
        former_dependant=member.former_dependant,
    )


def _recollect(state: Household, addressees: set[str], on: date) -> list[ev.Event]:
    """Open certificates of moved members print the old card number: collect them."""
    return [
        ev.CertificateCollected(
            cert.certificate_id,
            cert.kind,
            cert.addressee_number,
            state.nhi_household_number,
            collected_date=on,
            reason="details_changed",
        )
        for cert in state.certificates.values()
        if cert.addressee_number in addressees and not cert.collected
    ]


def _members_to_split(
    source: Household, target: Household, command: c.SplitHousehold
) -> dict[str, Member]:
    """The members who move, in the order given; the householder stays, someone stays, and a
    new householder who is insured here moves with them."""
    active = {m.addressee_number: m for m in source.active_members}
    wanted = list(dict.fromkeys(command.members))
    missing = [a for a in wanted if a not in active]
    if missing or not wanted:
        raise e.MembersMissing(missing, source.nhi_household_number)
    if source.householder_addressee_number in wanted:
        raise e.HouseholderMustStay(source.householder_addressee_number)
    if set(wanted) == set(active):
        raise e.SplitWouldEmptyHousehold(source.nhi_household_number)
    head = command.new_householder_addressee_number
    if head in active and head not in wanted:
        raise e.HouseholderMustBeMember(head, target.nhi_household_number)
    return {a: active[a] for a in wanted}


def decide_split(
    source: Household, target: Household, command: c.SplitHousehold, rules: QualificationRules
) -> tuple[list[ev.Event], list[ev.Event]]:
    """世帯分離: (events of the source household, events of the new household)."""
    if not source.registered:
        raise e.HouseholdNotRegistered(source.nhi_household_number)
    if target.registered:
        raise e.HouseholdAlreadyRegistered(target.nhi_household_number)
    check_dates(command.fact_date, command.notification_date, command.today)
    wanted = _members_to_split(source, target, command)
    head = command.new_householder_addressee_number
    moved = tuple(
        _moved(member, target.nhi_household_number, i, "householder" if a == head else None)
        for i, (a, member) in enumerate(wanted.items(), start=1)
    )
    split = ev.HouseholdSplit(
        from_household_number=source.nhi_household_number,
        new_household_number=target.nhi_household_number,
        new_householder_addressee_number=head,
        members=moved,
        effective_date=command.fact_date,
        notification_date=command.notification_date,
        late_notification=is_late(command.fact_date, command.notification_date, rules),
    )
    registered = ev.HouseholdRegistered(
        nhi_household_number=target.nhi_household_number,
        householder_addressee_number=head,
        deemed_householder=head not in wanted,
        effective_date=command.fact_date,
    )
    source_events: list[ev.Event] = [split, *_recollect(source, set(wanted), command.fact_date)]
    return with_composition(source, source_events), with_composition(target, [registered, split])


def decide_merge(
    absorbed: Household, into: Household, command: c.MergeHousehold, rules: QualificationRules
) -> tuple[list[ev.Event], list[ev.Event]]:
    """世帯合併: every insured member of ``absorbed`` joins ``into``; (absorbed's, into's)."""
    for state in (absorbed, into):
        if not state.registered:
            raise e.HouseholdNotRegistered(state.nhi_household_number)
    if absorbed.nhi_household_number == into.nhi_household_number:
        raise e.SameHousehold(absorbed.nhi_household_number)
    check_dates(command.fact_date, command.notification_date, command.today)
    members = sorted(absorbed.active_members, key=lambda m: m.branch_number)
    if not members:
        raise e.MembersMissing([], absorbed.nhi_household_number)
    moved = tuple(
        _moved(
            m,
            into.nhi_household_number,
            into.next_branch + i,
            # the absorbed household's head is no longer the householder; the clerk enters the
            # right relationship afterwards
            "other_relative" if m.relationship == "householder" else None,
        )
        for i, m in enumerate(members)
    )
    merged = ev.HouseholdMerged(
        absorbed_household_number=absorbed.nhi_household_number,
        into_household_number=into.nhi_household_number,
        members=moved,
        effective_date=command.fact_date,
        notification_date=command.notification_date,
        late_notification=is_late(command.fact_date, command.notification_date, rules),
    )
    absorbed_events: list[ev.Event] = [merged]
    absorbed_events += [
        ev.SpecifiedSameHouseholdMemberChanged(
            a, absorbed.nhi_household_number, since=since, until=command.fact_date
        )
        for a, since in sorted(absorbed.specified_same_household.items())
    ]
    absorbed_events += _recollect(
        absorbed, {m.addressee_number for m in members}, command.fact_date
    )
    return with_composition(absorbed, absorbed_events), with_composition(into, [merged])
