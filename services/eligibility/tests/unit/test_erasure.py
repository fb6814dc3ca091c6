"""Erasure of a person's details (C-95) under four eyes (C-11), on the in-memory unit: the
retention boundary, the householder who keeps their details, the second supervisor."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kokuho.eligibility.adapters.memory import InMemoryEligibilityUnit
from kokuho.eligibility.app import requests as rq
from kokuho.eligibility.app.persons import (
    DecideErasure,
    RequestErasure,
    decide_erasure,
    request_erasure,
)
from kokuho.eligibility.app.ports import Eligibility
from kokuho.eligibility.domain import errors as e
from kokuho.events.contracts.eligibility import PERSONAL_DETAILS_TOPIC

from .test_service_with_fakes import CHILD, HEAD, ID, RULES, Service, details, member, registered


def at(day: date) -> Eligibility:
    return Eligibility(RULES, clock=lambda: datetime(day.year, day.month, day.day, 1, tzinfo=UTC))


def asked(who: str = HEAD, by: str = "sv-a", reason: str = "retention over") -> RequestErasure:
    return RequestErasure(who, reason, by)


async def lose(service: Service, unit: InMemoryEligibilityUnit, household: str, who: str) -> None:
    loss = rq.LossIn(
        addressee_number=who,
        reason="death",
        fact_date=date(2026, 11, 10),
        notification_date=date(2026, 11, 12),
        identity_verification=ID,
    )
    change = await service.enter(unit, "lose", loss, user_id="clerk-a", household_number=household)
    await service.confirm(unit, change.change_id, user_id="clerk-b")


async def with_deemed_householder(service: Service, unit: InMemoryEligibilityUnit) -> str:
    """A household headed by HEAD (擬制世帯主: not insured, not a member) with CHILD insured."""
    body = rq.RegisterHouseholdIn(
        householder_addressee_number=HEAD,
        householder_details=details(date(1950, 1, 1)),
        members=[member(CHILD, "child", date(1990, 1, 1))],
        identity_verification=ID,
    )
    change = await service.enter(unit, "register_household", body, user_id="clerk-a")
    await service.confirm(unit, change.change_id, user_id="clerk-b")
    return change.nhi_household_number


@pytest.fixture
def unit() -> InMemoryEligibilityUnit:
    return InMemoryEligibilityUnit()


@pytest.fixture
def service() -> Service:
    return Service(at(date(2026, 11, 26)))


async def test_an_insured_person_or_one_within_the_retention_is_refused_at_the_request(
    service: Service, unit: InMemoryEligibilityUnit
) -> None:
    household = await registered(service, unit)
    with pytest.raises(e.PersonStillInsured):
        await request_erasure(unit, service.ports, asked())
    await lose(service, unit, household, HEAD)
    day_before = at(date(2031, 11, 10))
    with pytest.raises(e.RetentionNotOver) as refused:
        await request_erasure(unit, day_before, asked())
    assert refused.value.until == date(2031, 11, 11)  # the loss day + the retention years
    assert unit.erasures.requests == {}


async def test_a_second_supervisor_confirms_and_only_then_the_details_go(
    service: Service, unit: InMemoryEligibilityUnit
) -> None:
    household = await registered(service, unit)
    await lose(service, unit, household, HEAD)
    day = at(date(2031, 11, 11))  # the first erasable day itself
    pending = await request_erasure(unit, day, asked(by="sv-a"))
    assert (pending.status, pending.erased) == ("pending", False)
    assert HEAD in unit.persons.held
    with pytest.raises(e.ErasureAlreadyRequested):
        await request_erasure(unit, day, asked(by="sv-c"))
    for same in ("sv-a", "SV-A", " sv-a "):  # the requester, however the id is written
        with pytest.raises(e.SelfConfirmationRefused):
            await decide_erasure(unit, day, DecideErasure(HEAD, same, confirm=True))
    assert HEAD in unit.persons.held
    done = await decide_erasure(unit, day, DecideErasure(HEAD, "sv-b", confirm=True))
    assert (done.status, done.erased, done.requested_by, done.decided_by) == (
        "confirmed",
        True,
        "sv-a",
        "sv-b",
    )
    assert HEAD not in unit.persons.held
    tombstone = unit.events.outbox[-1]
    assert (tombstone.topic, tombstone.key, tombstone.value) == (PERSONAL_DETAILS_TOPIC, HEAD, None)
    kept = unit.erasures.requests[done.request_id]
    assert (kept.reason, kept.status) == ("retention over", "confirmed")
    with pytest.raises(e.NoErasureRequested):
        await decide_erasure(unit, day, DecideErasure(HEAD, "sv-c", confirm=True))
    assert len(unit.audit.records) >= 2


async def test_a_rejected_request_erases_nothing_and_a_new_one_may_follow(
    service: Service, unit: InMemoryEligibilityUnit
) -> None:
    household = await registered(service, unit)
    await lose(service, unit, household, HEAD)
    day = at(date(2032, 1, 1))
    await request_erasure(unit, day, asked(by="sv-a"))
    rejected = await decide_erasure(unit, day, DecideErasure(HEAD, "sv-b", confirm=False))
    assert (rejected.status, rejected.erased) == ("rejected", False)
    assert HEAD in unit.persons.held
    again = await request_erasure(unit, day, asked(by="sv-b"))
    assert again.status == "pending"
    assert again.request_id != rejected.request_id


async def test_a_deemed_householder_keeps_their_details_while_members_are_insured(
    service: Service, unit: InMemoryEligibilityUnit
) -> None:
    household = await with_deemed_householder(service, unit)
    with pytest.raises(e.PersonHeadsAHousehold) as refused:
        await request_erasure(unit, service.ports, asked())
    assert refused.value.nhi_household_number == household
    await lose(service, unit, household, CHILD)  # no insured member left
    pending = await request_erasure(unit, service.ports, asked())
    assert pending.status == "pending"


async def test_the_rules_are_checked_again_at_the_confirmation(
    service: Service, unit: InMemoryEligibilityUnit
) -> None:
    household = await with_deemed_householder(service, unit)
    await lose(service, unit, household, CHILD)
    await request_erasure(unit, service.ports, asked())
    # meanwhile the person moves in as an insured member of another household
    again = rq.RegisterHouseholdIn(
        householder_addressee_number=HEAD,
        members=[member(HEAD, "householder", date(1960, 1, 1))],
        identity_verification=ID,
    )
    moved = await service.enter(unit, "register_household", again, user_id="clerk-a")
    await service.confirm(unit, moved.change_id, user_id="clerk-b")
    with pytest.raises(e.PersonStillInsured):
        await decide_erasure(unit, service.ports, DecideErasure(HEAD, "sv-b", confirm=True))
    assert HEAD in unit.persons.held
